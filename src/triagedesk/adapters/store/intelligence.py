"""The intelligence store on SQLite or PostgreSQL: artifacts (model, index) and feedback."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from triagedesk.adapters.store.db import translated
from triagedesk.adapters.store.tables.intelligence import intel_artifacts, intel_feedback
from triagedesk.domain.model import IssueRef, RepoRef
from triagedesk.ports.intelligence import Artifact, Feedback, FeedbackKind

#: versions kept per artifact name (the newest and the one before, for rollback)
KEEP_VERSIONS = 2


class SqlIntelligenceStore:
    """:class:`triagedesk.ports.intelligence.IntelligenceStore` over SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save_artifact(
        self,
        name: str,
        data: bytes,
        *,
        trained_at: datetime,
        watermark: datetime | None,
        n_items: int,
        meta: dict[str, Any] | None = None,
    ) -> Artifact:
        t = intel_artifacts
        with translated(), self._engine.begin() as conn:
            newest = conn.execute(select(func.max(t.c.version)).where(t.c.name == name)).scalar()
            version = int(newest or 0) + 1
            conn.execute(
                insert(t).values(
                    name=name,
                    version=version,
                    trained_at=trained_at,
                    watermark=watermark,
                    n_items=n_items,
                    meta=json.dumps(meta or {}, sort_keys=True),
                    data=data,
                )
            )
            conn.execute(delete(t).where(t.c.name == name, t.c.version <= version - KEEP_VERSIONS))
        return Artifact(name, version, data, trained_at, watermark, n_items, dict(meta or {}))

    def load_artifact(self, name: str) -> Artifact | None:
        t = intel_artifacts
        with translated(), self._engine.connect() as conn:
            row = conn.execute(
                select(t).where(t.c.name == name).order_by(t.c.version.desc()).limit(1)
            ).first()
        if row is None:
            return None
        return Artifact(
            name=row.name,
            version=int(row.version),
            data=bytes(row.data),
            trained_at=row.trained_at,
            watermark=row.watermark,
            n_items=int(row.n_items),
            meta=json.loads(row.meta or "{}"),
        )

    def artifact_version(self, name: str) -> int | None:
        t = intel_artifacts
        with translated(), self._engine.connect() as conn:
            v = conn.execute(select(func.max(t.c.version)).where(t.c.name == name)).scalar()
        return None if v is None else int(v)

    def add_feedback(
        self,
        kind: FeedbackKind,
        issue: IssueRef,
        subject: str,
        *,
        actor: str,
        at: datetime,
        detail: str = "",
    ) -> Feedback:
        t = intel_feedback
        key = (
            (t.c.kind == kind.value)
            & (t.c.repo == issue.repo.full_name)
            & (t.c.number == issue.number)
            & (t.c.subject == subject)
        )
        with translated(), self._engine.begin() as conn:
            existing = conn.execute(select(t.c.id).where(key)).scalar()
            if existing is None:
                new_id = conn.execute(
                    insert(t)
                    .values(
                        kind=kind.value,
                        repo=issue.repo.full_name,
                        number=issue.number,
                        subject=subject,
                        actor=actor,
                        at=at,
                        detail=detail,
                    )
                    .returning(t.c.id)
                ).scalar_one()
            else:
                new_id = existing
                conn.execute(
                    update(t).where(t.c.id == existing).values(actor=actor, at=at, detail=detail)
                )
        return Feedback(int(new_id), kind, issue, subject, actor, at, detail)

    def list_feedback(self, kind: FeedbackKind | None = None) -> list[Feedback]:
        t = intel_feedback
        q = select(t).order_by(t.c.at, t.c.id)
        if kind is not None:
            q = q.where(t.c.kind == kind.value)
        with translated(), self._engine.connect() as conn:
            rows = conn.execute(q).all()
        return [
            Feedback(
                id=int(r.id),
                kind=FeedbackKind(r.kind),
                issue=IssueRef(RepoRef.parse(r.repo), int(r.number)),
                subject=r.subject,
                actor=r.actor,
                at=r.at,
                detail=r.detail,
            )
            for r in rows
        ]
