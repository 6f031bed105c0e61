"""The action log in SQL: every action decided, planned (shadow mode) or carried out.

A planned action carries ``planned_key`` = sha256 of :meth:`Action.key`; the
column is unique and cleared once the action leaves the planned state, so the
same decision is planned at most once however many deliveries repeat it, even
with several workers inserting at the same moment (``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping

from triagedesk.adapters.store.db import insert_ignoring, translated, writing
from triagedesk.adapters.store.tables.github import action_log
from triagedesk.domain.actions import Action, from_dict
from triagedesk.domain.errors import NotFoundError
from triagedesk.ports.actions import ActionRecord, ActionStatus

T = action_log


def planned_key(action: Action) -> str:
    return hashlib.sha256(action.key().encode("utf-8")).hexdigest()


def _record(row: RowMapping) -> ActionRecord:
    return ActionRecord(
        id=row["id"],
        action=from_dict(json.loads(row["payload"])),
        status=ActionStatus(row["status"]),
        source=row["source"],
        created_at=row["created_at"],
        applied_at=row["applied_at"],
        detail=row["detail"] or "",
    )


class SqlActionLog:
    """:class:`triagedesk.ports.actions.ActionLog` on the ``action_log`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _insert(self) -> Any:
        return insert_ignoring(self.engine.dialect.name, T, "planned_key")

    def record(
        self, actions: Sequence[Action], *, status: ActionStatus, source: str, at: datetime
    ) -> list[ActionRecord]:
        out: list[ActionRecord] = []
        with translated(), writing(self.engine) as conn:
            for action in actions:
                key = planned_key(action) if status is ActionStatus.PLANNED else None
                values = {
                    "kind": action.kind,
                    "issue": str(action.issue),
                    "action_key": action.key(),
                    "planned_key": key,
                    "payload": json.dumps(action.to_dict(), ensure_ascii=False),
                    "status": status.value,
                    "source": source[:100],
                    "created_at": at,
                    "applied_at": None if status is ActionStatus.PLANNED else at,
                    "detail": "",
                }
                out.append(_record(self._insert_one(conn, values)))
        return out

    def _insert_one(self, conn: Connection, values: dict[str, Any]) -> RowMapping:
        row = conn.execute(self._insert().values(**values).returning(*T.c)).mappings().first()
        if row is not None:
            return row
        # already planned: hand back the existing record
        return (
            conn.execute(select(T).where(T.c.planned_key == values["planned_key"])).mappings().one()
        )

    def get(self, action_id: int) -> ActionRecord | None:
        with translated(), self.engine.connect() as conn:
            row = conn.execute(select(T).where(T.c.id == action_id)).mappings().first()
        return None if row is None else _record(row)

    def list(self, status: ActionStatus | None = None, limit: int = 1000) -> list[ActionRecord]:
        """The newest ``limit`` records, oldest first."""
        stmt = select(T).order_by(T.c.id.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(T.c.status == status.value)
        with translated(), self.engine.connect() as conn:
            return [_record(r) for r in reversed(conn.execute(stmt).mappings().all())]

    def count(self, status: ActionStatus | None = None) -> int:
        stmt = select(func.count()).select_from(T)
        if status is not None:
            stmt = stmt.where(T.c.status == status.value)
        with translated(), self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def mark(self, action_id: int, status: ActionStatus, *, at: datetime, detail: str = "") -> None:
        values: dict[str, Any] = {"status": status.value, "detail": detail[:4000]}
        if status is not ActionStatus.PLANNED:
            values["planned_key"] = None
            values["applied_at"] = at
        with translated(), writing(self.engine) as conn:
            done = conn.execute(update(T).where(T.c.id == action_id).values(**values)).rowcount
        if done != 1:
            raise NotFoundError(f"no action with id {action_id}")
