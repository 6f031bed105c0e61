"""The checklist store on SQLite or PostgreSQL: checklists with history, reproductions, bundles."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import IntegrityError

from triagedesk.adapters.store.db import translated
from triagedesk.adapters.store.tables.quality import (
    quality_bundles,
    quality_checklists,
    quality_reproductions,
)
from triagedesk.domain.checklist import BundleCheck, Checklist, PersonReproduction
from triagedesk.domain.model import IssueRef, RepoRef
from triagedesk.ports.quality import StoredChecklist


def _digest(data: dict[str, Any]) -> str:
    body = {k: v for k, v in data.items() if k != "computed_at"}
    raw = json.dumps(body, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _stored(row: Row[Any]) -> StoredChecklist:
    return StoredChecklist(
        ref=IssueRef(RepoRef.parse(row.repo), int(row.number)),
        computed_at=row.computed_at,
        verdict=row.verdict,
        missing=tuple(json.loads(row.missing or "[]")),
        data=json.loads(row.data or "{}"),
    )


class SqlChecklistStore:
    """:class:`triagedesk.ports.quality.ChecklistStore` over SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save_checklist(self, checklist: Checklist) -> bool:
        return self.save_checklists([checklist])[0]

    def save_checklists(self, checklists: Sequence[Checklist]) -> list[bool]:
        t = quality_checklists
        out: list[bool] = []
        with translated(), self._engine.begin() as conn:
            for checklist in checklists:
                data = checklist.to_dict()
                digest = _digest(data)
                ref = checklist.ref
                last = conn.execute(
                    select(t.c.digest)
                    .where(t.c.repo == ref.repo.full_name, t.c.number == ref.number)
                    .order_by(t.c.id.desc())
                    .limit(1)
                ).scalar()
                if last == digest:
                    out.append(False)
                    continue
                conn.execute(
                    insert(t).values(
                        repo=ref.repo.full_name,
                        number=ref.number,
                        computed_at=checklist.computed_at,
                        verdict=checklist.verdict,
                        missing=json.dumps(list(checklist.missing)),
                        digest=digest,
                        data=json.dumps(data, sort_keys=True, default=str, ensure_ascii=False),
                    )
                )
                out.append(True)
        return out

    def latest_checklist(self, ref: IssueRef) -> StoredChecklist | None:
        t = quality_checklists
        with translated(), self._engine.connect() as conn:
            row = conn.execute(
                select(t)
                .where(t.c.repo == ref.repo.full_name, t.c.number == ref.number)
                .order_by(t.c.id.desc())
                .limit(1)
            ).first()
        return None if row is None else _stored(row)

    def checklist_history(self, ref: IssueRef) -> list[StoredChecklist]:
        t = quality_checklists
        with translated(), self._engine.connect() as conn:
            rows = conn.execute(
                select(t)
                .where(t.c.repo == ref.repo.full_name, t.c.number == ref.number)
                .order_by(t.c.id)
            ).all()
        return [_stored(r) for r in rows]

    def latest_checklists(self, repo: RepoRef | None = None) -> list[StoredChecklist]:
        t = quality_checklists
        newest = select(func.max(t.c.id).label("id")).group_by(t.c.repo, t.c.number)
        if repo is not None:
            newest = newest.where(t.c.repo == repo.full_name)
        sub = newest.subquery()
        with translated(), self._engine.connect() as conn:
            rows = conn.execute(
                select(t).join(sub, t.c.id == sub.c.id).order_by(t.c.repo, t.c.number)
            ).all()
        return [_stored(r) for r in rows]

    def record_reproduction(self, ref: IssueRef, reproduction: PersonReproduction) -> None:
        with translated(), self._engine.begin() as conn:
            conn.execute(
                insert(quality_reproductions).values(
                    repo=ref.repo.full_name,
                    number=ref.number,
                    by=reproduction.by,
                    at=reproduction.at,
                    version=reproduction.version,
                    platform=reproduction.platform,
                    note=reproduction.note,
                )
            )

    def reproductions(self, ref: IssueRef) -> list[PersonReproduction]:
        t = quality_reproductions
        with translated(), self._engine.connect() as conn:
            rows = conn.execute(
                select(t)
                .where(t.c.repo == ref.repo.full_name, t.c.number == ref.number)
                .order_by(t.c.at, t.c.id)
            ).all()
        return [PersonReproduction(r.by, r.at, r.version, r.platform, r.note) for r in rows]

    def save_bundle_check(self, check: BundleCheck, checked_at: datetime) -> None:
        t = quality_bundles
        values = {
            "state": check.state,
            "key": check.key,
            "size": check.size,
            "uploaded_at": check.uploaded_at,
            "checked_at": checked_at,
            "detail": check.detail,
            "signatures": json.dumps(list(check.signatures), ensure_ascii=False),
        }
        with translated():
            try:
                with self._engine.begin() as conn:
                    changed = conn.execute(
                        update(t).where(t.c.diag_id == check.id).values(**values)
                    ).rowcount
                    if not changed:
                        conn.execute(insert(t).values(diag_id=check.id, **values))
            except IntegrityError:
                # another worker inserted it in between: ours is the newer answer
                with self._engine.begin() as conn:
                    conn.execute(update(t).where(t.c.diag_id == check.id).values(**values))

    def bundle_check(self, diag_id: str) -> tuple[BundleCheck, datetime] | None:
        t = quality_bundles
        with translated(), self._engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.diag_id == diag_id)).first()
        if row is None:
            return None
        check = BundleCheck(
            id=row.diag_id,
            state=row.state,
            key=row.key,
            size=None if row.size is None else int(row.size),
            uploaded_at=row.uploaded_at,
            detail=row.detail,
            signatures=tuple(json.loads(row.signatures or "[]")),
        )
        return check, row.checked_at
