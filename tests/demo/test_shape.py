"""Every record looks like `gh issue list --json …` output; the events sidecar agrees with it."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from triagedesk.demo.clock import DEFAULT_END

ISSUE_FIELDS = {
    "assignees": list,
    "author": dict,
    "body": str,
    "closedAt": (str, type(None)),
    "comments": list,
    "createdAt": str,
    "labels": list,
    "milestone": (dict, type(None)),
    "number": int,
    "reactionGroups": list,
    "state": str,
    "stateReason": str,
    "title": str,
    "updatedAt": str,
    "url": str,
}
COMMENT_FIELDS = {
    "author": dict,
    "authorAssociation": str,
    "body": str,
    "createdAt": str,
    "id": str,
    "includesCreatedEdit": bool,
    "isMinimized": bool,
    "minimizedReason": str,
    "reactionGroups": list,
    "url": str,
    "viewerDidAuthor": bool,
}
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
URL = re.compile(r"^https://github\.com/docker/for-(mac|win)/issues/\d+$")


def ts(text: str) -> datetime:
    assert TS.match(text), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_issue_fields_and_types(corpus):
    for r in corpus.records:
        assert set(r) == set(ISSUE_FIELDS), r["url"]
        for key, typ in ISSUE_FIELDS.items():
            assert isinstance(r[key], typ), (r["url"], key)
        assert URL.match(r["url"]) and r["url"].endswith(f"/{r['number']}")
        assert set(r["author"]) == {"id", "is_bot", "login", "name"}
        assert r["state"] in ("OPEN", "CLOSED")
        assert r["stateReason"] in ("", "COMPLETED", "NOT_PLANNED", "DUPLICATE", "REOPENED")
        assert (r["closedAt"] is None) == (r["state"] == "OPEN")
        if r["state"] == "OPEN":
            assert r["stateReason"] in ("", "REOPENED")
        for label in r["labels"]:
            assert set(label) == {"id", "name", "description", "color"}
            assert re.fullmatch(r"[0-9a-f]{6}", label["color"])
        assert len({label["name"] for label in r["labels"]}) == len(r["labels"])
        for g in r["reactionGroups"]:
            assert g["users"]["totalCount"] > 0 and g["content"].isupper()
        for a in r["assignees"]:
            assert {"id", "login", "name"} <= set(a)
        for c in r["comments"]:
            assert set(c) == set(COMMENT_FIELDS)
            for key, typ in COMMENT_FIELDS.items():
                assert isinstance(c[key], typ), (r["url"], key)
            assert c["url"].startswith(r["url"] + "#issuecomment-")
            assert c["authorAssociation"] in ("NONE", "MEMBER", "CONTRIBUTOR")


def test_numbers_are_unique_per_repo(corpus):
    refs = [(r["url"].rsplit("/issues/", 1)[0], r["number"]) for r in corpus.records]
    assert len(refs) == len(set(refs)) == 3000


def test_times_are_in_order_and_inside_the_window(corpus):
    for r in corpus.records:
        created, updated = ts(r["createdAt"]), ts(r["updatedAt"])
        assert created <= updated <= DEFAULT_END
        times = [ts(c["createdAt"]) for c in r["comments"]]
        assert times == sorted(times)
        assert all(created <= t <= updated for t in times)
        if r["closedAt"]:
            assert created <= ts(r["closedAt"]) <= updated


def test_events_reference_existing_issues_and_replay_to_the_final_state(corpus):
    by_ref = corpus.by_ref()
    per_issue = defaultdict(list)
    ids = set()
    for e in corpus.events:
        assert e["id"] not in ids
        ids.add(e["id"])
        assert e["event"] in (
            "labeled",
            "unlabeled",
            "closed",
            "reopened",
            "assigned",
            "marked_as_duplicate",
        )
        assert TS.match(e["created_at"]) and e["actor"]["login"]
        m = re.fullmatch(
            r"https://api\.github\.com/repos/(docker/for-(?:mac|win))/issues/(\d+)",
            e["issue"]["url"],
        )
        assert m, e["issue"]["url"]
        key = (m.group(1), int(m.group(2)))
        assert key in by_ref and e["issue"]["number"] == key[1]
        assert e["issue"]["html_url"] == by_ref[key]["url"]
        per_issue[key].append(e)
    for key, r in by_ref.items():
        labels: list[str] = []
        state, reason = "OPEN", ""
        created = ts(r["createdAt"])
        for e in per_issue.get(key, []):
            assert created <= ts(e["created_at"]) <= ts(r["updatedAt"])
            if e["event"] == "labeled":
                assert e["label"]["name"] not in labels
                labels.append(e["label"]["name"])
            elif e["event"] == "unlabeled":
                labels.remove(e["label"]["name"])
            elif e["event"] == "closed":
                assert e["state_reason"] in ("completed", "not_planned", "duplicate")
                state, reason = "CLOSED", e["state_reason"].upper()
            elif e["event"] == "reopened":
                state, reason = "OPEN", "REOPENED"
        assert labels == [label["name"] for label in r["labels"]], key
        assert (state, reason) == (r["state"], r["stateReason"]), key


def test_repositories_split_about_sixty_forty(corpus):
    win = sum("/for-win/" in r["url"] for r in corpus.records)
    assert 0.55 <= win / 3000 <= 0.65
