"""GitHub's JSON shapes → domain objects: the one place this conversion lives.

Two families of input:

* ``gh issue list --json number,title,body,author,labels,state,stateReason,createdAt,
  closedAt,updatedAt,comments,reactionGroups,url,assignees,milestone``: camelCase,
  ``state`` OPEN/CLOSED, ``stateReason`` COMPLETED/NOT_PLANNED/…/"", comments embedded,
  reactions as ``reactionGroups``.
* GitHub REST objects (also the ``issue``/``comment`` inside webhook payloads):
  issues (``pull_request`` ⇒ a pull request, skipped), comments (``issue_url`` names
  the issue) and issue events (``event``; from the repository events endpoint they
  carry ``issue``).

Every problem raises :class:`InputError` naming the record and the field. The
reverse direction (domain → JSON, for export) is in :mod:`.records_out`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triagedesk.adapters.github.fields import (  # noqa: F401 (re-exported)
    _COMMENT_ID_IN_URL,
    GHOST,
    MAX_COUNT,
    MAX_ID,
    MAX_NAME,
    MAX_NUMBER,
    _association,
    _close_reason,
    _count,
    _kind,
    _labels,
    _login,
    _logins,
    _milestone,
    _name,
    _need,
    _number,
    _obj,
    _opt_time,
    _pick_repo,
    _state,
    _text,
    _time,
    check_text,
    issue_ref_from_url,
    parse_time,
    repo_from_url,
)
from triagedesk.domain.errors import InputError
from triagedesk.domain.model import (
    REACTIONS,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    Reactions,
    RepoRef,
)

#: GraphQL reaction names (gh) → REST names
GH_REACTIONS = {
    "THUMBS_UP": "+1",
    "THUMBS_DOWN": "-1",
    "LAUGH": "laugh",
    "HOORAY": "hooray",
    "CONFUSED": "confused",
    "HEART": "heart",
    "ROCKET": "rocket",
    "EYES": "eyes",
}


# ------------------------------------------------------------------- gh JSON


def _gh_reactions(groups: Any, what: str) -> Reactions:
    if not groups:
        return Reactions()
    if not isinstance(groups, list):
        raise InputError(f"{what}: field 'reactionGroups' must be an array, got {_kind(groups)}")
    counts: dict[str, int] = {}
    for i, g in enumerate(groups):
        if type(g) is not dict:
            g = _obj(g, f"{what}: reactionGroups[{i}]")
        name = GH_REACTIONS.get(g.get("content")) or GH_REACTIONS.get(str(g.get("content")).upper())
        if name is None:
            raise InputError(f"{what}: reactionGroups[{i}]: unknown reaction {g.get('content')!r}")
        users = g.get("users") or {}
        total = users.get("totalCount", 0) if isinstance(users, Mapping) else 0
        if type(total) is not int or not 0 <= total <= MAX_COUNT:
            total = _count(total, f"{what}: reactionGroups[{i}].users.totalCount")
        counts[name] = counts.get(name, 0) + total
    return Reactions.of(counts)


def _comment_id(obj: Mapping[str, Any], url: str) -> int:
    for key in ("databaseId", "id"):
        value = obj.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
            return value
    m = _COMMENT_ID_IN_URL.search(url)
    found = int(m.group(1)) if m and len(m.group(1)) < 19 else 0
    return found if found <= MAX_ID else 0


def comment_from_gh(obj: Any, what: str = "comment") -> Comment:
    obj = _obj(obj, what)
    url = _text(obj, "url", what, required=False)
    updated = _opt_time(obj, "updatedAt", what)
    return Comment(
        id=_comment_id(obj, url),
        author=_login(obj, "author", what),
        body=_text(obj, "body", what, required=False),
        created_at=_time(obj, "createdAt", what),
        updated_at=updated,
        author_association=_association(obj.get("authorAssociation"), what),
        reactions=_gh_reactions(obj.get("reactionGroups"), what),
        url=url,
    )


def issue_from_gh(obj: Any, repo: RepoRef | None = None) -> Issue:
    """One record of ``gh issue list --json …``; ``repo`` overrides the one in ``url``."""
    obj = _obj(obj, "issue")
    number = _number(obj, "number", "issue")
    what = f"issue #{number}"
    url = _text(obj, "url", what, required=False)
    comments = obj.get("comments") or []
    if not isinstance(comments, list):
        raise InputError(f"{what}: field 'comments' must be an array, got {_kind(comments)}")
    return Issue(
        ref=IssueRef(_pick_repo(repo, what, url), number),
        title=_text(obj, "title", what),
        body=_text(obj, "body", what, required=False),
        author=_login(obj, "author", what),
        created_at=_time(obj, "createdAt", what),
        updated_at=_time(obj, "updatedAt", what),
        state=_state(_need(obj, "state", what), what),
        state_reason=_close_reason(obj.get("stateReason"), what),
        closed_at=_opt_time(obj, "closedAt", what),
        author_association=_association(obj.get("authorAssociation"), what),
        labels=_labels(obj, what),
        assignees=_logins(obj, "assignees", what),
        milestone=_milestone(obj, what),
        reactions=_gh_reactions(obj.get("reactionGroups"), what),
        comments=tuple(
            comment_from_gh(c, f"{what}: comments[{i}]") for i, c in enumerate(comments)
        ),
        url=url,
        locked=bool(obj.get("locked", False)),
    )


# ---------------------------------------------------------------------- REST


def _rest_reactions(value: Any, what: str) -> Reactions:
    if value is None:
        return Reactions()
    value = _obj(value, f"{what}: field 'reactions'")
    counts: dict[str, int] = {}
    for name in REACTIONS:
        counts[name] = _count(value.get(name, 0), f"{what}: reactions[{name!r}]")
    return Reactions.of(counts)


def is_pull_request(obj: Mapping[str, Any]) -> bool:
    return obj.get("pull_request") is not None


def comment_from_rest(obj: Any, what: str = "comment") -> tuple[IssueRef | None, Comment]:
    """A REST comment and the issue it belongs to (from ``issue_url``, when present)."""
    obj = _obj(obj, what)
    cid = obj.get("id", 0)
    if isinstance(cid, bool) or not isinstance(cid, int) or not 0 <= cid <= MAX_ID:
        raise InputError(f"{what}: field 'id' must be a comment id, got {cid!r:.30}")
    what = f"{what} {cid}" if cid else what
    html = _text(obj, "html_url", what, required=False)
    ref = issue_ref_from_url(_text(obj, "issue_url", what, required=False)) or issue_ref_from_url(
        html.split("#", 1)[0]
    )
    return ref, Comment(
        id=cid,
        author=_login(obj, "user", what),
        body=_text(obj, "body", what, required=False),
        created_at=_time(obj, "created_at", what),
        updated_at=_opt_time(obj, "updated_at", what),
        author_association=_association(obj.get("author_association"), what),
        reactions=_rest_reactions(obj.get("reactions"), what),
        url=html,
    )


#: where each event kind keeps its subject in REST (closed: state_reason)
_SUBJECT: dict[EventKind, tuple[str, str]] = {
    EventKind.LABELED: ("label", "name"),
    EventKind.UNLABELED: ("label", "name"),
    EventKind.ASSIGNED: ("assignee", "login"),
    EventKind.UNASSIGNED: ("assignee", "login"),
    EventKind.MILESTONED: ("milestone", "title"),
    EventKind.DEMILESTONED: ("milestone", "title"),
    EventKind.RENAMED: ("rename", "to"),
}


def event_subject_field(kind: EventKind) -> tuple[str, str] | None:
    return _SUBJECT.get(kind)


def event_from_rest(
    obj: Any, repo: RepoRef | None = None, what: str = "event"
) -> tuple[IssueRef | None, IssueEvent | None]:
    """A REST issue event; the event is None for kinds triagedesk does not keep.

    The issue comes from ``issue.number`` (repository events endpoint), with the
    repository from ``repo``, ``issue.repository_url``, ``url`` or ``issue.html_url``.
    """
    obj = _obj(obj, what)
    name = _text(obj, "event", what)
    try:
        kind = EventKind(name)
    except ValueError:
        return None, None
    what = f"{what} {name}"
    subject = ""
    where = _SUBJECT.get(kind)
    if where is not None and obj.get(where[0]) is not None:
        holder = _obj(obj[where[0]], f"{what}: field {where[0]!r}")
        subject = _text(holder, where[1], f"{what}: field {where[0]!r}", required=False)
    elif kind is EventKind.CLOSED:
        subject = _text(obj, "state_reason", what, required=False)
    if not subject:
        subject = _text(obj, "subject", what, required=False)  # our export's extension
    ref: IssueRef | None = None
    issue = obj.get("issue")
    if issue is not None:
        issue = _obj(issue, f"{what}: field 'issue'")
        number = _number(issue, "number", f"{what}: field 'issue'")
        ref = IssueRef(
            _pick_repo(
                repo,
                what,
                issue.get("repository_url"),
                obj.get("url"),
                issue.get("html_url"),
                issue.get("url"),
            ),
            number,
        )
    return ref, IssueEvent(
        kind=kind,
        actor=_login(obj, "actor", what),
        at=_time(obj, "created_at", what),
        subject=subject,
    )


def issue_from_rest(obj: Any, repo: RepoRef | None = None) -> Issue | None:
    """A REST issue object; None for a pull request. ``repo`` overrides the URLs.

    ``comments`` and ``events`` may be embedded arrays (triagedesk's own export);
    GitHub's plain count in ``comments`` means "not included".
    """
    obj = _obj(obj, "issue")
    if is_pull_request(obj):
        return None
    number = _number(obj, "number", "issue")
    what = f"issue #{number}"
    html = _text(obj, "html_url", what, required=False)
    ref = IssueRef(_pick_repo(repo, what, obj.get("repository_url"), html, obj.get("url")), number)
    comments: tuple[Comment, ...] = ()
    if isinstance(obj.get("comments"), list):
        comments = tuple(
            comment_from_rest(c, f"{what}: comments[{i}]")[1] for i, c in enumerate(obj["comments"])
        )
    events: list[IssueEvent] = []
    if obj.get("events") is not None:
        if not isinstance(obj["events"], list):
            raise InputError(f"{what}: field 'events' must be an array")
        for i, e in enumerate(obj["events"]):
            _, event = event_from_rest(e, ref.repo, f"{what}: events[{i}]")
            if event is not None:
                events.append(event)
    assignees = _logins(obj, "assignees", what)
    if not assignees and obj.get("assignee") is not None:
        assignees = (_login(obj, "assignee", what),)
    return Issue(
        ref=ref,
        title=_text(obj, "title", what),
        body=_text(obj, "body", what, required=False),
        author=_login(obj, "user", what),
        created_at=_time(obj, "created_at", what),
        updated_at=_time(obj, "updated_at", what),
        state=_state(_need(obj, "state", what), what),
        state_reason=_close_reason(obj.get("state_reason"), what),
        closed_at=_opt_time(obj, "closed_at", what),
        author_association=_association(obj.get("author_association"), what),
        labels=_labels(obj, what),
        assignees=assignees,
        milestone=_milestone(obj, what),
        reactions=_rest_reactions(obj.get("reactions"), what),
        comments=comments,
        events=tuple(events),
        url=html,
        locked=bool(obj.get("locked", False)),
    )


# ------------------------------------------------------------------ detection


def shape_of(obj: Any) -> str | None:
    """Which shape a record has: ``gh``, ``rest``, ``rest-comment``, ``rest-event`` or None."""
    if not isinstance(obj, Mapping):
        return None
    if "event" in obj and "created_at" in obj:
        return "rest-event"
    if "issue_url" in obj and "number" not in obj:
        return "rest-comment"
    if "number" in obj and ("createdAt" in obj or "reactionGroups" in obj or "author" in obj):
        return "gh"
    if "number" in obj and ("created_at" in obj or "user" in obj or "html_url" in obj):
        return "rest"
    return None


class GithubRecords:
    """The converters as one object, for the use cases that receive them as a port."""

    shape_of = staticmethod(shape_of)
    issue_from_gh = staticmethod(issue_from_gh)
    issue_from_rest = staticmethod(issue_from_rest)
    comment_from_rest = staticmethod(comment_from_rest)
    event_from_rest = staticmethod(event_from_rest)
