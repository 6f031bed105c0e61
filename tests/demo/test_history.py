"""The team's behaviour, read back from comments, labels and closes only (no generator metadata)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta

DUP_WORDING = re.compile(
    r"(?:dupe of|duplicate of|closing in favou?r of|we track this in|same problem as)\s+"
    r"(#\d+|docker/for-(?:mac|win)#\d+|https://github\.com/docker/[\w-]+/issues/\d+)",
    re.I,
)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def repo_of(url: str) -> str:
    return url.split("github.com/")[1].rsplit("/issues/", 1)[0]


def resolve(ref: str, repo: str) -> tuple[str, int]:
    if ref.startswith("#"):
        return repo, int(ref[1:])
    if ref.startswith("docker/"):
        r, n = ref.split("#")
        return r, int(n)
    r, n = ref.split("github.com/")[1].split("/issues/")
    return r, int(n)


def dup_closes(corpus):
    """(issue, target ref) for issues a team member closed with duplicate wording."""
    out = []
    for r in corpus.records:
        if r["state"] != "CLOSED":
            continue
        team = [c for c in r["comments"] if c["authorAssociation"] == "MEMBER"]
        refs = [m.group(1) for c in team for m in DUP_WORDING.finditer(c["body"])]
        if refs:
            fix = [c for c in team if re.search(r"wrong number|Correction|Oops", c["body"])]
            target = (
                re.findall(
                    r"docker/for-(?:mac|win)#\d+|https://\S+/issues/\d+|#\d+", fix[-1]["body"]
                )[0]
                if fix
                else refs[-1]
            )
            out.append((r, target))
    return out


def test_about_one_in_fifteen_is_closed_as_a_duplicate(corpus):
    share = len(dup_closes(corpus)) / len(corpus.records)
    assert 0.045 <= share <= 0.095


def test_duplicates_point_to_earlier_issues_in_the_corpus(corpus):
    by_ref = corpus.by_ref()
    inside, cross, chains = 0, 0, 0
    dup_set = {(repo_of(r["url"]), r["number"]) for r, _ in dup_closes(corpus)}
    for r, ref in dup_closes(corpus):
        repo = repo_of(r["url"])
        target = resolve(ref, repo)
        if not target[0].startswith("docker/for-"):
            continue  # the public roadmap
        assert target in by_ref, (r["url"], ref)
        assert ts(by_ref[target]["createdAt"]) < ts(r["createdAt"])
        inside += 1
        cross += target[0] != repo
        chains += target in dup_set
    assert inside >= 120 and cross >= 3 and chains >= 2


def test_close_reasons_and_labels_of_duplicates_vary(corpus):
    closes = dup_closes(corpus)
    reasons = {r["stateReason"] for r, _ in closes}
    assert {"DUPLICATE", "COMPLETED", "NOT_PLANNED"} <= reasons
    labelled = sum(
        any(label["name"] in ("status/duplicate", "duplicate") for label in r["labels"])
        for r, _ in closes
    )
    assert 0.1 <= labelled / len(closes) <= 0.6
    wordings = {
        m.group(0).split()[0].lower()
        for r, _ in closes
        for c in r["comments"]
        for m in DUP_WORDING.finditer(c["body"])
    }
    assert len(wordings) >= 4


def test_wrong_numbers_get_corrected_and_related_mentions_are_not_duplicates(corpus):
    corrected = [
        r
        for r in corpus.records
        if any(
            re.search(r"wrong number|Correction:|Oops, that should be", c["body"])
            for c in r["comments"]
        )
    ]
    assert len(corrected) >= 2
    related = [
        r
        for r in corpus.records
        if re.search(r"(?:Same as|Similar to|Maybe related to|similar to) #\d+", r["body"])
    ]
    assert len(related) >= 30
    in_comments = [
        r
        for r in corpus.records
        if any(
            c["authorAssociation"] != "MEMBER"
            and re.search(r"(?:Same as|Similar to|related to) #\d+", c["body"])
            for c in r["comments"]
        )
    ]
    assert len(in_comments) >= 15
    closed_as_dup = {x["url"] for x, _ in dup_closes(corpus)}
    not_closed_as_dup = [r for r in related if r["url"] not in closed_as_dup]
    assert len(not_closed_as_dup) >= 0.5 * len(related)


def label_events(corpus):
    per = defaultdict(list)
    for e in corpus.events:
        per[e["issue"]["html_url"]].append(e)
    return per


def test_more_info_requests_follow_the_process(corpus):
    events = label_events(corpus)
    asked = closed_silent = answered = 0
    for r in corpus.records:
        evs = events.get(r["url"], [])
        more = [
            e
            for e in evs
            if e["event"] == "labeled"
            and e["label"]["name"] in ("status/0-more-info-needed", "status/needs-information")
        ]
        if not more:
            continue
        asked += 1
        at = ts(more[0]["created_at"])
        assert more[0]["actor"]["login"] in {
            c["author"]["login"] for c in r["comments"] if c["authorAssociation"] == "MEMBER"
        }
        reporter_after = [
            c
            for c in r["comments"]
            if c["author"]["login"] == r["author"]["login"] and ts(c["createdAt"]) > at
        ]
        if reporter_after:
            answered += 1
        elif (
            r["closedAt"]
            and "information" in " ".join(c["body"] for c in r["comments"][-2:]) + "heard back"
        ):
            closed_silent += 1
            assert ts(r["closedAt"]) - at >= timedelta(days=14)
    assert asked >= 0.15 * len(corpus.records)
    assert answered >= 0.25 * asked and closed_silent >= 0.2 * asked


def test_labels_are_sparse_and_inconsistent_like_the_real_ones(corpus):
    unlabelled = sum(not r["labels"] for r in corpus.records) / len(corpus.records)
    assert 0.28 <= unlabelled <= 0.5
    names = [label["name"] for r in corpus.records for label in r["labels"]]
    area = [
        r
        for r in corpus.records
        if any(
            label["name"].startswith("area/")
            or label["name"] in ("network", "mounts", "WSL2", "kube")
            for label in r["labels"]
        )
    ]
    assert 0.05 <= len(area) / len(corpus.records) <= 0.2  # about 1 in 9
    for name in (
        "status/1-acknowledged",
        "status/0-more-info-needed",
        "status/triage",
        "needs-triage",
        "lifecycle/stale",
        "status/4-fix-released-stable",
    ):
        assert name in names, name
    assert any(n.startswith("version/4.") for n in names)


def test_fixes_stale_and_reopens_appear(corpus):
    bodies = " ".join(c["body"] for r in corpus.records for c in r["comments"])
    assert re.search(r"[Ff]ixed in (?:Docker Desktop )?4\.\d+\.0", bodies)
    events = corpus.events
    assert any(e["event"] == "reopened" for e in events)
    stale = [
        e for e in events if e["event"] == "labeled" and e["label"]["name"] == "lifecycle/stale"
    ]
    assert stale and all(e["actor"]["login"] == "docker-robot" for e in stale)
    revived = [
        r
        for r in corpus.records
        if any(c["body"] == "/remove-lifecycle stale" for c in r["comments"])
    ]
    assert len(revived) >= 10
    unstale = [
        e for e in events if e["event"] == "unlabeled" and e["label"]["name"] == "lifecycle/stale"
    ]
    assert len(unstale) >= len(revived)
    locked = [
        r
        for r in corpus.records
        if any(label["name"] == "lifecycle/locked" for label in r["labels"])
    ]
    assert len(locked) >= 50 and all(r["state"] == "CLOSED" for r in locked)
    assert any(e["event"] == "assigned" for e in events)
    assert any(e["event"] == "marked_as_duplicate" for e in events)
    popular = max(
        corpus.records, key=lambda r: sum(g["users"]["totalCount"] for g in r["reactionGroups"])
    )
    assert sum(g["users"]["totalCount"] for g in popular["reactionGroups"]) >= 20
    assert sum(c["authorAssociation"] == "NONE" for c in popular["comments"]) >= 5


def test_the_team_is_members_and_mostly_right_but_not_always(corpus):
    # complete-looking bug reports that were still asked for information: a few, not none
    guid = re.compile(
        r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
    )
    events = label_events(corpus)
    complete = asked_anyway = 0
    for r in corpus.records:
        if not guid.search(r["body"]) or "1. ...\n2. ..." in r["body"]:
            continue
        if "```" not in r["body"] and not re.search(r"^1\. \w", r["body"], re.M):
            continue
        complete += 1
        asked_anyway += any(
            e["event"] == "labeled" and e["label"]["name"] == "status/0-more-info-needed"
            for e in events.get(r["url"], [])
        )
    assert complete > 300
    assert 0.01 <= asked_anyway / complete <= 0.2


def test_team_decisions_follow_what_is_missing(corpus):
    """Among bug reports the team answered, a missing ID mostly draws a request, a full one mostly not."""
    guid = re.compile(
        r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
    )
    check = re.compile(r"^\[(?:OK|ERROR|PASS|FAIL)\]", re.M)
    events = label_events(corpus)
    asked = {True: 0, False: 0}
    decided = {True: 0, False: 0}
    for r in corpus.records:
        body = r["body"]
        if not ("Diagnostics ID" in body or "**Error:**" in body or "### Description:" in body):
            continue  # not a bug report in a shape we can judge here
        if DUP_WORDING.search(" ".join(c["body"] for c in r["comments"])):
            continue
        names = [e["label"]["name"] for e in events.get(r["url"], []) if e["event"] == "labeled"]
        was_asked = any(
            n in ("status/0-more-info-needed", "status/needs-information") for n in names
        )
        was_acked = any(n in ("status/1-acknowledged", "status/acknowledged") for n in names)
        if not (was_asked or was_acked):
            continue
        missing_diag = not guid.search(body) and not check.search(body)
        decided[missing_diag] += 1
        asked[missing_diag] += was_asked
    assert decided[True] > 150 and decided[False] > 150
    assert asked[True] / decided[True] >= 0.75
    assert (
        asked[False] / decided[False] <= 0.55
    )  # steps or a valid reproduction may still be missing


def test_empty_reports_misfiled_reports_and_reopens(corpus):
    empty = [r for r in corpus.records if not r["body"].strip()]
    assert empty and any(
        "No content" in c["body"] or "empty" in c["body"] for r in empty for c in r["comments"]
    )
    misfiled = [
        r for r in corpus.records if any("other platform" in c["body"] for c in r["comments"])
    ]
    assert len(misfiled) >= 10 and all(
        r["state"] == "CLOSED"
        for r in misfiled
        if r["comments"][-1]["authorAssociation"] == "MEMBER"
    )
    reopened = [r for r in corpus.records if r["stateReason"] == "REOPENED"]
    assert len(reopened) >= 5
    quoted = [
        r
        for r in corpus.records
        if any(
            c["authorAssociation"] == "MEMBER"
            and (
                "In the logs I can see" in c["body"]
                or "bundle shows" in c["body"]
                or "diagnostics, this line" in c["body"]
            )
            for c in r["comments"]
        )
    ]
    assert len(quoted) >= 50
