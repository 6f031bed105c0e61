"""Import offline exports: ``gh issue list --json …`` output and GitHub REST JSON.

Per file the format is detected from its first record. Beside ``X.json`` the
files ``X.comments.json`` (REST comments) and ``X.events.json`` (REST issue events)
are read and joined to the issues, whatever the main file's format. Issues are
written in batches, one transaction each; a bad record is reported with its file
and position and skipped, everything else is kept. A database error stops the
import with a clear message: the batches before it stay stored, the failing one
is rolled back whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from triagedesk.app.jsonstream import Problem, Record, iter_records
from triagedesk.domain.errors import InputError, StoreError, StoreLocked, StoreReadOnly, UserError
from triagedesk.domain.model import Comment, Issue, IssueEvent, IssueRef, RepoRef
from triagedesk.ports.store import UpsertResult

BATCH = 500
#: how many unrecognisable records at the start make a file "the wrong format"
_PROBE = 5
SIDECARS = (".comments.json", ".events.json")
_SUFFIXES = (".json", ".ndjson", ".jsonl")


class RecordReader(Protocol):
    """The GitHub record converters (``adapters.github.records.GithubRecords``)."""

    def shape_of(self, obj: Any) -> str | None: ...

    def issue_from_gh(self, obj: Any, repo: RepoRef | None = None) -> Issue: ...

    def issue_from_rest(self, obj: Any, repo: RepoRef | None = None) -> Issue | None: ...

    def comment_from_rest(self, obj: Any, what: str = ...) -> tuple[IssueRef | None, Comment]: ...

    def event_from_rest(
        self, obj: Any, repo: RepoRef | None = None, what: str = ...
    ) -> tuple[IssueRef | None, IssueEvent | None]: ...


class IssueSink(Protocol):
    """What the import needs of the store."""

    def upsert_issues(
        self, issues: Iterable[Issue], *, keep_comments: bool = False, keep_events: bool = False
    ) -> UpsertResult: ...


@dataclass(frozen=True, slots=True)
class ImportProblem:
    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.where}: {self.message}"
            if self.where
            else f"{self.file}: {self.message}"
        )


@dataclass
class ImportSummary:
    files: list[str] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    #: bad records, reported in ``errors``
    skipped: int = 0
    #: records whose issue appeared earlier in the same import (the last one wins)
    duplicates: int = 0
    pull_requests: int = 0
    comments: int = 0
    events: int = 0
    errors: list[ImportProblem] = field(default_factory=list)

    @property
    def issues(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "issues": {
                "inserted": self.inserted,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "skipped": self.skipped,
                "duplicates": self.duplicates,
            },
            "pull_requests_skipped": self.pull_requests,
            "comments": self.comments,
            "events": self.events,
            "errors": [
                {"file": p.file, "where": p.where, "message": p.message} for p in self.errors
            ],
        }


#: progress callback: bytes just read
Progress = Callable[[int], None]


def expand(paths: Iterable[Path]) -> list[Path]:
    """The files to import: folders become their ``*.json``/``*.ndjson`` files; sidecars
    whose main file is imported too are left out (they are read with it)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(_SUFFIXES))
            )
        else:
            out.append(path)
    names = {str(p) for p in out}
    return [p for p in out if _main_of(p) is None or str(_main_of(p)) not in names]


def _main_of(path: Path) -> Path | None:
    for suffix in SIDECARS:
        if path.name.endswith(suffix):
            return path.with_name(path.name[: -len(suffix)] + ".json")
    return None


def sidecar(path: Path, suffix: str) -> Path:
    stem = path.name[: -len(".json")] if path.name.endswith(".json") else path.name
    return path.with_name(stem + suffix)


def total_bytes(paths: Iterable[Path]) -> int:
    total = 0
    for path in paths:
        for p in (path, sidecar(path, SIDECARS[0]), sidecar(path, SIDECARS[1])):
            if p.is_file():
                total += p.stat().st_size
    return total


class _Run:
    def __init__(
        self,
        store: IssueSink,
        records: RecordReader,
        repo: RepoRef | None,
        batch: int,
        progress: Progress | None,
    ) -> None:
        self.store = store
        self.records = records
        self.repo = repo
        self.batch_size = batch
        self.progress = progress
        self.summary = ImportSummary()
        self.seen: set[tuple[str, int]] = set()

    def problem(self, file: Path, where: str, message: str) -> None:
        self.summary.errors.append(ImportProblem(str(file), where, message))

    def stream(self, path: Path) -> Iterator[Record]:
        """The file's records; its problems go to the summary."""
        try:
            fh = path.open("rb")
        except OSError as exc:
            self.problem(path, "", f"cannot read: {exc.strerror or exc}")
            return
        with fh:
            for item in iter_records(fh, on_bytes=self.progress):
                if isinstance(item, Problem):
                    self.problem(path, item.where, item.message)
                else:
                    yield item

    def read_sidecars(
        self, path: Path
    ) -> tuple[dict[IssueRef, list[Comment]] | None, dict[IssueRef, list[IssueEvent]] | None]:
        comments: dict[IssueRef, list[Comment]] | None = None
        events: dict[IssueRef, list[IssueEvent]] | None = None
        cpath, epath = sidecar(path, SIDECARS[0]), sidecar(path, SIDECARS[1])
        if cpath.is_file():
            comments = defaultdict(list)
            for rec in self.stream(cpath):
                where = f"item {rec.index} (line {rec.line})"
                try:
                    ref, comment = self.records.comment_from_rest(rec.value, "comment")
                except InputError as exc:
                    self.problem(cpath, where, str(exc))
                    continue
                if ref is None:
                    self.problem(cpath, where, "comment without 'issue_url': cannot tell its issue")
                    continue
                if self.repo is not None:
                    ref = IssueRef(self.repo, ref.number)
                comments[ref].append(comment)
        if epath.is_file():
            events = defaultdict(list)
            for rec in self.stream(epath):
                where = f"item {rec.index} (line {rec.line})"
                try:
                    ref, event = self.records.event_from_rest(rec.value, self.repo, "event")
                except InputError as exc:
                    self.problem(epath, where, str(exc))
                    continue
                if event is None:
                    continue  # a kind triagedesk does not keep
                if ref is None:
                    self.problem(
                        epath, where, "event without 'issue.number': cannot tell its issue"
                    )
                    continue
                events[ref].append(event)
        return comments, events

    def import_file(self, path: Path) -> None:
        if not path.exists():
            self.problem(path, "", "no such file")
            return
        main = _main_of(path)
        if main is not None:
            self.problem(path, "", f"a sidecar file: import {main.name} (it is read with it)")
            return
        self.summary.files.append(str(path))
        side_comments, side_events = self.read_sidecars(path)
        batch: list[Issue] = []
        shape = ""
        keep_comments = keep_events = False
        # records before the first recognisable issue: skipped once the format is known,
        # or reported as the file's wrong format when none of the first few is an issue
        unknown: list[tuple[str, Any, str | None]] = []
        for rec in self.stream(path):
            where = f"item {rec.index} (line {rec.line})"
            kind = self.records.shape_of(rec.value)
            if not shape:
                if kind not in ("gh", "rest"):
                    unknown.append((where, rec.value, kind))
                    if kind in ("rest-comment", "rest-event") or len(unknown) >= _PROBE:
                        break
                    continue
                shape = kind
                for bad_where, value, bad_kind in unknown:
                    self.problem(path, bad_where, _wrong_format(bad_kind, value, record=True))
                    self.summary.skipped += 1
                unknown = []
                first = rec.value
                keep_comments = side_comments is None and not isinstance(
                    first.get("comments"), list
                )
                keep_events = side_events is None and not isinstance(first.get("events"), list)
            try:
                if kind == "gh":
                    issue: Issue | None = self.records.issue_from_gh(rec.value, self.repo)
                elif kind == "rest":
                    issue = self.records.issue_from_rest(rec.value, self.repo)
                    if issue is None:
                        self.summary.pull_requests += 1
                        continue
                else:
                    raise InputError(_wrong_format(kind, rec.value, record=True))
            except InputError as exc:
                self.problem(path, where, str(exc))
                self.summary.skipped += 1
                continue
            assert issue is not None
            issue = _join(issue, side_comments, side_events)
            key = (issue.repo.full_name, issue.number)
            if key in self.seen:
                self.summary.duplicates += 1
            self.seen.add(key)
            batch.append(issue)
            if len(batch) >= self.batch_size:
                self.flush(path, batch, keep_comments, keep_events, where)
                batch = []
        if unknown:
            where, value, kind = unknown[0]
            self.problem(path, where, _wrong_format(kind, value))
            return
        if batch:
            self.flush(path, batch, keep_comments, keep_events, "end of file")
        for name, left in (
            (sidecar(path, SIDECARS[0]), side_comments),
            (sidecar(path, SIDECARS[1]), side_events),
        ):
            if left:
                orphans = sorted(left, key=lambda r: (r.repo, r.number))
                shown = ", ".join(str(r) for r in orphans[:5])
                more = f" and {len(orphans) - 5} more" if len(orphans) > 5 else ""
                self.problem(
                    name,
                    "",
                    f"{sum(len(v) for v in left.values())} entries for issues not in {path.name}: {shown}{more}",
                )

    def flush(
        self, path: Path, batch: list[Issue], keep_comments: bool, keep_events: bool, where: str
    ) -> None:
        refused: set[IssueRef] = set()
        try:
            result = self.store.upsert_issues(
                batch, keep_comments=keep_comments, keep_events=keep_events
            )
        except (StoreLocked, StoreReadOnly) as exc:
            raise self._stopped(exc, path, where, len(batch)) from exc
        except StoreError as exc:
            # the database refused something in this batch (rolled back whole): find the
            # record(s) it refuses, one at a time, and keep all the others
            result, refused = self._one_by_one(path, batch, keep_comments, keep_events, exc, where)
        s = self.summary
        s.inserted += result.inserted
        s.updated += result.updated
        s.unchanged += result.unchanged
        stored = {i.ref: i for i in batch}
        for ref in refused:
            stored.pop(ref, None)
        for issue in stored.values():
            s.comments += len(issue.comments)
            s.events += len(issue.events)

    def _one_by_one(
        self,
        path: Path,
        batch: list[Issue],
        keep_comments: bool,
        keep_events: bool,
        first: StoreError,
        where: str,
    ) -> tuple[UpsertResult, set[IssueRef]]:
        total = UpsertResult()
        refused: set[IssueRef] = set()
        for issue in {i.ref: i for i in batch}.values():
            try:
                total += self.store.upsert_issues(
                    [issue], keep_comments=keep_comments, keep_events=keep_events
                )
            except (StoreLocked, StoreReadOnly) as exc:
                raise self._stopped(exc, path, where, len(batch)) from exc
            except StoreError as exc:
                refused.add(issue.ref)
                self.problem(path, f"issue {issue.ref}", f"the database refused it: {exc}")
                self.summary.skipped += 1
        if refused and len(refused) == len({i.ref for i in batch}):
            raise self._stopped(first, path, where, len(batch))
        return total, refused

    def _stopped(self, exc: StoreError, path: Path, where: str, size: int) -> StoreError:
        return type(exc)(
            f"{exc} — import stopped at {path} ({where}); {self.summary.issues} issues were "
            f"stored before it, this batch of {size} was rolled back"
        )


def _join(
    issue: Issue,
    comments: dict[IssueRef, list[Comment]] | None,
    events: dict[IssueRef, list[IssueEvent]] | None,
) -> Issue:
    extra_c = comments.pop(issue.ref, None) if comments else None
    extra_e = events.pop(issue.ref, None) if events else None
    if extra_c:
        known = {c.id for c in issue.comments if c.id}
        merged = list(issue.comments) + [c for c in extra_c if not c.id or c.id not in known]
        issue = replace(issue, comments=tuple(sorted(merged, key=lambda c: c.created_at)))
    if extra_e:
        merged_e = list(issue.events) + [e for e in extra_e if e not in issue.events]
        issue = replace(issue, events=tuple(sorted(merged_e, key=lambda e: e.at)))
    return issue


def _wrong_format(kind: str | None, value: Any, *, record: bool = False) -> str:
    if kind == "rest-comment":
        return "a REST comment, not an issue: put comments in X.comments.json beside X.json"
    if kind == "rest-event":
        return "a REST issue event, not an issue: put events in X.events.json beside X.json"
    keys = sorted(value)[:8] if isinstance(value, dict) else []
    got = f"an object with keys {keys}" if isinstance(value, dict) else type(value).__name__
    head = "not an issue record" if record else "wrong format"
    return f"{head}: expected `gh issue list --json …` output or GitHub REST issues, got {got}"


def import_paths(
    paths: Iterable[Path],
    store: IssueSink,
    records: RecordReader,
    *,
    repo: RepoRef | None = None,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import every file in ``paths`` (see the module doc); returns the summary."""
    files = expand(paths)
    if not files:
        raise UserError("nothing to import: no files given")
    run = _Run(store, records, repo, batch, progress)
    for path in files:
        run.import_file(path)
    return run.summary
