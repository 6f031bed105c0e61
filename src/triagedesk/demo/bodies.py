"""One issue's title and body, from its plan record, plus the facts the team reacts to."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from triagedesk.demo import diagnose, phrases
from triagedesk.demo.environment import docker_info_block, docker_version_block, make_env
from triagedesk.demo.people import Person
from triagedesk.demo.plan import PROBLEMS, Plan, Planned
from triagedesk.demo.repro import choose_kind, make_repro
from triagedesk.demo.templates import Draft, render_bug, render_request
from triagedesk.demo.topics import TRIGGERS, Problem, fill, fill_params, requests_of

_ERAS = ("form", "checkbox", "legacy", "free")
_ERA_W = (0.45, 0.25, 0.07, 0.23)
_SHARED_KEYS = ("port", "ver", "prev", "image", "host", "distro", "code", "hex", "mb")
_FILLER = (
    "", "", "", "I use Docker Desktop every day for work.", "This is blocking my work.",
    "Not sure if this is a bug or something on my side.", "Any help appreciated.",
    "I searched the existing issues but did not find this exact error.",
    "Tried restarting the machine and resetting to factory defaults.",
    "It happens on two machines in our team.",
)  # fmt: skip


@dataclass(slots=True)
class Facts:
    title: str
    body: str
    area: str
    version: str
    era: str
    missing: list[str] = field(default_factory=list)
    empty: bool = False
    diag_in_body: bool = False
    id_shape: str = ""
    placement: str = ""
    later_id: str = ""  # an ID the reporter can give later in a comment
    related_comment: str = ""  # "similar to #N" that another user writes in a comment
    diag_gen: str = ""
    repro_kind: str = "none"
    context_kind: str = ""
    evidence: str = ""  # an error line a maintainer can quote from the bundle


def _outbreak_params(
    plan: Plan, seed: int, oid: int
) -> tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]:
    cached = plan.shared.get(oid)
    if cached is not None:
        return cached
    o = plan.outbreaks[oid]
    orng = random.Random(f"{seed}:outbreak:{oid}")
    plat = "mac" if o.platforms == "mac" else "win"
    params = fill_params(orng, o.start, plat)
    old, new = _failing(orng, PROBLEMS[o.problem])
    params["trigger"] = str(orng.randrange(len(TRIGGERS)))
    plan.shared[oid] = (params, old, new)
    return params, old, new


def _failing(rng: random.Random, p: Problem) -> tuple[tuple[str, ...], tuple[str, ...]]:
    old = list(p.old_fail)
    new = list(p.new_fail)
    if len(new) > 1 and rng.random() < 0.3:
        new.pop(rng.randrange(len(new)))
    if rng.random() < 0.15:
        new.append(rng.choice(("DD0027", "DD0031", "DD0011", "DD0012")))
    if rng.random() < 0.15:
        old.append(rng.choice(("logs", "moby-syslog", "dns")))
    return tuple(dict.fromkeys(old)), tuple(dict.fromkeys(new))


def _title(rng: random.Random, p: Problem, params: dict[str, str]) -> str:
    t = fill(rng.choice(p.titles), params)
    r = rng.random()
    if r < 0.05:
        t = f"[{params['ver']}] {t}"
    elif r < 0.1:
        t = f"Bug: {t}"
    elif r < 0.22:
        t = t[0].lower() + t[1:]
    elif r < 0.27:
        t = f"{t} ({rng.choice(('Windows 11', 'macOS 15', 'M2', 'WSL2', 'Intel Mac'))})"
    return t


def bug(plan: Plan, p: Planned, seed: int, author: Person, rng: random.Random) -> Facts:
    prob = PROBLEMS[p.problem]
    plat = p.reported_platform
    params = fill_params(rng, p.created, plat, author.login)
    trigger_of = -1
    if p.outbreak >= 0:
        shared, old_fail, new_fail = _outbreak_params(plan, seed, p.outbreak)
        trigger_of = int(shared["trigger"])
        params.update({k: shared[k] for k in _SHARED_KEYS})
        env = make_env(rng, plat, p.created, shared["ver"] if rng.random() < 0.7 else "")
        errors = [fill(prob.errors[0], params)]
        errors += [fill(e, params) for e in prob.errors[1:] if rng.random() < 0.4]
    else:
        old_fail, new_fail = _failing(rng, prob)
        env = make_env(rng, plat, p.created)
        minor = int(env.version.split(".")[1])
        params["ver"], params["prev"] = env.version, f"4.{max(0, minor - 1)}.{rng.randint(0, 2)}"
        picked = rng.sample(prob.errors, k=rng.randint(1, len(prob.errors)))
        errors = [fill(e, params) for e in picked] if rng.random() < 0.85 else []
    params["chip"] = env.chip
    era = rng.choices(_ERAS, weights=_ERA_W)[0]
    empty = era in ("form", "checkbox") and rng.random() < 0.035
    d = Draft(plat, "bug", era, env, empty=empty)
    symptoms = rng.sample(prob.symptoms, k=rng.randint(1, len(prob.symptoms)))
    trigger = ""
    if trigger_of >= 0 and rng.random() < 0.75:
        trigger = fill(rng.choice(TRIGGERS[trigger_of]), params)
    elif trigger_of < 0 and rng.random() < 0.2:
        trigger = fill(rng.choice(rng.choice(TRIGGERS)), params)
    parts = [fill(s, params) for s in symptoms] + [trigger, rng.choice(_FILLER)]
    d.description = " ".join(x for x in parts if x)
    d.errors = errors
    d.expected = fill(rng.choice(prob.expected), params)
    repro_kind = choose_kind(rng, prob)
    d.repro = make_repro(rng, repro_kind, prob, params)
    related_comment = ""
    if p.mention >= 0:
        related = phrases.related(rng, plan.ref(p.mention, p.repo, rng))
        if rng.random() < 0.6:
            d.related = related
        else:  # someone else points at it in a comment
            related_comment = related
    facts = Facts("", "", prob.area, env.version, era, empty=empty, context_kind=env.context_kind)
    facts.related_comment = related_comment
    _diagnostics(rng, p, d, facts, old_fail, new_fail)
    if era == "form" and not empty:
        if rng.random() < 0.6:
            d.docker_version = docker_version_block(env, rng)
        d.env_line = rng.random() < (0.3 if d.docker_version else 0.6)
        if rng.random() < 0.45 or d.placement == "docker_info":
            extra = f"Diagnostics ID: {d.diag_id}" if d.placement == "docker_info" else ""
            d.docker_info = docker_info_block(env, rng, extra)
    elif d.placement == "docker_info":
        d.docker_info = docker_info_block(env, rng, f" Diagnostics ID: {d.diag_id}")
    facts.title = _title(rng, prob, params) if not empty or rng.random() < 0.7 else "Bug"
    facts.body = "" if empty and rng.random() < 0.2 else render_bug(d, rng)
    facts.repro_kind = d.repro.kind if not empty else "placeholder"
    facts.missing = _missing(d, facts)
    facts.evidence = errors[0] if errors else fill(prob.errors[0], params)
    return facts


def _diagnostics(
    rng: random.Random,
    p: Planned,
    d: Draft,
    facts: Facts,
    old_fail: tuple[str, ...],
    new_fail: tuple[str, ...],
) -> None:
    gid = diagnose.guid(rng)
    at = diagnose.bundle_time(p.created, rng)
    d.missing = rng.choice(diagnose.MISSING_MARKERS)
    if d.empty:
        return
    r = rng.random()
    if r < 0.5:
        shape = rng.choices(diagnose.ID_SHAPES, weights=diagnose.ID_SHAPE_WEIGHTS)[0]
        if shape == "logs_line" and d.platform == "win":
            shape = "dashed"  # the old Windows tool's shape; the logs line is Mac-only
        elif shape == "dashed" and d.platform == "mac" and rng.random() < 0.7:
            shape = "bare"
        if shape == "logs_line":
            d.diag_gen = "old"
            d.diag_output = diagnose.old_diagnose(
                rng,
                old_fail or ("moby",),
                f"{d.env.version} ({d.env.build})",
                d.env.os_line,
                gid,
                at,
            )
            facts.diag_in_body, facts.id_shape, facts.placement = True, shape, "logs_line"
        else:
            text = diagnose.render_id(shape, gid.lower() if rng.random() < 0.02 else gid, at)
            placement = rng.choices(
                ("template", "did", "sentence", "docker_info"), weights=(60, 12, 17, 11)
            )[0]
            d.diag_id, d.placement = text, placement
            facts.diag_in_body, facts.id_shape, facts.placement = True, shape, placement
    elif r < 0.58:
        d.placement = facts.placement = "comment_later"
        facts.later_id = diagnose.render_id("compact", gid, at)
    if not d.diag_output and rng.random() < 0.13:
        if d.platform == "mac" and (d.era == "legacy" or rng.random() < 0.15):
            d.diag_gen = "old"
            d.diag_output = diagnose.old_diagnose(
                rng,
                old_fail or ("moby",),
                f"{d.env.version} ({d.env.build})",
                d.env.os_line,
                gid,
                at,
            )
        else:
            d.diag_gen = "new"
            d.diag_output = diagnose.new_check(rng, new_fail, d.platform)
            if rng.random() < 0.3:
                d.diag_output += "\n\n" + diagnose.upload_lines(gid, at, rng)
    facts.diag_gen = d.diag_gen


def _missing(d: Draft, facts: Facts) -> list[str]:
    if facts.empty:
        return ["description", "reproduction", "diagnostics"]
    missing = []
    if not facts.diag_in_body and not d.diag_output:
        missing.append("diagnostics")
    if missing and d.era == "form" and not d.docker_version and not d.env_line:
        missing.append("environment")  # a bundle would have carried it
    if not d.repro.present:
        missing.append("reproduction")
    elif not d.repro.valid:
        missing.append("invalid_repro")
    return missing


def request(plan: Plan, p: Planned, rng: random.Random) -> Facts:
    req = requests_of(p.kind)[p.request]
    title = req.title
    r = rng.random()
    if r < 0.3:
        title = (
            title.replace("Feature request: ", "").replace("Docs: ", "").replace("Question: ", "")
        )
    elif r < 0.4 and p.kind == "feature":
        title = f"[Feature] {title}"
    text = req.body
    if p.mention >= 0:
        text += "\n\n" + phrases.related(rng, plan.ref(p.mention, p.repo, rng))
    era = "form" if rng.random() < 0.5 else "free"
    body = render_request(p.kind, era, text, rng)
    env = make_env(rng, p.platform, p.created)
    return Facts(title, body, req.area, env.version, era)
