"""Orchestration: plan → bodies → history → gh-JSON records and REST events, one issue at a time."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from triagedesk.demo import bodies, history
from triagedesk.demo.clock import DEFAULT_END, iso
from triagedesk.demo.environment import minor_at
from triagedesk.demo.labels import label_json
from triagedesk.demo.people import ROBOT, Person, node_id, numeric_id, regulars, reporter
from triagedesk.demo.plan import Plan, Planned, make_plan
from triagedesk.demo.timeline import Outcome

_REACTIONS = ("THUMBS_UP", "EYES", "HEART", "HOORAY", "THUMBS_DOWN", "CONFUSED", "ROCKET", "LAUGH")


@dataclass(slots=True)
class CorpusSummary:
    issues: int = 0
    per_repo: Counter[str] = field(default_factory=Counter)
    open: int = 0
    closed: int = 0
    bugs: int = 0
    bugs_with_diagnostics: int = 0
    diagnostics_later_in_comment: int = 0
    pasted_diagnose_output: int = 0
    empty_templates: int = 0
    duplicates_closed: int = 0
    more_info_requests: int = 0
    reporter_answers: int = 0
    closed_for_no_info: int = 0
    acknowledged: int = 0
    fixes_released: int = 0
    reopened: int = 0
    unlabelled: int = 0
    comments: int = 0
    events: int = 0
    id_shapes: Counter[str] = field(default_factory=Counter)
    repro_kinds: Counter[str] = field(default_factory=Counter)
    eras: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            out[name] = dict(sorted(value.items())) if isinstance(value, Counter) else value
        return out


def _author_json(p: Person) -> dict[str, Any]:
    return {"id": p.node_id, "is_bot": p.is_bot, "login": p.login, "name": p.name}


def _reactions(rng: random.Random, role: str, size: int) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    if role == "root":
        counts["THUMBS_UP"] = int(size * rng.uniform(1.0, 6.0)) + rng.randint(1, 5)
        if rng.random() < 0.5:
            counts["EYES"] = rng.randint(1, 8)
        if rng.random() < 0.2:
            counts["HEART"] = rng.randint(1, 4)
    elif rng.random() < 0.22:
        counts["THUMBS_UP"] = rng.randint(1, 4)
        if rng.random() < 0.1:
            counts[rng.choice(_REACTIONS[1:])] = 1
    return [{"content": k, "users": {"totalCount": counts[k]}} for k in _REACTIONS if counts[k] > 0]


class _Renderer:
    def __init__(self, plan: Plan, seed: int) -> None:
        self.plan = plan
        self.seed = seed
        self.regulars = regulars(seed, max(20, len(plan.issues) // 25))

    def issue(
        self, p: Planned, summary: CorpusSummary
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = random.Random(f"{self.seed}:{p.repo}:{p.number}")
        author = rng.choice(self.regulars) if rng.random() < 0.12 else reporter(rng)
        facts = (
            bodies.bug(self.plan, p, self.seed, author, rng)
            if p.kind == "bug"
            else bodies.request(self.plan, p, rng)
        )
        role, size, outbreak_end = "background" if p.kind == "bug" else "request", 0, None
        if p.outbreak >= 0:
            o = self.plan.outbreaks[p.outbreak]
            role = "root" if o.members[0] == p.idx else "member"
            size, outbreak_end = len(o.members), o.end
        dup_ref = self.plan.ref(p.dup_of, p.repo, rng) if p.dup_of >= 0 else p.dup_external
        wrong_ref = ""
        if p.wrong_number and dup_ref:
            wrong_ref = (
                f"#{p.wrong_number}"
                if dup_ref.startswith("#")
                else dup_ref.rsplit("/", 1)[0] + f"/{p.wrong_number}"
            )
            if "#" in dup_ref and not dup_ref.startswith("#"):
                wrong_ref = dup_ref.split("#")[0] + f"#{p.wrong_number}"
        ctx = history.Ctx(
            rng, p.repo, p.platform, p.created, self.plan.end, author, p.kind, facts.area, facts.version,
            list(facts.missing), facts.empty, facts.era, facts.later_id, role, dup_ref, wrong_ref, size,
            outbreak_end if role == "root" else None, facts.context_kind,
            facts.diag_in_body or bool(facts.diag_gen), facts.evidence,
            ("docker/for-mac" if p.repo == "docker/for-win" else "docker/for-win") if p.misfiled else "",
            facts.related_comment,
        )  # fmt: skip
        outcome = history.build(ctx).replay()
        record = self._record(
            p, facts.title, facts.body, author, outcome, _reactions(rng, role, size), rng
        )
        events = self._events(p, outcome)
        self._count(summary, p, facts, ctx, outcome, record, len(events))
        return record, events

    def _record(
        self,
        p: Planned,
        title: str,
        body: str,
        author: Person,
        out: Outcome,
        reactions: list[dict[str, Any]],
        rng: random.Random,
    ) -> dict[str, Any]:
        url = f"https://github.com/{p.repo}/issues/{p.number}"
        comments = []
        for k, c in enumerate(out.comments):
            dbid = 1_200_000_000 + p.idx * 300 + k
            comments.append(
                {
                    "author": {"login": c.author.login},
                    "authorAssociation": c.author.association,
                    "body": c.body,
                    "createdAt": iso(c.at),
                    "id": node_id("IC_kwDOA", dbid),
                    "includesCreatedEdit": rng.random() < 0.05,
                    "isMinimized": False,
                    "minimizedReason": "",
                    "reactionGroups": [
                        {"content": "THUMBS_UP", "users": {"totalCount": 1 + (k % 3)}}
                    ]
                    if c.author is not ROBOT and k % 7 == 3
                    else [],
                    "url": f"{url}#issuecomment-{dbid}",
                    "viewerDidAuthor": False,
                }
            )
        milestone = None
        if (
            "status/4-fix-released-stable" in out.labels
            and rng.random() < 0.3
            and out.closed_at is not None
        ):
            minor = minor_at(out.closed_at)
            milestone = {"description": "", "dueOn": None, "number": minor, "title": f"4.{minor}.0"}
        updated = max(out.updated_at or p.created, p.created)
        return {
            "assignees": [
                {"id": node_id("U_kgDO", numeric_id(a)), "login": a, "name": ""}
                for a in out.assignees
            ],
            "author": _author_json(author),
            "body": body,
            "closedAt": iso(out.closed_at) if out.closed_at and not out.open else None,
            "comments": comments,
            "createdAt": iso(p.created),
            "labels": [label_json(p.repo, name) for name in out.labels],
            "milestone": milestone,
            "number": p.number,
            "reactionGroups": reactions,
            "state": "OPEN" if out.open else "CLOSED",
            "stateReason": out.state_reason.upper(),
            "title": title,
            "updatedAt": iso(updated),
            "url": url,
        }

    def _events(self, p: Planned, out: Outcome) -> list[dict[str, Any]]:
        api = f"https://api.github.com/repos/{p.repo}/issues/{p.number}"
        html = f"https://github.com/{p.repo}/issues/{p.number}"
        rows = []
        for k, e in enumerate(out.events):
            eid = 9_000_000_000 + p.idx * 300 + k
            row: dict[str, Any] = {
                "id": eid,
                "node_id": node_id("E_kwDOA", eid),
                "url": f"https://api.github.com/repos/{p.repo}/issues/events/{eid}",
                "actor": {
                    "login": e.actor.login,
                    "id": e.actor.numeric_id,
                    "type": "Bot" if e.actor.is_bot else "User",
                },
                "event": e.kind,
                "commit_id": None,
                "commit_url": None,
                "created_at": iso(e.at),
            }
            if e.label:
                lj = label_json(p.repo, e.label)
                row["label"] = {"name": lj["name"], "color": lj["color"]}
            if e.kind == "closed":
                row["state_reason"] = e.state_reason
            if e.kind == "reopened":
                row["state_reason"] = "reopened"
            if e.assignee:
                row["assignee"] = {
                    "login": e.assignee,
                    "id": numeric_id(e.assignee),
                    "type": "User",
                }
            row["issue"] = {"number": p.number, "url": api, "html_url": html}
            rows.append(row)
        return rows

    def _count(
        self,
        s: CorpusSummary,
        p: Planned,
        facts: bodies.Facts,
        ctx: history.Ctx,
        out: Outcome,
        record: dict[str, Any],
        n_events: int,
    ) -> None:
        s.issues += 1
        s.per_repo[p.repo] += 1
        s.open += out.open
        s.closed += not out.open
        s.eras[facts.era] += 1
        if p.kind == "bug":
            s.bugs += 1
            s.bugs_with_diagnostics += facts.diag_in_body
            s.diagnostics_later_in_comment += facts.placement == "comment_later"
            s.pasted_diagnose_output += bool(facts.diag_gen)
            s.empty_templates += facts.empty
            s.repro_kinds[facts.repro_kind] += 1
            if facts.id_shape:
                s.id_shapes[facts.id_shape] += 1
        marks = Counter(m for at, m in ctx.marks if at <= self.plan.end)
        s.duplicates_closed += marks["dup"] > 0
        s.more_info_requests += marks["asked"] > 0
        s.reporter_answers += marks["answered"] > 0
        s.closed_for_no_info += marks["closed_no_info"] > 0
        s.acknowledged += marks["acked"] > 0
        s.fixes_released += marks["fixed"] > 0
        s.reopened += marks["reopened"] > 0
        s.unlabelled += not record["labels"]
        s.comments += len(record["comments"])
        s.events += n_events


def generate(
    issues: int, seed: int, end: datetime = DEFAULT_END, summary: CorpusSummary | None = None
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Yield (gh record, its REST events), newest issue first like ``gh issue list``."""
    if issues < 1:
        raise ValueError("the corpus needs at least one issue")
    plan = make_plan(issues, seed, end)
    renderer = _Renderer(plan, seed)
    summary = summary if summary is not None else CorpusSummary()
    for p in reversed(plan.issues):
        yield renderer.issue(p, summary)
