"""The intelligence store on SQLite and PostgreSQL: versioned artifacts and idempotent feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from triagedesk.adapters.store.intelligence import SqlIntelligenceStore
from triagedesk.domain.model import IssueRef, RepoRef
from triagedesk.ports.intelligence import FeedbackKind, IntelligenceStore

T = datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
REF = IssueRef(RepoRef("docker", "for-win"), 12)


def test_artifacts_are_versioned_and_old_ones_dropped(engine: Engine) -> None:
    store: IntelligenceStore = SqlIntelligenceStore(engine)
    assert store.load_artifact("idx") is None and store.artifact_version("idx") is None
    blob = bytes(range(256)) * 1000
    for i in range(3):
        art = store.save_artifact(
            "idx",
            blob + bytes([i]),
            trained_at=T + timedelta(hours=i),
            watermark=T,
            n_items=i,
            meta={"i": i},
        )
        assert art.version == i + 1
    got = store.load_artifact("idx")
    assert got is not None
    assert got.version == 3 and got.data == blob + bytes([2]) and got.meta == {"i": 2}
    assert got.trained_at == T + timedelta(hours=2) and got.watermark == T
    assert got.trained_at.tzinfo is not None
    assert store.artifact_version("idx") == 3
    assert store.save_artifact("other", b"x", trained_at=T, watermark=None, n_items=0).version == 1
    # only the newest two versions of a name are kept
    from sqlalchemy import func, select

    from triagedesk.adapters.store.tables.intelligence import intel_artifacts

    with engine.connect() as conn:
        n = conn.execute(select(func.count()).where(intel_artifacts.c.name == "idx")).scalar()
    assert n == 2


def test_feedback_is_idempotent_per_kind_issue_subject(engine: Engine) -> None:
    store: IntelligenceStore = SqlIntelligenceStore(engine)
    a = store.add_feedback(FeedbackKind.LABEL_REMOVED, REF, "area/wsl2", actor="ann", at=T)
    b = store.add_feedback(
        FeedbackKind.LABEL_REMOVED, REF, "area/wsl2", actor="bob", at=T + timedelta(1)
    )
    store.add_feedback(FeedbackKind.DUPLICATE_REJECTED, REF, "docker/for-win#3", actor="ann", at=T)
    assert a.id == b.id
    removed = store.list_feedback(FeedbackKind.LABEL_REMOVED)
    assert [(f.issue, f.subject, f.actor) for f in removed] == [(REF, "area/wsl2", "bob")]
    assert len(store.list_feedback()) == 2
    assert store.list_feedback(FeedbackKind.DUPLICATE_REJECTED)[0].at == T
