"""How the backtest reads the team's decision out of the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from triagedesk.app.quality_eval import evaluate_history, team_signal, team_truth
from triagedesk.domain.model import (
    Association,
    CloseReason,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    IssueRef,
    IssueState,
    RepoRef,
)
from triagedesk.settings import Settings

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
S = Settings()


def member(text: str, at: datetime, login: str = "maint") -> Comment:
    return Comment(1, login, text, at, author_association=Association.MEMBER)


def label(name: str, at: datetime, actor: str = "maint") -> IssueEvent:
    return IssueEvent(EventKind.LABELED, actor, at, name)


def issue(
    comments: tuple[Comment, ...] = (),
    events: tuple[IssueEvent, ...] = (),
    body: str = "it breaks",
    **kw: object,
) -> Issue:
    return Issue(
        IssueRef(RepoRef("docker", "for-win"), 5),
        "Engine fails",
        body,
        "rep",
        T0,
        T0,
        comments=comments,
        events=events,
        **kw,  # type: ignore[arg-type]
    )


CASES = [
    ("nothing happened", issue(), None),
    ("more-info label", issue(events=(label("status/0-more-info-needed", T0 + H),)), True),
    ("alias label", issue(events=(label("status/needs-information", T0 + H),)), True),
    (
        "asks for diagnostics",
        issue((member("Could you upload a diagnostics bundle?", T0 + H),)),
        True,
    ),
    ("asks for wsl output", issue((member("What does wsl -l -v print?", T0 + H),)), True),
    (
        "template not filled",
        issue((member("Closing: the template was not filled in.", T0 + H),)),
        True,
    ),
    (
        "acknowledged first",
        issue(
            events=(
                label("status/1-acknowledged", T0 + H),
                label("status/0-more-info-needed", T0 + 5 * H),
            )
        ),
        False,
    ),
    (
        "asked first, acknowledged later",
        issue(
            events=(
                label("status/0-more-info-needed", T0 + H),
                label("status/1-acknowledged", T0 + 5 * H),
            )
        ),
        True,
    ),
    (
        "dupe close that says 'please add'",
        issue(
            (
                member(
                    "Same problem as #12, closing as a duplicate; please add your details there.",
                    T0 + H,
                ),
            )
        ),
        False,
    ),
    (
        "label and ask at once: work wins",
        issue(
            (member("Please provide the exact steps.", T0 + H),),
            (label("area/networking", T0 + H),),
        ),
        False,
    ),
    (
        "team comment without an ask",
        issue((member("Thanks, we can see it in the logs.", T0 + H),)),
        False,
    ),
    (
        "form labels at creation are not the team",
        issue(
            events=(
                label("needs-triage", T0 + timedelta(seconds=3), actor="rep"),
                label("version/4.30.0", T0 + timedelta(seconds=3), actor="github-actions"),
            )
        ),
        None,
    ),
    (
        "robots are not the team",
        issue(events=(label("lifecycle/stale", T0 + 90 * 24 * H, actor="docker-robot"),)),
        None,
    ),
    (
        "the reporter is not the team",
        issue((Comment(2, "rep", "please provide an update", T0 + H),)),
        None,
    ),
    (
        "bare not-planned close",
        issue(events=(IssueEvent(EventKind.CLOSED, "maint", T0 + H, "not_planned"),)),
        None,
    ),
    (
        "closed as completed",
        issue(events=(IssueEvent(EventKind.CLOSED, "maint", T0 + H, "completed"),)),
        False,
    ),
]


@pytest.mark.parametrize(("name", "subject", "truth"), CASES, ids=[c[0] for c in CASES])
def test_team_truth(name: str, subject: Issue, truth: bool | None) -> None:
    assert team_truth(subject, S) is truth


def test_signal_time_is_the_first_decision() -> None:
    subject = issue(
        (member("Please share the diagnostics ID.", T0 + 2 * H),),
        (label("status/0-more-info-needed", T0 + 2 * H),),
    )
    assert team_signal(subject, S) == (True, T0 + 2 * H)


def test_scores_and_exclusions() -> None:
    empty = "### Description\n\n_No response_\n\n### Reproduce\n\n1.\n2.\n\n### Diagnostics ID\n\n_No response_\n"
    good = (
        "### Description\n\nThe engine stops after sleep on 4.30.0, Windows 11 with WSL 2; docker ps hangs.\n\n"
        "### Reproduce\n\n1. Start a container\n2. Sleep the laptop and wake it\n\n"
        "### Diagnostics ID\n\n5C0B4E1A-93D2-4F6B-A8E7-2D1C0F9B3A64/20240501085000\n"
    )
    asked = issue((member("Please provide a diagnostics ID.", T0 + H),), body=empty)
    worked = issue((member("Thanks, acknowledged.", T0 + H),), body=good)
    unknown = issue(body=empty)
    closed_dupe = issue(
        body=good, state=IssueState.CLOSED, state_reason=CloseReason.DUPLICATE, closed_at=T0 + H
    )
    result = evaluate_history([asked, worked, unknown, closed_dupe], S)
    d = result.as_dict()
    assert (d["n"], d["unknown"]) == (3, 1)
    assert d["confusion"] == {"tp": 1, "fp": 0, "fn": 0, "tn": 2}
    assert d["baseline"]["n"] == 3 and d["baseline_no_diagnostics_id"]["confusion"]["tp"] == 1
