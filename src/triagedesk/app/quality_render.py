"""The texts the quality feature posts: the sticky checklist, the ask, the close."""

from __future__ import annotations

from triagedesk.domain.checklist import Checklist
from triagedesk.domain.model import Issue
from triagedesk.settings import Settings

_STATUS_TEXT = {
    "ok": "✅ ok",
    "missing": "❌ missing",
    "invalid": "❌ invalid",
    "could-not-verify": "❔ could not verify",
    "not-needed": "➖ not needed",
}
_NAMES = {
    "diagnostics": "Diagnostics ID or diagnose output",
    "logs-uploaded": "Diagnostics bundle uploaded",
    "environment": "Environment",
    "reproduction-present": "Reproduction present",
    "reproduction-valid": "Reproduction valid",
    "template-complete": "Description / template",
    "reproduced-by-person": "Reproduced by the team",
}


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, **values: str) -> str:
    """``template`` with ``{name}`` filled; unknown names stay, stray braces never raise."""
    try:
        return template.format_map(_Keep(values))
    except (ValueError, IndexError):
        text = template
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text


def _cell(text: str) -> str:
    """Reporter text quoted as evidence: no table breaks, no HTML, no @-mentions (the bot's
    comment must not ping whoever the reporter named), no ``` fences."""
    text = text.replace("\n", " ")[:300]
    text = text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", "@\u200b").replace("`", "'")


def render_checklist(checklist: Checklist) -> str:
    """The sticky checklist comment (Markdown table + verdict)."""
    verdict = (
        "**Complete**: ready for triage."
        if checklist.complete
        else "**Needs more information**: " + ", ".join(_NAMES.get(m, m) for m in checklist.missing)
    )
    rows = [
        f"| {_NAMES.get(ln.name, ln.name)} | {_STATUS_TEXT.get(ln.status, ln.status)} | "
        f"{_cell(ln.evidence)} |"
        for ln in checklist.lines
    ]
    return "\n".join(
        [
            "### L1 checklist",
            "",
            "| check | status | evidence |",
            "| --- | --- | --- |",
            *rows,
            "",
            verdict,
            "",
            "<sub>Kept up to date by triagedesk on every edit and every reply.</sub>",
        ]
    )


def render_more_info(checklist: Checklist, issue: Issue, settings: Settings) -> str:
    """The polite request naming exactly what is missing."""
    asks = settings.quality.asks
    lines = [asks.get(m, f"- {_NAMES.get(m, m)}") for m in checklist.missing]
    return fill(
        settings.quality.more_info_template,
        missing="\n".join(lines),
        troubleshooting_url=settings.profile.troubleshooting_url,
        author=f"@{issue.author}",
    )


def render_close(issue: Issue, settings: Settings) -> str:
    return fill(
        settings.quality.close_template,
        days=str(settings.quality.more_info_close_days),
        troubleshooting_url=settings.profile.troubleshooting_url,
        author=f"@{issue.author}",
    )
