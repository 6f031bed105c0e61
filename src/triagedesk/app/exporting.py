"""Export stored issues: lossless JSON (REST issues with comments and events embedded),
JSON lines, the ``gh issue list`` shape, or a flat CSV.

Everything streams: issues come from the store a page at a time and go straight
to the output, so exporting 100k issues needs no more memory than a page.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from typing import Any, Protocol, TextIO

from triagedesk.domain.model import Issue, RepoRef
from triagedesk.domain.workflow import Status, status_of


class ExportFormat(StrEnum):
    JSON = "json"
    NDJSON = "ndjson"
    GH = "gh"
    CSV = "csv"


class RecordWriter(Protocol):
    """The GitHub record writers (``adapters.github.records_out.GithubRecordsOut``)."""

    def issue_to_rest(self, issue: Issue, *, embed: bool = True) -> dict[str, Any]: ...

    def issue_to_gh(self, issue: Issue) -> dict[str, Any]: ...


class IssueSource(Protocol):
    def iter_issues(self, repo: RepoRef | None = None) -> Iterator[Issue]: ...


CSV_COLUMNS = (
    "repo",
    "number",
    "title",
    "state",
    "state_reason",
    "status",
    "labels",
    "assignees",
    "milestone",
    "author",
    "author_association",
    "created_at",
    "updated_at",
    "closed_at",
    "comments",
    "reactions",
    "body_chars",
    "url",
)
#: a cell starting with one of these is a formula to spreadsheet programs
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Defuse spreadsheet formulas in user-written text (OWASP's CSV-injection advice)."""
    return "'" + text if text.startswith(_FORMULA) else text


def csv_row(issue: Issue, aliases: Mapping[str, Status] | None = None) -> list[Any]:
    status = status_of(issue.labels, aliases)
    return [
        issue.repo.full_name,
        issue.number,
        _cell(issue.title),
        issue.state.value,
        issue.state_reason.value if issue.state_reason else "",
        status.value if status else "",
        _cell("; ".join(issue.labels)),
        "; ".join(issue.assignees),
        _cell(issue.milestone or ""),
        issue.author,
        issue.author_association.value,
        issue.created_at.isoformat(),
        issue.updated_at.isoformat(),
        issue.closed_at.isoformat() if issue.closed_at else "",
        len(issue.comments),
        issue.reactions.total,
        len(issue.body),
        issue.url,
    ]


def export_issues(
    source: IssueSource,
    writer: RecordWriter,
    out: TextIO,
    fmt: ExportFormat,
    *,
    repo: RepoRef | None = None,
    aliases: Mapping[str, Status] | None = None,
    progress: Callable[[Issue], None] | None = None,
) -> int:
    """Write every stored issue (of ``repo``) to ``out``; returns how many."""
    count = 0
    issues = source.iter_issues(repo)
    if fmt is ExportFormat.CSV:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for issue in issues:
            w.writerow(csv_row(issue, aliases))
            count += 1
            if progress:
                progress(issue)
        return count
    if fmt is ExportFormat.NDJSON:
        for issue in issues:
            out.write(json.dumps(writer.issue_to_rest(issue), ensure_ascii=False) + "\n")
            count += 1
            if progress:
                progress(issue)
        return count
    convert: Callable[[Issue], dict[str, Any]] = (
        writer.issue_to_gh if fmt is ExportFormat.GH else writer.issue_to_rest
    )
    # one record per line inside the array: valid JSON that line tools can still split
    out.write("[")
    for issue in issues:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(convert(issue), ensure_ascii=False))
        count += 1
        if progress:
            progress(issue)
    out.write("\n]\n" if count else "]\n")
    return count
