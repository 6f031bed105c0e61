"""Issue bodies in each template era's shape, and in the free-text shapes of people who skip it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from triagedesk.demo.environment import Env
from triagedesk.demo.repro import PLACEHOLDER, Repro

#: body styles; "checkbox" is the 2021–22 template, "form" the 2023+ issue forms,
#: "legacy" the 2018–2020 template copied from an old issue, "free" ignores all templates
ERAS = ("form", "checkbox", "legacy", "free")
NO_RESPONSE = "_No response_"


@dataclass(slots=True)
class Draft:
    """Everything a body is rendered from (never written to the output as such)."""

    platform: str
    kind: str  # bug / feature / docs / question
    era: str
    env: Env
    description: str = ""
    errors: list[str] = field(default_factory=list)
    expected: str = ""
    repro: Repro = field(default_factory=lambda: Repro("none", ""))
    diag_id: str = ""  # rendered ID, "" when absent from the body
    placement: str = ""  # template / did / sentence / docker_info / comment_later
    missing: str = ""  # what the reporter wrote on the ID line when there is none
    diag_output: str = ""
    diag_gen: str = ""  # "old" / "new" / ""
    related: str = ""  # "same as #N" sentence
    empty: bool = False
    docker_version: str = ""
    env_line: bool = True  # forms: an OS/Desktop version line in Additional Info
    docker_info: str = ""


def _diag_cmd(platform: str) -> str:
    if platform == "mac":
        return "/Applications/Docker.app/Contents/MacOS/com.docker.diagnose check"
    return '& "C:\\Program Files\\Docker\\Docker\\resources\\com.docker.diagnose.exe" check'


def _id_line_value(d: Draft) -> str:
    if d.diag_id and d.placement == "template":
        return d.diag_id
    if d.diag_id:  # given elsewhere in the body
        if d.placement == "docker_info":
            return "in the docker info output"
        return "" if len(d.missing) % 2 else "see below"
    return d.missing


def _id_extra(d: Draft, rng: random.Random) -> str:
    """The ID written outside the template line: "DID: …" or a sentence."""
    if not d.diag_id:
        return ""
    if d.placement == "did":
        return f"DID: {d.diag_id}"
    if d.placement == "sentence":
        return rng.choice(
            (f"My diagnostic id is {d.diag_id}", f"diagnostics id is {d.diag_id}",
             f"Uploaded diagnostics, the id is {d.diag_id}.", f"Diagnostic ID is {d.diag_id}")
        )  # fmt: skip
    return ""


def _errors_block(d: Draft, rng: random.Random) -> str:
    if not d.errors:
        return ""
    text = "\n".join(d.errors)
    if rng.random() < 0.25:
        return "\n".join(f"`{e}`" for e in d.errors)
    return f"```\n{text}\n```"


def _actual(d: Draft, rng: random.Random) -> str:
    parts = [d.description]
    block = _errors_block(d, rng)
    if block:
        parts.append(block)
    if d.env.context:
        parts.append(d.env.context)
    if d.related:
        parts.append(d.related)
    return "\n\n".join(p for p in parts if p)


def _diag_section(d: Draft) -> str:
    return f"```\n{d.diag_output}\n```" if d.diag_output else ""


def _checkbox(d: Draft, rng: random.Random) -> str:
    mac = d.platform == "mac"
    tick = "x" if d.diag_id else " "
    lines = [
        f"- [{'x' if rng.random() < 0.8 else ' '}] I have tried with the latest version of Docker Desktop",
        f"- [{'x' if rng.random() < 0.4 else ' '}] I have tried disabling enabled experimental features",
        f"- [{tick}] I have uploaded Diagnostics",
        f"- Diagnostics ID: {'' if d.empty else _id_line_value(d)}".rstrip(),
        "",
        "### Actual behavior",
        "",
        "" if d.empty else _actual(d, rng),
        "",
        "### Expected behavior",
        "",
        "" if d.empty else d.expected,
        "",
        "### Information",
        "",
    ]
    e = d.env
    if mac:
        lines += [
            f"- macOS Version: {'' if d.empty else e.os_line}".rstrip(),
            f"- Intel chip or Apple chip: {'' if d.empty else e.chip}".rstrip(),
            f"- Docker Desktop Version: {'' if d.empty else e.version_shown}".rstrip(),
        ]
    else:
        lines += [
            f"- Windows Version: {'' if d.empty else e.os_line}".rstrip(),
            f"- Docker Desktop Version: {'' if d.empty else e.version_shown}".rstrip(),
            f"- WSL2 or Hyper-V backend? {'' if d.empty else e.backend}".rstrip(),
            "- Are you running inside a virtualized Windows e.g. on a cloud server or a VM: "
            + ("" if d.empty else rng.choice(("No", "no", "No, bare metal", "Yes, Azure VM"))),
        ]
    if d.docker_info and not d.empty:
        lines += ["", "`docker info`:", "", f"```\n{d.docker_info}\n```"]
    extra = _id_extra(d, rng)
    if extra:
        lines += ["", extra]
    lines += [
        "",
        f"### Output of `{_diag_cmd(d.platform)}`",
        "",
        "" if d.empty else _diag_section(d),
        "",
    ]
    lines += [
        "### Steps to reproduce the behavior",
        "",
        PLACEHOLDER if d.empty else (d.repro.text or PLACEHOLDER),
    ]
    return "\n".join(lines).strip() + "\n"


def _legacy(d: Draft, rng: random.Random) -> str:
    mac = d.platform == "mac"
    lines: list[str] = []
    if rng.random() < 0.5:
        lines += [
            "<!--",
            "Please read the troubleshooting guide before filing. Issues without logs may be closed.",
            "-->",
            "",
        ]
    lines += [
        "- [x] I have tried with the latest version of my channel (Stable or Edge)",
        f"- [{'x' if d.diag_id or d.diag_output else ' '}] I have uploaded Diagnostics",
        f"- Diagnostics ID: {_id_line_value(d)}".rstrip(),
        "",
        "### Expected behavior",
        "",
        d.expected,
        "",
        "### Actual behavior",
        "",
        _actual(d, rng),
        "",
        "### Information",
        "",
    ]
    e = d.env
    if mac:
        lines += [f"- macOS Version: {e.os_line}", f"- Docker Desktop Version: {e.version_shown}"]
    else:
        lines += [
            f"- Windows Version: {e.os_line}",
            f"- Docker Desktop Version: {e.version_shown}",
            "- Are you running inside a virtualized Windows e.g. on a cloud server or on a mac VM: No",
        ]
    if rng.random() < 0.5:
        lines += [
            f"- Is it reproducible? {rng.choice(('yes', 'Yes, every time', 'sometimes'))}",
            f"- Is the problem new? {rng.choice(('yes', 'no'))}",
            f"- Did the problem appear with an update? {'yes' if e.context_kind in ('upgrade', 'update') else 'no'}",
        ]
    if d.docker_info:
        lines += ["", f"```\n{d.docker_info}\n```"]
    extra = _id_extra(d, rng)
    if extra:
        lines += ["", extra]
    if d.diag_output:
        lines += ["", "### Diagnostic logs", "", _diag_section(d)]
    lines += ["", "### Steps to reproduce the behavior", "", d.repro.text or PLACEHOLDER]
    return "\n".join(lines).strip() + "\n"


def _form(d: Draft, rng: random.Random) -> str:
    def sec(title: str, body: str) -> list[str]:
        return [f"### {title}", "", body.strip() or NO_RESPONSE, ""]

    if d.empty:
        body = sec("Description", "") + sec("Reproduce", PLACEHOLDER if rng.random() < 0.5 else "")
        body += sec("Expected behavior", "") + sec("docker version", "") + sec("docker info", "")
        body += sec("Diagnostics ID", d.missing) + sec("Additional Info", "")
        return "\n".join(body).strip() + "\n"
    version = f"```bash\n{d.docker_version}\n```" if d.docker_version else ""
    info = f"```bash\n{d.docker_info}\n```" if d.docker_info else ""
    additional = [d.env.context] if d.env.context and rng.random() < 0.5 else []
    description = _actual(d, rng)
    if d.env.context and additional:
        description = description.replace(d.env.context, "").strip()
    extra = _id_extra(d, rng)
    if extra:
        additional.append(extra)
    if d.diag_output:
        additional.append(f"Output of `{_diag_cmd(d.platform)}`:\n\n{_diag_section(d)}")
    if d.env_line:
        additional.append(
            f"{d.env.os_line}, Docker Desktop {d.env.version_shown}, {d.env.chip if d.platform == 'mac' else d.env.backend}"
        )
    body = sec("Description", description)
    body += sec("Reproduce", d.repro.text)
    body += sec("Expected behavior", d.expected)
    body += sec("docker version", version)
    body += sec("docker info", info)
    body += sec("Diagnostics ID", _id_line_value(d))
    body += sec("Additional Info", "\n\n".join(additional))
    return "\n".join(body).strip() + "\n"


def _free(d: Draft, rng: random.Random) -> str:
    e = d.env
    env_line = f"{e.os_line}, Docker Desktop {e.version_shown}" + (
        f", {e.chip}" if d.platform == "mac" else f", {e.backend} backend"
    )
    style = rng.randint(0, 2)
    parts: list[str] = []
    if style == 0:  # plain prose
        parts.append(d.description)
        if d.errors:
            parts.append(_errors_block(d, rng))
        if d.env.context:
            parts.append(d.env.context)
        if d.repro.present:
            parts.append(
                rng.choice(("To reproduce:", "Steps:", "How to reproduce:")) + "\n\n" + d.repro.text
            )
        parts.append(rng.choice(("Running ", "I'm on ", "Env: ")) + env_line)
    elif style == 1:  # bold pseudo headings
        parts.append("**Error:**\n\n" + (_errors_block(d, rng) or d.description))
        if d.errors:
            parts.append(d.description)
        if d.repro.present:
            parts.append("**Reproduce:**\n\n" + d.repro.text)
        parts.append("**Environment:**\n\n" + env_line + (f"\n{e.context}" if e.context else ""))
    else:  # own headings
        parts.append("### Description:\n\n" + d.description)
        if d.errors:
            parts.append(_errors_block(d, rng))
        parts.append("### Environment:\n\n- " + e.os_line + "\n- Docker Desktop " + e.version_shown)
        if e.context:
            parts.append(e.context)
        if d.repro.present:
            parts.append("### Steps to Reproduce Behavior:\n\n" + d.repro.text)
    if d.related:
        parts.append(d.related)
    if d.diag_id and d.placement == "template":
        parts.append(f"Diagnostics ID: {d.diag_id}")
    extra = _id_extra(d, rng)
    if extra:
        parts.append(extra)
    if d.diag_output:
        parts.append(
            rng.choice(("diagnose output:", "Output of diagnose check:", ""))
            + f"\n\n{_diag_section(d)}"
        )
    if d.docker_info:
        parts.append(f"```\n{d.docker_info}\n```")
    return "\n\n".join(p.strip() for p in parts if p.strip()) + "\n"


def render_bug(d: Draft, rng: random.Random) -> str:
    if d.era == "form":
        return _form(d, rng)
    if d.era == "checkbox":
        return _checkbox(d, rng)
    if d.era == "legacy":
        return _legacy(d, rng)
    return _free(d, rng)


def render_request(kind: str, era: str, text: str, rng: random.Random) -> str:
    """Feature requests, docs reports and questions: short, often free text."""
    if era == "form" and kind != "question":
        return "\n".join(
            [
                "### Description", "", text, "",
                "### Reproduce", "", NO_RESPONSE, "",
                "### Expected behavior", "", NO_RESPONSE, "",
                "### Diagnostics ID", "", NO_RESPONSE, "",
                "### Additional Info", "", rng.choice((NO_RESPONSE, "Thanks for the great tool!")), "",
            ]
        ).strip() + "\n"  # fmt: skip
    return text + "\n"
