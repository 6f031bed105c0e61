"""Label setup: the status labels (and the area labels) on every public repository.

The seed asks for the status labels "to be documented on docker/for-X": this
module plans them against what a repository already has (one paginated read),
creates or updates only the labels that differ, and writes ``docs/labels.md``.
In shadow mode (global or per repository) it plans and reports, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from triagedesk.domain.model import Label, RepoRef
from triagedesk.ports.issue_source import LabelSource
from triagedesk.ports.tracker import Tracker
from triagedesk.settings.profile import ProfileSettings

#: GitHub refuses label descriptions longer than this
MAX_DESCRIPTION = 100


@dataclass(frozen=True, slots=True)
class WantedLabel:
    label: Label
    #: "status" or "area"
    family: str
    owner: str = ""


@dataclass(frozen=True, slots=True)
class LabelOutcome:
    repo: str
    name: str
    #: create | update | unchanged (planned) ; created | updated | unchanged (applied)
    action: str
    applied: bool
    color: str
    description: str
    #: what differs, for people reading a plan ("color ededed -> fbca04")
    detail: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "repo": self.repo,
            "name": self.name,
            "action": self.action,
            "applied": self.applied,
            "color": self.color,
            "description": self.description,
            "detail": self.detail,
        }


def wanted_labels(profile: ProfileSettings, *, areas: bool = True) -> list[WantedLabel]:
    """The profile's status labels, then its area labels, as GitHub should have them."""
    out = [
        WantedLabel(
            Label(spec.name, spec.color.lower(), spec.description[:MAX_DESCRIPTION]), "status"
        )
        for spec in profile.status_labels
    ]
    if areas:
        out.extend(
            WantedLabel(
                Label(a.label, a.color.lower(), a.description[:MAX_DESCRIPTION]), "area", a.owner
            )
            for a in profile.areas
        )
    return out


def _diff(current: Label | None, want: Label) -> tuple[str, str]:
    if current is None:
        return "create", "missing"
    changes = []
    if current.name != want.name:
        changes.append(f"name {current.name} -> {want.name}")
    if current.color.lower() != want.color:
        changes.append(f"color {current.color.lower()} -> {want.color}")
    if current.description != want.description:
        changes.append("description")
    return ("update", ", ".join(changes)) if changes else ("unchanged", "")


def sync_labels(
    source: LabelSource | None,
    tracker: Tracker | None,
    repos: Sequence[RepoRef],
    wanted: Sequence[WantedLabel],
    *,
    shadow: Callable[[RepoRef], bool],
) -> list[LabelOutcome]:
    """Plan every wanted label on every repository; apply the differences unless in shadow.

    ``source`` None (no credentials) plans without reading: every label is "ensure".
    Labels match case-insensitively, as on GitHub.
    """
    outcomes: list[LabelOutcome] = []
    for repo in repos:
        existing: dict[str, Label] | None = None
        if source is not None:
            existing = {lab.name.lower(): lab for lab in source.list_labels(repo)}
        dry = shadow(repo) or tracker is None
        for w in wanted:
            want = w.label
            if existing is None:
                action, detail = "ensure", ""
            else:
                action, detail = _diff(existing.get(want.name.lower()), want)
            applied = False
            if not dry and action != "unchanged":
                assert tracker is not None
                result = tracker.ensure_label(repo, want.name, want.color, want.description)
                action, applied = result, True
            outcomes.append(
                LabelOutcome(
                    str(repo), want.name, action, applied, want.color, want.description, detail
                )
            )
    return outcomes


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def labels_doc(profile: ProfileSettings) -> str:
    """docs/labels.md: the labels ``triagedesk labels sync`` keeps on each public repository."""
    repos = ", ".join(f"`{r.name}`" for r in profile.public_repos)
    lines = [
        "# Labels",
        "",
        f"`triagedesk labels sync` keeps these labels on {repos}: it creates the missing",
        "ones and corrects colour and description where they differ (labels match",
        "case-insensitively, as on GitHub); a label that already matches costs no write.",
        "In shadow mode it prints the plan and writes nothing.",
        "",
        "This page is generated from the default profile by",
        "`triagedesk labels sync --docs docs/labels.md`; a test keeps it equal.",
        "",
        "## Status labels",
        "",
        "Exactly one `status/*` label at a time tracks an issue through the support process",
        "(see [workflow.md](workflow.md) for the moves allowed between them).",
        "",
        "| label | colour | description |",
        "| --- | --- | --- |",
    ]
    for w in wanted_labels(profile, areas=False):
        lab = w.label
        lines.append(f"| `{lab.name}` | `#{lab.color}` | {_cell(lab.description)} |")
    lines += [
        "",
        "## Area labels",
        "",
        "Older or differently-cased names on the trackers are read as these (aliases);",
        "the owner is mentioned when an issue of the area is escalated.",
        "",
        "| label | colour | description | owner | also read from |",
        "| --- | --- | --- | --- | --- |",
    ]
    for area in profile.areas:
        aliases = ", ".join(f"`{a}`" for a in area.aliases if a.lower() != area.label.lower())
        lines.append(
            f"| `{area.label}` | `#{area.color.lower()}` | {_cell(area.description)} "
            f"| {_cell(area.owner)} | {aliases} |"
        )
    return "\n".join(lines) + "\n"
