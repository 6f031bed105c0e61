"""Commands of the intel feature: train, suggest, duplicates confirm/reject, index, eval.

``triagedesk train`` learns labels from the stored history and builds the
duplicate index; ``suggest`` shows label suggestions and duplicate candidates
with their evidence; ``duplicates confirm`` (a person's decision) comments,
labels and closes through the write-back layer; ``eval labels`` and ``eval
duplicates`` are the backtests.
"""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer

from triagedesk.cli import app
from triagedesk.cli.common import (
    DEFAULT_DB,
    ConfigOpt,
    DbOpt,
    JsonOpt,
    Runtime,
    console,
    emit,
    eval_app,
    progress_bar,
    runtime,
)
from triagedesk.cli.wiring import build_context, parse_issue
from triagedesk.domain.errors import InputError, UserError
from triagedesk.domain.model import IssueRef

dup_app = typer.Typer(help="Confirm or reject suggested duplicates.", no_args_is_help=True)
index_app = typer.Typer(help="The persisted duplicate index.", no_args_is_help=True)
app.add_typer(dup_app, name="duplicates")
app.add_typer(index_app, name="index")

ActorOpt = Annotated[
    str | None, typer.Option("--actor", help="who decides (default: the login user)")
]


def _pair(rt: Runtime, issue: str, of: str) -> tuple[IssueRef, IssueRef]:
    """ISSUE and --of; a bare number in --of means the same repository as ISSUE (as #N on GitHub)."""
    ref = parse_issue(rt.settings, issue)
    return ref, parse_issue(rt.settings, of, default_repo=ref.repo)


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment
        return "cli"


@app.command("train")
def train_cmd(db: DbOpt = DEFAULT_DB, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Train the label model on the stored history and rebuild the duplicate index."""
    from triagedesk.app import categorise_train

    rt = runtime(db, config)
    ctx = build_context(rt.settings, rt.secrets, rt.engine, s3=False)
    with progress_bar("training") as step:
        result = categorise_train.train_all(ctx, progress=step)

    def human(r: dict[str, Any]) -> None:
        console.print(
            f"trained on {r['n_issues']} issues: label model v{r['label_model_version']}, "
            f"index v{r['index_version']}"
        )
        console.print(f"model labels: {', '.join(r['model_labels']) or '(none: rules only)'}")
        console.print(
            f"auto-applied at target precision: {', '.join(r['auto_labels']) or '(none)'}"
        )
        src = "chosen on history" if r["duplicate_threshold_from_history"] else "from settings"
        console.print(f"duplicate threshold {r['duplicate_threshold']:.3f} ({src})")

    emit(result, as_json, human)


def _print_suggestions(data: list[dict[str, Any]]) -> None:
    for s in data:
        console.print(f"[bold]{s['issue']}[/] {s['title']}", highlight=False)
        if not s["labels"]:
            console.print("  labels: (none above the floor: abstaining)")
        for lab in s["labels"]:
            th = "—" if lab["threshold"] is None else f"{lab['threshold']:.2f}"
            basis = " when labelled" if lab.get("basis") == "when-labelled" else ""
            console.print(
                f"  {lab['decision']:<7} {lab['label']:<28} {lab['confidence']:.2f}{basis} "
                f"(threshold {th}) {'; '.join(lab['evidence'][:3])}",
                highlight=False,
            )
        for c in s["duplicates"]:
            ev = "; ".join(f"{k}: {', '.join(v[:4])}" for k, v in c["evidence"].items())
            console.print(
                f"  {c['verdict']:<9} {c['ref']:<24} {c['score']:.3f} "
                f"(similarity {c['similarity']:.2f}: lexical {c['lexical']:.2f}, "
                f"signature {c['signature']:.2f}) "
                f"{c['title'][:60]!r} {ev}",
                highlight=False,
            )


@app.command("suggest")
def suggest_cmd(
    issue: Annotated[str | None, typer.Argument(help="owner/name#N, a URL, or N")] = None,
    all_: Annotated[bool, typer.Option("--all", help="every open issue, newest first")] = False,
    limit: Annotated[int, typer.Option("--limit", help="at most this many with --all")] = 0,
    submit: Annotated[
        bool,
        typer.Option("--submit", help="send labels above threshold through write-back (shadow)"),
    ] = False,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Label suggestions and duplicate candidates, with their evidence."""
    from triagedesk.app import apply, categorise

    if (issue is None) == (not all_):
        raise UserError("give one ISSUE or --all")
    rt = runtime(db, config)
    ctx = build_context(rt.settings, rt.secrets, rt.engine, s3=False)
    loaded = categorise.load(ctx)
    if loaded.model is None and loaded.index.size == 0:
        raise UserError("no model and no index yet: run `triagedesk train` first")
    if issue is not None:
        found = [categorise.suggest(ctx, parse_issue(rt.settings, issue))]
    else:
        internal = rt.settings.profile.internal_repo.lower()
        open_issues = [
            i for i in ctx.issues.iter_issues() if i.is_open and str(i.repo).lower() != internal
        ]
        open_issues.sort(key=lambda i: i.created_at, reverse=True)  # the newest first
        if limit:
            open_issues = open_issues[:limit]
        found = [categorise.suggest_for(ctx, i, loaded) for i in open_issues]
    if submit:
        for s in found:
            actions = categorise.label_actions(ctx, s)
            if actions:
                apply.submit(ctx, actions, source="categorise:suggest")
    emit([s.to_dict() for s in found], as_json, _print_suggestions)


@dup_app.command("confirm")
def confirm_cmd(
    issue: Annotated[str, typer.Argument(help="the duplicate (owner/name#N or N)")],
    of: Annotated[str, typer.Option("--of", help="the original it duplicates")],
    actor: ActorOpt = None,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A person confirms: comment with the link, duplicate label, close as duplicate."""
    from triagedesk.app import categorise

    rt = runtime(db, config)
    ctx = build_context(rt.settings, rt.secrets, rt.engine, s3=False)
    records = categorise.confirm_duplicate(ctx, *_pair(rt, issue, of), actor=_actor(actor))
    data = [
        {"id": r.id, "kind": r.action.kind, "status": r.status.value, "reason": r.action.reason}
        for r in records
    ]

    def human(rows: list[dict[str, Any]]) -> None:
        for r in rows:
            console.print(f"#{r['id']} {r['kind']}: {r['status']}")

    emit(data, as_json, human)


@dup_app.command("reject")
def reject_cmd(
    issue: Annotated[str, typer.Argument(help="the issue the suggestion was for")],
    of: Annotated[str, typer.Option("--of", help="the suggested issue that is not the original")],
    actor: ActorOpt = None,
    db: DbOpt = DEFAULT_DB,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A person says the suggestion is wrong: remembered, and counted in the backtest."""
    from triagedesk.app import categorise

    rt = runtime(db, config)
    ctx = build_context(rt.settings, rt.secrets, rt.engine, s3=False)
    ref, cand = _pair(rt, issue, of)
    if ctx.issues.get_issue(ref) is None:
        raise InputError(f"issue {ref} is not stored")
    categorise.reject_duplicate(ctx, ref, cand, actor=_actor(actor))
    emit(
        {"issue": str(ref), "rejected": str(cand)},
        as_json,
        lambda d: console.print(f"{d['rejected']} is not a duplicate of {d['issue']}: noted"),
    )


@index_app.command("rebuild")
def rebuild_cmd(db: DbOpt = DEFAULT_DB, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Rebuild the duplicate index from every stored issue."""
    from triagedesk.app import categorise_train

    rt = runtime(db, config)
    with progress_bar("indexing") as step:
        result = categorise_train.rebuild_index(
            build_context(rt.settings, rt.secrets, rt.engine, s3=False), progress=step
        )
    emit(
        result,
        as_json,
        lambda r: console.print(f"index v{r['index_version']}: {r['indexed']} issues"),
    )


@index_app.command("update")
def update_cmd(db: DbOpt = DEFAULT_DB, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Add issues stored since the index was built (no rebuild)."""
    from triagedesk.app import categorise_train

    rt = runtime(db, config)
    result = categorise_train.update_index(
        build_context(rt.settings, rt.secrets, rt.engine, s3=False)
    )
    emit(
        result,
        as_json,
        lambda r: console.print(
            f"index v{r['index_version']}: {r['added']} added, {r['indexed']} issues"
        ),
    )


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


@eval_app.command("labels")
def eval_labels_cmd(
    db: DbOpt = DEFAULT_DB, config: ConfigOpt = None, as_json: JsonOpt = False
) -> None:
    """Backtest labels: train on the older 70% by creation time, test on the newer 30%."""
    from triagedesk.adapters.store.intelligence import SqlIntelligenceStore
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.intelligence.evaluate import eval_labels

    rt = runtime(db, config)
    issues = list(SqlIssueStore(rt.engine).iter_issues())
    feedback = SqlIntelligenceStore(rt.engine).list_feedback()
    try:
        with progress_bar("training on the older 70%") as step:
            result = eval_labels(
                issues, rt.settings, feedback=feedback, progress=lambda _lab: step(0, 0)
            )
    except ValueError as exc:
        raise UserError(str(exc)) from None

    def human(r: dict[str, Any]) -> None:
        b = r["baseline"]
        console.print(f"train {r['n_train']} issues, test {r['n_test']} (cut {r['cut']})")
        console.print(f"micro-F1 {r['micro_f1']:.3f}  macro-F1 {r['macro_f1']:.3f}")
        console.print(
            f"baseline (TF-IDF + LR): micro-F1 {b['micro_f1']:.3f}  macro-F1 {b['macro_f1']:.3f}"
        )
        console.print(
            f"auto-applied: {r['auto_applied']} labels, precision {_pct(r['auto_precision'])} "
            f"(target {_pct(r['target_precision'])}), coverage {_pct(r['auto_coverage'])} of issues"
        )
        for lab, row in sorted(r["per_label"].items(), key=lambda kv: -kv[1]["support"])[:20]:
            console.print(
                f"  {lab:<28} P {row['precision']:.2f} R {row['recall']:.2f} F1 {row['f1']:.2f} "
                f"support {row['support']} auto {row['auto_applied']}",
                highlight=False,
            )
        console.print(
            "by family — the team labels some families rarely; 'labelled only' scores just "
            "the test issues it labelled in that family (with evidence guesses):"
        )
        for fam, row in r.get("families", {}).items():
            a, lo = row["all_issues"], row["labelled_only"]
            console.print(
                f"  {fam:<10} labelled {row['test_labelled']:>4}/{row['test_issues']} test "
                f"({_pct(row['test_labelled_share'])})  all issues P {a['precision']:.2f} "
                f"R {a['recall']:.2f} F1 {a['f1']:.2f}  labelled only P {lo['precision']:.2f} "
                f"R {lo['recall']:.2f} F1 {lo['f1']:.2f}",
                highlight=False,
            )
        fb = r["feedback"]
        console.print(
            f"precision people saw: labels {_pct(fb['precision_seen'])}, "
            f"duplicates {_pct(fb['duplicate_precision_seen'])}"
        )

    emit(result, as_json, human)


@eval_app.command("duplicates")
def eval_duplicates_cmd(
    db: DbOpt = DEFAULT_DB, config: ConfigOpt = None, as_json: JsonOpt = False
) -> None:
    """Backtest duplicates: each marked duplicate queries only the issues filed before it."""
    from triagedesk.adapters.store.intelligence import SqlIntelligenceStore
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.intelligence.evaluate import eval_duplicates

    rt = runtime(db, config)
    issues = list(SqlIssueStore(rt.engine).iter_issues())
    feedback = SqlIntelligenceStore(rt.engine).list_feedback()
    with progress_bar("replaying history") as step:
        result = eval_duplicates(issues, rt.settings, progress=step, feedback=feedback)

    def human(r: dict[str, Any]) -> None:
        b = r["baseline"]
        console.print(f"{r['n_queries']} duplicates with a known original ({r['marked']})")
        console.print(
            f"hybrid:   R@1 {_pct(r['recall@1'])}  R@5 {_pct(r['recall@5'])}  "
            f"R@10 {_pct(r['recall@10'])}  MRR {r['mrr']:.3f}"
        )
        console.print(
            f"BM25:     R@1 {_pct(b['recall@1'])}  R@5 {_pct(b['recall@5'])}  "
            f"R@10 {_pct(b['recall@10'])}  MRR {b['mrr']:.3f}"
        )
        th = r["chosen_thresholds"]["duplicate"]
        console.print(
            "duplicate threshold on history: "
            + ("none reaches the target precision" if th is None else f"{th:.3f}")
        )

    emit(result, as_json, human)
