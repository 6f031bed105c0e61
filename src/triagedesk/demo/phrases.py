"""What people write in comments: the team's wordings, the robot's notices, the crowd's replies."""

from __future__ import annotations

import random

TROUBLESHOOT = "https://docs.docker.com/desktop/troubleshoot-and-support/troubleshoot/"

#: what the team asks for, by missing item
_ASK_ITEM = {
    "diagnostics": (
        "a diagnostics ID (run the diagnose tool and upload the bundle, then paste the ID here)",
        "the ID of an uploaded diagnostics bundle",
        "diagnostics: please upload a bundle and share the ID",
    ),
    "reproduction": (
        "exact steps to reproduce the problem (the steps in the template are still the placeholders)",
        "a minimal reproduction: a Dockerfile, compose file or the commands you run",
        "the steps that trigger this, as precise as possible",
    ),
    "environment": (
        "the Docker Desktop version and your OS version",
        "which version of Docker Desktop you run, and on which OS",
    ),
    "invalid_repro": (
        "a reproduction that runs as posted (the snippet above does not parse)",
        "a corrected reproduction: the file you posted is not valid",
    ),
    "upload": (
        "a new diagnostics bundle: we can't find an uploaded bundle for the ID above, please run diagnose again and upload it",
        "please upload a new diagnostics bundle, the one referenced here is not on our side",
    ),
    "screen": ("the exact error message you see on screen (a screenshot helps)",),
    "wsl": ("the output of `wsl --version` and `wsl -l -v`",),
    "model": ("your Mac model and chip",),
}


def ask_more_info(rng: random.Random, missing: list[str], platform: str) -> str:
    opener = rng.choice(
        ("Thanks for the report.", "Thanks for reporting this!", "Hi, thanks for opening this issue.",
         "Thank you.", "")
    )  # fmt: skip
    items = [rng.choice(_ASK_ITEM[m]) for m in missing if m in _ASK_ITEM]
    if rng.random() < 0.3:
        items.append(rng.choice(_ASK_ITEM["wsl" if platform == "win" else "model"]))
    if not items:
        items = [rng.choice(_ASK_ITEM["diagnostics"])]
    if len(items) == 1 and rng.random() < 0.5:
        body = f"Could you please provide {items[0]}?"
    else:
        body = "To look into this we need some more information:\n\n" + "\n".join(
            f"- {i}" for i in items
        )
    tail = rng.choice(
        (f"\n\nSee {TROUBLESHOOT} for how to gather diagnostics.", "",
         "\n\nWithout it we can't investigate further.")
    )  # fmt: skip
    return f"{opener} {body}{tail}".strip()


def template_notice(rng: random.Random) -> str:
    pct = rng.randint(88, 97)
    return (
        f"This issue body is a >{pct}% match to our issue template, so it looks incomplete. "
        "Please edit it to describe what happened, add the steps to reproduce and a diagnostics ID."
    )


def not_enough_info_close(rng: random.Random) -> str:
    return rng.choice(
        (
            "There is not enough information here to investigate, so I'm closing this. If the problem "
            "persists please open a fresh issue with a detailed description and a diagnostic id, "
            f"following the troubleshooting guide: {TROUBLESHOOT}",
            "Closing as we haven't heard back. Feel free to open a new issue with a diagnostics ID and "
            "reproduction steps if you still see this.",
            "We didn't get the information we asked for, closing. Please open a new issue with diagnostics "
            "if it happens again.",
        )
    )


def no_content_close(rng: random.Random) -> str:
    return rng.choice(
        (
            "No content, closing.",
            "This issue is empty, closing.",
            "Closing: the template was not filled in.",
        )
    )


def quote_logs(rng: random.Random, line: str) -> str:
    """A maintainer quoting what the uploaded bundle shows: the bundle is where causes are found."""
    return rng.choice(
        (
            f"Thanks for the diagnostics. In the logs I can see\n\n```\n{line}\n```\n\nWe're looking into it.",
            f"The bundle shows the same failure:\n\n```\n{line}\n```\n\nI've passed this to the team.",
            f"Looking at the diagnostics, this line stands out:\n\n```\n{line}\n```",
        )
    )


def misfiled(rng: random.Random, right_repo: str) -> str:
    return rng.choice(
        (
            f"This looks like it is about the other platform; please open it in https://github.com/{right_repo}/issues so the right people see it.",
            f"This tracker is for the other platform. Could you file it in {right_repo}? Closing here.",
        )
    )


def ack_comment(rng: random.Random) -> str:
    return rng.choice(
        (
            "Thanks, I can reproduce this. I've raised it internally.",
            "Thanks for the details, we're tracking this internally.",
            "I managed to reproduce it with the steps above, passing it to the team.",
            "Thanks for the diagnostics. I see the error in the logs as well, we're looking into it.",
            "",
            "",
        )
    )


def dup_close(rng: random.Random, ref: str) -> str:
    return rng.choice(
        (
            f"Closing as dupe of {ref}",
            f"This is a dupe of {ref}, so I'm closing this copy.",
            f"Duplicate of {ref}",
            f"duplicate of {ref}",
            f"Thanks for the report! Closing in favour of {ref} to keep the discussion in one place.",
            f"We track this in {ref}, closing this one.",
            f"Looks like the same problem as {ref}. Closing as a duplicate; please add your details there.",
        )
    )


def wrong_number_fix(rng: random.Random, wrong: str, right: str) -> str:
    return rng.choice(
        (
            f"Sorry, wrong number: I meant {right}, not {wrong}.",
            f"Correction: this duplicates {right} ({wrong} was a typo).",
            f"Oops, that should be {right}.",
        )
    )


def in_progress(rng: random.Random) -> str:
    return rng.choice(("We have a fix in progress.", "An engineer is working on this.", ""))


def fixed_internally(rng: random.Random) -> str:
    return rng.choice(
        (
            "This is fixed internally; the fix will be in the next release.",
            "We have a fix for this which will be in the next release.",
            "Fixed in our main branch, it will ship in the next release. I'll update here.",
        )
    )


def test_build(rng: random.Random) -> str:
    return rng.choice(
        (
            "Could you try this test build and tell us if it fixes the problem for you?",
            "We have a build with a candidate fix, would you be able to confirm it works?",
        )
    )


def released(rng: random.Random, version: str, beta: bool) -> str:
    if beta:
        return rng.choice(
            (
                f"The fix is in the beta {version}, please give it a try.",
                f"Fixed in {version} beta.",
            )
        )
    return rng.choice(
        (
            f"Fixed in {version}. Please update and let us know if you still see it.",
            f"This was fixed in Docker Desktop {version}, see the release notes.",
            f"{version} is out with the fix for this. Closing.",
            f"fixed in {version}",
            f"Fixed in {version}, see the release notes: https://docs.docker.com/desktop/release-notes/#{version.split(' ')[0].replace('.', '')}",
        )
    )


def stale_notice() -> str:
    return (
        "Issues go stale after 90 days of inactivity.\n"
        "Mark the issue as fresh with `/remove-lifecycle stale` comment.\n"
        "Stale issues will be closed after an additional 30 days of inactivity.\n\n"
        "Prevent issues from auto-closing with an `/lifecycle frozen` comment.\n\n"
        "If this issue is safe to close now please do so."
    )


def stale_close() -> str:
    return (
        "This issue was marked stale 30 days ago and saw no activity since, so it is being closed.\n\n"
        "If the problem still happens on the latest version, please open a new issue with a diagnostics ID."
    )


def lock_notice() -> str:
    return (
        "Closed issues are locked after 30 days of inactivity.\n"
        "This helps our team focus on active issues.\n\n"
        "If you have found a problem that seems similar to this, please open a new issue."
    )


def reporter_answer(rng: random.Random, diag_id: str, has_steps: bool) -> str:
    parts = [
        rng.choice(
            ("Sure, here it is.", "Thanks for looking.", "Here you go:", "Sorry for the delay.")
        )
    ]
    if diag_id:
        parts.append(
            rng.choice(
                (
                    f"Diagnostics ID: {diag_id}",
                    f"DID: {diag_id}",
                    f"diagnostic id is {diag_id}",
                    diag_id,
                )
            )
        )
    if has_steps:
        parts.append(
            "It happens right after starting Docker Desktop, no containers running. I just open the app and wait."
        )
    if not diag_id and not has_steps:
        parts.append(
            rng.choice(
                (
                    "It still happens on the latest version.",
                    "The diagnose tool hangs for me, what else can I send?",
                )
            )
        )
    return "\n\n".join(parts)


def same_here(rng: random.Random, version: str, extra: str = "") -> str:
    text = rng.choice(
        (
            "Same here.",
            f"Same problem on {version}.",
            "+1",
            f"I'm seeing this too since {version}.",
            "Any update on this? It blocks our whole team.",
            f"Also happening for me on {version}, very annoying.",
            "Same issue, restarting the machine is the only workaround for me.",
            "Happens to me as well.",
        )
    )
    return f"{text} {extra}".strip()


def still_happening(rng: random.Random, version: str) -> str:
    return rng.choice(
        (
            f"This is still happening on {version}, can you reopen?",
            f"Not fixed for me in {version}.",
            "Still broken for me after the update.",
        )
    )


def related(rng: random.Random, ref: str) -> str:
    return rng.choice(
        (
            f"Same as {ref}?",
            f"Similar to {ref}.",
            f"Maybe related to {ref}.",
            f"This looks similar to {ref} but not quite.",
        )
    )
