"""The delivery queue on SQLite and PostgreSQL: unique ids, leases, retries, parking."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from triagedesk.adapters.store.deliveries import SqlDeliveryQueue, SqlReleaseStore
from triagedesk.domain.model import RepoRef
from triagedesk.ports.deliveries import DeliveryStatus, NewDelivery, Release

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def new(i: int, status: DeliveryStatus = DeliveryStatus.QUEUED) -> NewDelivery:
    return NewDelivery(
        delivery_id=f"d-{i}",
        event="issues",
        action="opened",
        repo="docker/for-mac",
        payload=b'{"n": %d, "text": "caf\xc3\xa9"}' % i,
        received_at=T0 + timedelta(seconds=i),
        status=status,
    )


def test_enqueue_is_unique_by_delivery_id(engine: Engine) -> None:
    q = SqlDeliveryQueue(engine)
    assert q.enqueue(new(1)) is True
    assert q.enqueue(new(1)) is False
    got = q.get("d-1")
    assert got is not None and got.payload == new(1).payload
    assert got.received_at == new(1).received_at
    assert q.counts() == {"queued": 1, "done": 0, "ignored": 0, "parked": 0}


def test_claim_lease_and_expiry(engine: Engine) -> None:
    q = SqlDeliveryQueue(engine)
    for i in range(5):
        q.enqueue(new(i))
    q.enqueue(new(9, DeliveryStatus.IGNORED))
    a = q.claim("a", now=T0, lease=LEASE, limit=3)
    assert [d.delivery_id for d in a] == ["d-0", "d-1", "d-2"]
    assert all(d.attempts == 1 and d.lease_owner == "a" for d in a)
    b = q.claim("b", now=T0 + timedelta(seconds=1), lease=LEASE, limit=10)
    assert [d.delivery_id for d in b] == ["d-3", "d-4"]  # a's are leased, ignored never claimed
    assert q.claim("b", now=T0 + timedelta(seconds=2), lease=LEASE) == []
    # a dies; after its lease, b takes them over, counting a second attempt
    later = q.claim("b", now=T0 + LEASE + timedelta(milliseconds=500), lease=LEASE)
    assert [d.delivery_id for d in later] == ["d-0", "d-1", "d-2"]
    assert all(d.attempts == 2 for d in later)
    # a wakes up and tries to finish: it lost the lease, nothing changes
    assert q.finish(a[0].id, "a", DeliveryStatus.DONE, at=T0) is False
    assert q.finish(later[0].id, "b", DeliveryStatus.DONE, at=T0) is True
    assert q.get("d-0").status is DeliveryStatus.DONE  # type: ignore[union-attr]


def test_fail_retries_then_parks_and_requeue(engine: Engine) -> None:
    q = SqlDeliveryQueue(engine)
    q.enqueue(new(1))
    now = T0
    for attempt in (1, 2):
        [d] = q.claim("w", now=now, lease=LEASE)
        assert d.attempts == attempt
        status = q.fail(
            d.id, "w", "boom", at=now, retry_at=now + timedelta(minutes=1), max_attempts=2
        )
        now += timedelta(minutes=2)
    assert status is DeliveryStatus.PARKED
    parked = q.get("d-1")
    assert parked is not None and parked.status is DeliveryStatus.PARKED and parked.error == "boom"
    assert q.claim("w", now=now, lease=LEASE) == []
    assert q.requeue(["d-1"], at=now) == 1
    [again] = q.claim("w", now=now, lease=LEASE)
    assert again.attempts == 1


def test_retry_waits_for_retry_at(engine: Engine) -> None:
    q = SqlDeliveryQueue(engine)
    q.enqueue(new(1))
    [d] = q.claim("w", now=T0, lease=LEASE)
    q.fail(d.id, "w", "later", at=T0, retry_at=T0 + timedelta(minutes=5), max_attempts=5)
    assert q.claim("w", now=T0 + timedelta(minutes=4), lease=LEASE) == []
    assert len(q.claim("w", now=T0 + timedelta(minutes=5), lease=LEASE)) == 1


def test_concurrent_claims_never_share_a_delivery(engine: Engine) -> None:
    q = SqlDeliveryQueue(engine)
    for i in range(60):
        q.enqueue(new(i))
    got: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        mine: list[str] = []
        try:
            while True:
                batch = q.claim(name, now=T0, lease=LEASE, limit=4)
                if not batch:
                    break
                mine.extend(d.delivery_id for d in batch)
        except BaseException as exc:  # surface in the main thread
            errors.append(exc)
        got[name] = mine

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    every = [d for ds in got.values() for d in ds]
    assert sorted(every) == sorted(f"d-{i}" for i in range(60))
    assert len(every) == len(set(every))


def test_release_store(engine: Engine) -> None:
    rs = SqlReleaseStore(engine)
    mac = RepoRef("docker", "for-mac")
    rel = Release(repo=mac, version="4.38.1", channel="beta", body="fixes #7411")
    assert rs.record_release(rel, at=T0) is True
    assert rs.record_release(Release(repo=mac, version="4.38.1", channel="stable"), at=T0) is False
    [stored] = rs.list_releases(mac)
    assert stored.channel == "stable" and stored.version == "4.38.1"
