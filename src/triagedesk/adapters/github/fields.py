"""Field readers for GitHub JSON: each checks one value and names the record and field on error.

Shared by :mod:`.records` (and anything else reading GitHub shapes). The bounds
match the database columns, so a hostile value fails its own record at parse
time instead of failing a whole batch in the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from triagedesk.domain.errors import InputError
from triagedesk.domain.model import Association, CloseReason, IssueRef, IssueState, RepoRef

#: who a deleted account's content is attributed to (GitHub shows "ghost")
GHOST = "ghost"
#: bounds of the database columns (hostile input must fail its record, not the batch)
MAX_NUMBER = 2**31 - 1
MAX_ID = 2**63 - 1
MAX_COUNT = 10**8
MAX_NAME = 255

_REPO_IN_URL = re.compile(
    r"^https?://(?:api\.)?[^/]+/(?:repos/)?([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+)(?:/|$)"
)
_COMMENT_ID_IN_URL = re.compile(r"(?:#issuecomment-|/comments/)(\d+)$")
_ISSUE_IN_URL = re.compile(
    r"/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+)/(?:issues|pull)/(\d+)(?:[#?].*)?$"
)


# ------------------------------------------------------------------ primitives


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if type(value) is dict:  # the common case, without the ABC check
        return value
    if not isinstance(value, Mapping):
        raise InputError(f"{what}: expected a JSON object, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _need(obj: Mapping[str, Any], key: str, what: str) -> Any:
    if key not in obj:
        raise InputError(f"{what}: field {key!r} is missing")
    return obj[key]


def check_text(value: str, what: str) -> str:
    """Text the databases can keep: no NUL characters, no lone surrogates."""
    if value.isascii() and "\x00" not in value:  # fast path: plain ASCII text
        return value
    if "\x00" in value:
        raise InputError(f"{what}: contains a NUL character (U+0000), which cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{what}: contains an unpaired surrogate (bad \\u escape)") from None
    return value


def _text(obj: Mapping[str, Any], key: str, what: str, *, required: bool = True) -> str:
    value = _need(obj, key, what) if required else obj.get(key)
    if value is None:
        if required:
            raise InputError(f"{what}: field {key!r} is null")
        return ""
    if type(value) is not str:
        raise InputError(f"{what}: field {key!r} must be a string, got {_kind(value)}")
    if value.isascii() and "\x00" not in value:
        return value
    return check_text(value, f"{what}: field {key!r}")


def _number(obj: Mapping[str, Any], key: str, what: str) -> int:
    value = _need(obj, key, what)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_NUMBER:
        raise InputError(f"{what}: field {key!r} must be an issue number, got {value!r:.40}")
    return value


def _name(value: str, what: str) -> str:
    """A login or label name: short text (GitHub allows 39 and 50 characters)."""
    if len(value) > MAX_NAME:
        raise InputError(f"{what}: longer than {MAX_NAME} characters ({len(value)})")
    return value


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise InputError(f"{what}: must be a count, got {value!r:.20}")
    return value


def parse_time(value: Any, what: str) -> datetime:
    """An ISO 8601 timestamp with a zone (GitHub writes ``2021-03-04T05:06:07Z``), as UTC."""
    if not isinstance(value, str):
        raise InputError(f"{what}: expected an ISO 8601 timestamp, got {_kind(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what}: not an ISO 8601 timestamp: {value!r:.60}") from None
    if parsed.tzinfo is None:
        raise InputError(f"{what}: timestamp {value!r} has no time zone (want ...Z)")
    return parsed


def _time(obj: Mapping[str, Any], key: str, what: str) -> datetime:
    return parse_time(_need(obj, key, what), f"{what}: field {key!r}")


def _opt_time(obj: Mapping[str, Any], key: str, what: str) -> datetime | None:
    value = obj.get(key)
    # gh prints the zero time for "never" in some versions
    if value in (None, "") or (isinstance(value, str) and value.startswith("0001-01-01")):
        return None
    return parse_time(value, f"{what}: field {key!r}")


def _login(obj: Mapping[str, Any], key: str, what: str) -> str:
    """``obj[key]`` is a user object (or null for a deleted account)."""
    user = obj.get(key)
    if (
        type(user) is dict
        and type(login := user.get("login")) is str
        and login.isascii()
        and len(login) <= MAX_NAME
    ):
        return login
    if user is None:
        return GHOST
    if isinstance(user, str):  # some exports flatten users to their login
        return _name(check_text(user, f"{what}: field {key!r}"), f"{what}: field {key!r}")
    user = _obj(user, f"{what}: field {key!r}")
    return _name(_text(user, "login", f"{what}: field {key!r}"), f"{what}: field {key!r}")


def _logins(obj: Mapping[str, Any], key: str, what: str) -> tuple[str, ...]:
    value = obj.get(key) or []
    if not isinstance(value, list):
        raise InputError(f"{what}: field {key!r} must be an array, got {_kind(value)}")
    return tuple(_login({key: u}, key, what) for u in value)


def _labels(obj: Mapping[str, Any], what: str) -> tuple[str, ...]:
    value = obj.get("labels") or []
    if not isinstance(value, list):
        raise InputError(f"{what}: field 'labels' must be an array, got {_kind(value)}")
    out: list[str] = []
    for i, label in enumerate(value):
        where = f"{what}: labels[{i}]"
        if isinstance(label, str):
            out.append(_name(check_text(label, where), where))
        else:
            out.append(_name(_text(_obj(label, where), "name", where), where))
    return tuple(out)


def _milestone(obj: Mapping[str, Any], what: str) -> str | None:
    value = obj.get("milestone")
    if value is None:
        return None
    if isinstance(value, str):
        return check_text(value, f"{what}: field 'milestone'")
    return _text(_obj(value, f"{what}: field 'milestone'"), "title", f"{what}: field 'milestone'")


_ASSOCIATIONS = {a.value: a for a in Association}


def _association(value: Any, what: str) -> Association:
    if value in (None, ""):
        return Association.NONE
    if (found := _ASSOCIATIONS.get(value)) is not None:
        return found
    try:
        return Association(str(value).upper())
    except ValueError:
        raise InputError(f"{what}: unknown author association {value!r:.40}") from None


def _close_reason(value: Any, what: str) -> CloseReason | None:
    if value in (None, ""):
        return None
    try:
        return CloseReason(str(value).lower())
    except ValueError:
        raise InputError(f"{what}: unknown state reason {value!r:.40}") from None


def _state(value: Any, what: str) -> IssueState:
    try:
        return IssueState(str(value).lower())
    except ValueError:
        raise InputError(
            f"{what}: field 'state' must be open or closed, got {value!r:.40}"
        ) from None


def repo_from_url(url: str) -> RepoRef | None:
    """``owner/name`` from an html, API or repository URL, or None."""
    m = _REPO_IN_URL.match(url or "")
    if not m:
        return None
    try:
        return RepoRef.parse(f"{m.group(1)}/{m.group(2)}")
    except InputError:
        return None


def issue_ref_from_url(url: str) -> IssueRef | None:
    m = _ISSUE_IN_URL.search(url or "")
    if not m:
        return None
    try:
        return IssueRef(RepoRef.parse(f"{m.group(1)}/{m.group(2)}"), int(m.group(3)))
    except InputError:
        return None


def _pick_repo(repo: RepoRef | None, what: str, *urls: Any) -> RepoRef:
    if repo is not None:
        return repo
    for url in urls:
        if isinstance(url, str) and (found := repo_from_url(url)) is not None:
            return found
    raise InputError(f"{what}: no repository in its URLs; pass --repo OWNER/NAME")
