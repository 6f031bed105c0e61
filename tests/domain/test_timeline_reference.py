"""The fast status timeline (status labels only, memoised lookups) equals the plain
definition: replay every label event on the full label set and ask workflow.status_of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from triagedesk.domain.facts import (
    IssueFacts,
    LabelChange,
    StatusResolver,
    Stint,
    first_status_at,
    status_timeline,
)
from triagedesk.domain.workflow import Status, status_of

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALIASES = {"needs-triage": Status.TRIAGE, "Fixed-In-Edge": Status.FIXED}
POOL = [
    "status/0-triage",
    "Status/1-Acknowledged",
    "status/2-in-progress",
    "status/0-more-info-needed",
    "status/3-fixed",
    "status/0-wont-fix",
    "needs-triage",
    "NEEDS-TRIAGE",
    "fixed-in-edge",
    "area/networking",
    "kind/bug",
]


def reference(f: IssueFacts) -> list[Stint]:
    labels = f.labels_at(f.created_at + timedelta(microseconds=1))
    current = status_of(labels, ALIASES)
    stints: list[Stint] = []
    since = f.created_at
    for ev in f.label_events:
        if ev.at <= f.created_at:
            continue
        if f.closed_at is not None and ev.at >= f.closed_at:
            break
        if ev.added:
            labels.add(ev.label)
        else:
            labels.discard(ev.label)
        new = status_of(labels, ALIASES)
        if new != current:
            stints.append(Stint(current, since, ev.at))
            current, since = new, ev.at
    stints.append(Stint(current, since, f.closed_at))
    return stints


events_st = st.lists(
    st.tuples(st.integers(-3, 60), st.booleans(), st.sampled_from(POOL)), max_size=12
)


@settings(max_examples=300, deadline=None)
@given(
    current=st.sets(st.sampled_from(POOL), max_size=4),
    raw=events_st,
    closed=st.one_of(st.none(), st.integers(0, 70)),
)
def test_timeline_equals_the_definition(
    current: set[str], raw: list[tuple[int, bool, str]], closed: int | None
) -> None:
    events = tuple(
        LabelChange(T0 + timedelta(minutes=m), added, label)
        for m, added, label in sorted(raw, key=lambda e: e[0])
    )
    f = IssueFacts(
        repo="docker/for-mac",
        number=1,
        created_at=T0,
        closed_at=None if closed is None else T0 + timedelta(minutes=closed),
        labels=tuple(sorted(current)),
        label_events=events,
    )
    expected = reference(f)
    assert status_timeline(f, ALIASES) == expected
    cache: dict[str, list[Stint]] = {}
    assert status_timeline(f, ALIASES, StatusResolver(ALIASES), cache) == expected
    assert cache[f.key] == expected
    fixed = next(
        (
            max(e.at, T0)
            for e in events
            if e.added and status_of([e.label], ALIASES) is Status.FIXED
        ),
        None,
    )
    assert first_status_at(f, Status.FIXED, ALIASES) == fixed
