"""Issue factories and a hypothesis strategy for whole Issue aggregates (shared test code)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from triagedesk.domain.model import (
    REACTIONS,
    Association,
    CloseReason,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    IssueState,
    Reactions,
    RepoRef,
)

T0 = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
MAC = RepoRef("docker", "for-mac")
WIN = RepoRef("docker", "for-win")


def make_issue(
    number: int = 1,
    repo: RepoRef = MAC,
    *,
    title: str | None = None,
    labels: tuple[str, ...] = ("kind/bug", "area/network"),
    comments: int = 2,
    events: int = 1,
    body: str | None = None,
) -> Issue:
    created = T0 + timedelta(hours=number)
    return Issue(
        ref=IssueRef(repo, number),
        title=title or f"Containers lose DNS after sleep ({number})",
        body=body if body is not None else f"### Description\nIt breaks. Run {number}.\n",
        author=f"reporter{number % 7}",
        created_at=created,
        updated_at=created + timedelta(days=1),
        labels=labels,
        assignees=("maintainer-a",),
        milestone="4.12.0" if number % 2 else None,
        reactions=Reactions.of({"+1": number % 5, "eyes": 1}),
        comments=tuple(
            Comment(
                id=1000 * number + i,
                author="maintainer-a" if i % 2 else f"reporter{number % 7}",
                body=f"comment {i} on {number}",
                created_at=created + timedelta(minutes=10 * (i + 1)),
                updated_at=created + timedelta(minutes=10 * (i + 1), seconds=5),
                author_association=Association.MEMBER if i % 2 else Association.NONE,
                reactions=Reactions.of({"heart": i}),
                url=f"https://github.com/{repo}/issues/{number}#issuecomment-{1000 * number + i}",
            )
            for i in range(comments)
        ),
        events=tuple(
            IssueEvent(EventKind.LABELED, "maintainer-a", created + timedelta(seconds=i + 1), lab)
            for i, lab in zip(range(events), labels, strict=False)
        ),
        url=f"https://github.com/{repo}/issues/{number}",
    )


# text the databases and JSON can carry: no NUL, no lone surrogates
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
_name = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,15}", fullmatch=True)
_times = st.datetimes(
    min_value=datetime(2015, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)
_reactions = st.dictionaries(st.sampled_from(REACTIONS), st.integers(0, 50)).map(Reactions.of)
_repo = st.builds(
    RepoRef,
    owner=_name,
    name=st.from_regex(r"[A-Za-z0-9._-]{1,20}", fullmatch=True),
)


@st.composite
def issues(draw: st.DrawFn, repo: RepoRef | None = None, number: int | None = None) -> Issue:
    state = draw(st.sampled_from(IssueState))
    created = draw(_times)
    comments = draw(
        st.lists(
            st.builds(
                Comment,
                id=st.integers(0, 2**40),
                author=_name,
                body=_text,
                created_at=_times,
                updated_at=st.none() | _times,
                author_association=st.sampled_from(Association),
                reactions=_reactions,
                url=st.just("") | _text,
            ),
            max_size=4,
        )
    )
    events = draw(
        st.lists(
            st.builds(
                IssueEvent,
                kind=st.sampled_from(EventKind),
                actor=_name,
                at=_times,
                subject=_text,
            ),
            max_size=4,
        )
    )
    return Issue(
        ref=IssueRef(repo or draw(_repo), number or draw(st.integers(1, 10**6))),
        title=draw(_text),
        body=draw(_text),
        author=draw(_name),
        created_at=created,
        updated_at=draw(_times),
        state=state,
        state_reason=draw(st.none() | st.sampled_from(CloseReason)),
        closed_at=draw(st.none() | _times),
        author_association=draw(st.sampled_from(Association)),
        labels=tuple(draw(st.lists(_text.filter(bool), max_size=4))),
        assignees=tuple(draw(st.lists(_name, max_size=3))),
        milestone=draw(st.none() | _text),
        reactions=draw(_reactions),
        comments=tuple(comments),
        events=tuple(events),
        url=draw(st.just("") | _text),
        locked=draw(st.booleans()),
    )
