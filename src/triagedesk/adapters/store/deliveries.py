"""The webhook delivery queue and the release table, in SQL.

Claiming is one statement on both backends, so two workers never hold the same
delivery: PostgreSQL picks the rows with ``SELECT … FOR UPDATE SKIP LOCKED``
inside ``UPDATE … RETURNING``; SQLite (one writer at a time) runs the same
conditional ``UPDATE … WHERE status='queued' AND lease expired`` — a row that
another worker leased in between no longer matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.engine import Engine, RowMapping

from triagedesk.adapters.store.db import insert_ignoring, translated, writing
from triagedesk.adapters.store.tables.github import releases, webhook_deliveries
from triagedesk.domain.model import RepoRef
from triagedesk.ports.deliveries import Delivery, DeliveryStatus, NewDelivery, Release

T = webhook_deliveries


def _delivery(row: RowMapping) -> Delivery:
    return Delivery(
        id=row["id"],
        delivery_id=row["delivery_id"],
        event=row["event"],
        action=row["action"],
        repo=row["repo"],
        payload=row["payload"].encode("utf-8"),
        received_at=row["received_at"],
        status=DeliveryStatus(row["status"]),
        attempts=row["attempts"],
        lease_owner=row["lease_owner"],
        lease_until=row["lease_until"],
        processed_at=row["processed_at"],
        error=row["error"] or "",
    )


class SqlDeliveryQueue:
    """:class:`triagedesk.ports.deliveries.DeliveryQueue` on the ``webhook_deliveries`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def enqueue(self, delivery: NewDelivery) -> bool:
        try:
            payload = delivery.payload.decode("utf-8")
        except UnicodeDecodeError as exc:  # the web layer refuses such bodies first
            raise ValueError(f"delivery payload is not UTF-8 (byte {exc.start})") from None
        values: dict[str, Any] = {
            "delivery_id": delivery.delivery_id,
            "event": delivery.event,
            "action": delivery.action,
            "repo": delivery.repo,
            "payload": payload,
            "received_at": delivery.received_at,
            "status": delivery.status.value,
            "attempts": 0,
            "error": "",
            "processed_at": None
            if delivery.status is DeliveryStatus.QUEUED
            else delivery.received_at,
        }
        with translated(), writing(self.engine) as conn:
            stmt = insert_ignoring(self.engine.dialect.name, T, "delivery_id").values(**values)
            inserted = conn.execute(stmt.returning(T.c.id)).scalar_one_or_none()
        return inserted is not None

    def claim(
        self, owner: str, *, now: datetime, lease: timedelta, limit: int = 10
    ) -> list[Delivery]:
        free = and_(
            T.c.status == DeliveryStatus.QUEUED.value,
            or_(T.c.lease_until.is_(None), T.c.lease_until <= now),
        )
        pick = select(T.c.id).where(free).order_by(T.c.id).limit(limit)
        lease_values = {
            "lease_owner": owner,
            "lease_until": now + lease,
            "attempts": T.c.attempts + 1,
        }
        if self.engine.dialect.name == "postgresql":
            # a CTE runs once: LIMIT inside ``IN (subquery)`` may be re-evaluated by the planner
            picked = pick.with_for_update(skip_locked=True).cte("picked")
            stmt = update(T).where(T.c.id == picked.c.id).values(**lease_values).returning(*T.c)
        else:
            stmt = (
                update(T)
                .where(T.c.id.in_(pick.scalar_subquery()), free)
                .values(**lease_values)
                .returning(*T.c)
            )
        with translated(), writing(self.engine) as conn:
            rows = conn.execute(stmt).mappings().all()
        return sorted((_delivery(r) for r in rows), key=lambda d: d.id)

    def extend(self, delivery_ids: Sequence[int], owner: str, *, until: datetime) -> int:
        if not delivery_ids:
            return 0
        stmt = (
            update(T)
            .where(
                T.c.id.in_(list(delivery_ids)),
                T.c.lease_owner == owner,
                T.c.status == DeliveryStatus.QUEUED.value,
            )
            .values(lease_until=until)
        )
        with translated(), writing(self.engine) as conn:
            return int(conn.execute(stmt).rowcount)

    def finish(self, delivery_id: int, owner: str, status: DeliveryStatus, *, at: datetime) -> bool:
        stmt = (
            update(T)
            .where(
                T.c.id == delivery_id,
                T.c.lease_owner == owner,
                T.c.status == DeliveryStatus.QUEUED.value,
            )
            .values(status=status.value, processed_at=at, lease_until=None, error="")
        )
        with translated(), writing(self.engine) as conn:
            return conn.execute(stmt).rowcount == 1

    def fail(
        self,
        delivery_id: int,
        owner: str,
        error: str,
        *,
        at: datetime,
        retry_at: datetime,
        max_attempts: int,
    ) -> DeliveryStatus:
        # one conditional UPDATE (no read first: under SQLite load a read-then-write
        # transaction can fail with "locked" where a single write just waits)
        parked = T.c.attempts >= max_attempts
        stmt = (
            update(T)
            .where(
                T.c.id == delivery_id,
                T.c.lease_owner == owner,
                T.c.status == DeliveryStatus.QUEUED.value,
            )
            .values(
                error=error[:4000],
                status=case((parked, DeliveryStatus.PARKED.value), else_=T.c.status),
                processed_at=case((parked, at), else_=T.c.processed_at),
                lease_until=case((parked, None), else_=retry_at),
            )
            .returning(T.c.status)
        )
        with translated(), writing(self.engine) as conn:
            status = conn.execute(stmt).scalar_one_or_none()
            if status is None:  # the lease was lost: someone else owns the outcome
                current = conn.execute(select(T.c.status).where(T.c.id == delivery_id)).scalar()
                return DeliveryStatus(current) if current else DeliveryStatus.QUEUED
        return DeliveryStatus(status)

    def get(self, delivery_id: str) -> Delivery | None:
        with translated(), self.engine.connect() as conn:
            row = conn.execute(select(T).where(T.c.delivery_id == delivery_id)).mappings().first()
        return None if row is None else _delivery(row)

    def list(self, status: DeliveryStatus | None = None, limit: int = 100) -> list[Delivery]:
        stmt = select(T).order_by(T.c.id.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(T.c.status == status.value)
        with translated(), self.engine.connect() as conn:
            return [_delivery(r) for r in conn.execute(stmt).mappings()]

    def counts(self) -> dict[str, int]:
        stmt = select(T.c.status, func.count()).group_by(T.c.status)
        with translated(), self.engine.connect() as conn:
            found = {str(s): int(n) for s, n in conn.execute(stmt)}
        return {s.value: found.get(s.value, 0) for s in DeliveryStatus}

    def requeue(self, delivery_ids: Sequence[str], *, at: datetime) -> int:
        if not delivery_ids:
            return 0
        stmt = (
            update(T)
            .where(T.c.delivery_id.in_(list(delivery_ids)), T.c.status == "parked")
            .values(status=DeliveryStatus.QUEUED.value, attempts=0, lease_until=None)
        )
        with translated(), writing(self.engine) as conn:
            return int(conn.execute(stmt).rowcount)


R = releases


class SqlReleaseStore:
    """:class:`triagedesk.ports.deliveries.ReleaseStore` on the ``releases`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record_release(self, release: Release, *, at: datetime) -> bool:
        values = {
            "channel": release.channel,
            "name": release.name[:300],
            "body": release.body,
            "url": release.url[:500],
            "published_at": release.published_at,
        }
        key = and_(R.c.repo == release.repo.full_name, R.c.version == release.version)
        with translated(), writing(self.engine) as conn:
            if conn.execute(select(R.c.id).where(key)).first() is not None:
                conn.execute(update(R).where(key).values(**values))
                return False
            conn.execute(
                insert(R).values(
                    repo=release.repo.full_name,
                    version=release.version,
                    received_at=at,
                    **values,
                )
            )
        return True

    def list_releases(self, repo: RepoRef | None = None) -> list[Release]:
        stmt = select(R).order_by(R.c.published_at, R.c.id)
        if repo is not None:
            stmt = stmt.where(R.c.repo == repo.full_name)
        with translated(), self.engine.connect() as conn:
            return [
                Release(
                    repo=RepoRef.parse(r["repo"]),
                    version=r["version"],
                    channel=r["channel"],
                    name=r["name"],
                    body=r["body"],
                    url=r["url"],
                    published_at=r["published_at"],
                )
                for r in conn.execute(stmt).mappings()
            ]
