"""What happens to an issue after it is filed: the team's answers, labels, closes and the crowd.

This is the ground truth other parts of triagedesk are backtested against, so
it follows the team's real habits: ask for more information when diagnostics,
steps or a valid reproduction are missing, close after 14 days of silence, go
back to triage when the reporter answers, acknowledge complete reports with
sparse, inconsistently named labels, close duplicates with varied wording.
About 7% of decisions are deliberately "wrong" (a complete report asked
anyway, an incomplete one acknowledged), as on a real tracker.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triagedesk.demo import diagnose, phrases
from triagedesk.demo.environment import build_of, minor_at
from triagedesk.demo.people import Person, reporter, team_on
from triagedesk.demo.timeline import FROZEN, Timeline
from triagedesk.demo.topics import AREA_LABELS

MORE_INFO = "status/0-more-info-needed"
NOISE = 0.07
#: the lifecycle robot only ran over part of the trackers' history; forms only label when chosen
STALE_BOT_SHARE = 0.25
FORM_LABELS_SHARE = 0.42
_TRIAGE_FORM = ("status/triage", "needs-triage")


@dataclass(slots=True)
class Ctx:
    rng: random.Random
    repo: str
    platform: str
    created: datetime
    end: datetime
    author: Person
    kind: str
    area: str
    version: str
    missing: list[str]
    empty: bool
    era: str
    later_id: str = ""
    role: str = "background"  # root / member / background / request
    dup_ref: str = ""
    wrong_ref: str = ""
    outbreak_size: int = 0
    outbreak_end: datetime | None = None
    context_kind: str = ""
    has_diag: bool = False
    evidence: str = ""
    misfiled_to: str = ""
    related_comment: str = ""
    marks: list[tuple[datetime, str]] = field(default_factory=list)


def _after(rng: random.Random, at: datetime, lo_h: float, hi_h: float) -> datetime:
    """A delay drawn log-uniformly between lo_h and hi_h hours."""
    return at + timedelta(hours=lo_h * (hi_h / lo_h) ** rng.random())


class _Status:
    """Keeps exactly one status label, the way a careful team member would (usually)."""

    def __init__(self, tl: Timeline, initial: list[str]) -> None:
        self.tl = tl
        self.current = list(initial)

    def move(self, at: datetime, who: Person, name: str, rng: random.Random) -> None:
        for old in self.current:
            if old != name and rng.random() > 0.06:  # now and then someone forgets to remove it
                self.tl.unlabel(at, who, old)
        self.current = [name]
        self.tl.label(at, who, name)


def build(c: Ctx) -> Timeline:
    rng = c.rng
    keep_alive = 0.5 if c.role == "root" else 0.12
    tl = Timeline(c.created, c.end, rng.random() < STALE_BOT_SHARE, c.author, keep_alive, rng)
    initial = []
    if c.era == "form" and rng.random() < FORM_LABELS_SHARE:
        form_label = _TRIAGE_FORM[0] if c.repo.endswith("mac") else _TRIAGE_FORM[rng.random() < 0.3]
        tl.label(c.created, c.author, form_label)
        initial.append(form_label)
        if c.kind == "bug" and rng.random() < 0.8:
            tl.label(c.created + timedelta(seconds=3), c.author, f"version/{c.version}")
    status = _Status(tl, initial)
    if c.role == "root":
        _crowd(c, tl)
    if c.related_comment:
        tl.comment(_after(rng, c.created, 1, 24 * 30), reporter(rng), c.related_comment)
    if c.empty:
        _empty(c, tl)
    elif c.dup_ref:
        _duplicate(c, tl, status)
    elif c.kind != "bug":
        _request(c, tl, status)
    else:
        _bug(c, tl, status)
    return tl


def _empty(c: Ctx, tl: Timeline) -> None:
    rng = c.rng
    at = c.created
    if rng.random() < 0.35:
        at = tl.comment(_after(rng, at, 0.05, 1), team_on(at, rng), phrases.template_notice(rng))
    if rng.random() < 0.85:
        at = _after(rng, at, 2, 120)
        who = team_on(at, rng)
        tl.comment(at, who, phrases.no_content_close(rng))
        tl.close(at, who, "not_planned")
        c.marks.append((at, "closed_empty"))


def _duplicate(c: Ctx, tl: Timeline, status: _Status) -> None:
    rng = c.rng
    at = _after(rng, c.created, 0.5, 24 * 20)
    who = team_on(at, rng)
    if rng.random() < 0.6:
        for name in status.current:
            tl.unlabel(at, who, name)
    if c.wrong_ref:
        tl.comment(at, who, phrases.dup_close(rng, c.wrong_ref))
        tl.comment(
            at + timedelta(minutes=rng.randint(2, 600)),
            who,
            phrases.wrong_number_fix(rng, c.wrong_ref, c.dup_ref),
        )
    else:
        tl.comment(at, who, phrases.dup_close(rng, c.dup_ref))
    if rng.random() < 0.35:
        tl.label(at, who, rng.choice(("status/duplicate", "duplicate", "status/duplicate")))
    reason = rng.choices(("duplicate", "completed", "not_planned"), weights=(55, 25, 20))[0]
    if reason == "duplicate" and rng.random() < 0.6:
        tl.duplicate(at, who)
    tl.close(at + timedelta(seconds=5), who, reason)
    c.marks.append((at, "dup"))
    if rng.random() < 0.2:
        tl.comment(
            _after(rng, at, 1, 72),
            c.author,
            rng.choice(("Thanks!", "Sorry, I did not find that one.", "ok")),
        )


def _request(c: Ctx, tl: Timeline, status: _Status) -> None:
    rng = c.rng
    if rng.random() > 0.65:
        return
    at = _after(rng, c.created, 2, 24 * 14)
    who = team_on(at, rng)
    if c.kind == "feature":
        if rng.random() < 0.5:
            tl.label(
                at, who, rng.choice(("kind/feature", "enhancement", "kind/enhancement", "feature"))
            )
        if rng.random() < 0.4:
            tl.comment(
                at,
                who,
                "Thanks for the suggestion! We track feature requests on our public roadmap: https://github.com/docker/roadmap",
            )
            tl.close(at, who, "not_planned")
    elif c.kind == "docs":
        tl.label(at, who, rng.choice(("kind/docs", "docs", "area/docs")))
        if rng.random() < 0.6:
            tl.comment(at, who, "Thanks, the docs have been updated.")
            tl.close(at + timedelta(days=rng.randint(1, 20)), who, "completed")
    else:
        tl.comment(at, who, rng.choice(
            ("You can do this from Settings > Resources; see the docs for details.",
             "Good question. This is covered in the FAQ, closing.",
             "That is expected: the data lives inside the VM's disk image.")))  # fmt: skip
        if rng.random() < 0.7:
            tl.close(at + timedelta(minutes=3), who, "completed")


def _bug(c: Ctx, tl: Timeline, status: _Status) -> None:
    rng = c.rng
    triaged = c.role == "root" or rng.random() < (0.85 if c.role == "member" else 0.72)
    if c.later_id and rng.random() < 0.35:  # the reporter adds the ID unprompted
        tl.comment(_after(rng, c.created, 0.2, 48), c.author, f"Diagnostics ID: {c.later_id}")
        c.later_id, c.missing = "", [m for m in c.missing if m != "diagnostics"]
    if not triaged:
        return
    at = _after(rng, c.created, 1, 24 * 10)
    who = team_on(at, rng)
    if c.misfiled_to and rng.random() < 0.8:
        tl.comment(at, who, phrases.misfiled(rng, c.misfiled_to))
        tl.close(at, who, "not_planned")
        c.marks.append((at, "misfiled"))
        return
    incomplete = bool(c.missing)
    ask = incomplete != (rng.random() < NOISE)
    if c.role == "root" and ask and rng.random() < 0.5:
        ask = False  # a popular report gets worked on even when its first post is thin
    if ask:
        resumed = _ask(c, tl, status, at, who)
        if resumed is None:
            return
        at, who = resumed, team_on(resumed, rng)
    _acknowledge(c, tl, status, at, who)


def _ask(c: Ctx, tl: Timeline, status: _Status, at: datetime, who: Person) -> datetime | None:
    """More-info request; returns when triage resumes, or None when it ends (closed or silence)."""
    rng = c.rng
    # asked although nothing was missing: usually the bundle behind the ID was never uploaded
    missing = c.missing or [rng.choice(("upload", "upload", "screen", "reproduction"))]
    tl.comment(at, who, phrases.ask_more_info(rng, missing, c.platform))
    if rng.random() < 0.66:  # sometimes the comment alone carries the request
        status.move(at, who, MORE_INFO if rng.random() < 0.85 else "status/needs-information", rng)
    c.marks.append((at, "asked"))
    if rng.random() < 0.5:
        reply_at = _after(rng, at, 3, 24 * 13)
        diag = c.later_id or ""
        if not diag and ("diagnostics" in missing or "upload" in missing) and rng.random() < 0.7:
            diag = diagnose.fresh_id(rng, reply_at - timedelta(minutes=rng.randint(3, 90)))
        tl.comment(
            reply_at, c.author, phrases.reporter_answer(rng, diag, "reproduction" in missing)
        )
        c.marks.append((reply_at, "answered"))
        back = _after(rng, reply_at, 2, 24 * 6)
        bwho = team_on(back, rng)
        if rng.random() < 0.7:
            status.move(back, bwho, "status/0-triage", rng)
        else:
            for name in status.current:
                tl.unlabel(back, bwho, name)
            status.current = []
        return _after(rng, back, 1, 24 * 5)
    close_at = at + timedelta(days=14) + timedelta(hours=rng.uniform(1, 24 * 5))
    cwho = team_on(close_at, rng)
    tl.comment(close_at, cwho, phrases.not_enough_info_close(rng))
    if rng.random() < 0.35:  # tidy up on close; the events keep the history
        for name in status.current:
            tl.unlabel(close_at, cwho, name)
    tl.close(close_at, cwho, "not_planned" if rng.random() < 0.8 else "completed")
    c.marks.append((close_at, "closed_no_info"))
    if rng.random() < 0.12:  # the reporter comes back after the close
        back = _after(rng, close_at, 12, 24 * 30)
        diag = c.later_id or diagnose.fresh_id(rng, back - timedelta(minutes=rng.randint(3, 90)))
        tl.comment(back, c.author, phrases.reporter_answer(rng, diag, "reproduction" in missing))
        c.marks.append((back, "answered"))
        reopen_at = _after(rng, back, 2, 24 * 7)
        rwho = team_on(reopen_at, rng)
        tl.reopen(reopen_at, rwho)
        status.move(reopen_at, rwho, "status/0-triage", rng)
        c.marks.append((reopen_at, "reopened"))
        if rng.random() < 0.6:
            return _after(rng, reopen_at, 1, 24 * 5)
    return None


def _area_label(rng: random.Random, area: str) -> str:
    names = AREA_LABELS.get(area, (f"area/{area}",))
    return names[0] if rng.random() < 0.5 else rng.choice(names)


def _acknowledge(c: Ctx, tl: Timeline, status: _Status, at: datetime, who: Person) -> None:
    rng = c.rng
    if c.has_diag and c.evidence and rng.random() < 0.3:
        tl.comment(at, who, phrases.quote_logs(rng, c.evidence))
    else:
        tl.comment(at, who, phrases.ack_comment(rng))
    if rng.random() < 0.38:
        status.move(
            at, who, "status/1-acknowledged" if rng.random() < 0.9 else "status/acknowledged", rng
        )
    c.marks.append((at, "acked"))
    if rng.random() < 0.28:
        tl.label(at, who, _area_label(rng, c.area))
    if rng.random() < 0.25:
        regression = c.context_kind in ("upgrade", "update") and rng.random() < 0.5
        tl.label(
            at,
            who,
            "kind/regression" if regression else rng.choice(("kind/bug", "bug", "kind/bug")),
        )
    if rng.random() < 0.08:
        tl.label(
            at,
            who,
            rng.choice(
                ("platform/windows",)
                if c.platform == "win"
                else ("platform/macos", "platform/macos")
            ),
        )
    if rng.random() < 0.12:
        tl.label(at, who, f"version/{c.version}")
    elif rng.random() < 0.01:  # an OS version in the version label, by mistake
        tl.label(
            at,
            who,
            rng.choice(("version/14.6", "version/15.1", "version/22H2", "version/Windows 11")),
        )
    if c.role == "root" and rng.random() < 0.3:
        tl.label(at, who, FROZEN)
    fixed = c.role == "root" and c.outbreak_end is not None and rng.random() < 0.75
    if not fixed and rng.random() < 0.1:
        fixed = True
    if not fixed:
        return
    fix_at = c.outbreak_end if c.role == "root" and c.outbreak_end else _after(rng, at, 24, 24 * 90)
    work = max(at + timedelta(hours=1), fix_at - timedelta(days=rng.uniform(5, 25)))
    engineer = team_on(work, rng)
    tl.assign(work, who, engineer.login)
    status.move(work, who, "status/2-in-progress", rng)
    tl.comment(work, who, phrases.in_progress(rng))
    if rng.random() < 0.25:
        tl.comment(work + timedelta(days=2), engineer, phrases.test_build(rng))
    tl.comment(fix_at, engineer, phrases.fixed_internally(rng))
    status.move(fix_at, engineer, "status/3-fixed", rng)
    release_at = fix_at + timedelta(days=rng.uniform(7, 35))
    minor = minor_at(release_at)
    version = f"4.{minor}.0"
    if rng.random() < 0.3:
        beta_at = release_at - timedelta(days=rng.uniform(3, 10))
        tl.comment(beta_at, engineer, phrases.released(rng, version, beta=True))
        status.move(beta_at, engineer, "status/4-fix-released-beta", rng)
    rwho = team_on(release_at, rng)
    tl.comment(
        release_at,
        rwho,
        phrases.released(
            rng, f"{version} ({build_of(minor, 0)})" if rng.random() < 0.3 else version, beta=False
        ),
    )
    status.move(release_at, rwho, "status/4-fix-released-stable", rng)
    tl.close(release_at, rwho, "completed")
    c.marks.append((release_at, "fixed"))
    if rng.random() < 0.12:  # not fixed for everyone
        again = _after(rng, release_at, 24, 24 * 40)
        tl.comment(
            again,
            reporter(rng),
            phrases.still_happening(rng, f"4.{minor_at(again)}.{rng.randint(0, 2)}"),
        )
        if rng.random() < 0.6:
            back = _after(rng, again, 2, 24 * 7)
            tl.reopen(back, team_on(back, rng))
            c.marks.append((back, "reopened"))


def _crowd(c: Ctx, tl: Timeline) -> None:
    """Popular roots draw "same here" comments while the outbreak lasts."""
    rng = c.rng
    until = c.outbreak_end or (c.created + timedelta(days=60))
    span = max((until - c.created).total_seconds(), 3600.0)
    count = min(45, int(c.outbreak_size * rng.uniform(0.4, 1.6)))
    for _ in range(count):
        at = c.created + timedelta(seconds=rng.uniform(600, span))
        person = reporter(rng)
        extra = ""
        if rng.random() < 0.2:
            extra = f"Diagnostics ID: {diagnose.fresh_id(rng, at)}"
        version = f"4.{minor_at(at)}.{rng.randint(0, 2)}"
        tl.comment(at, person, phrases.same_here(rng, version, extra))
        if rng.random() < 0.08:  # the team records each version users confirmed
            tl.label(
                at + timedelta(hours=rng.uniform(1, 48)), team_on(at, rng), f"version/{version}"
            )
