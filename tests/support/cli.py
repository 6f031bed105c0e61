"""Running the real entry point in-process, as a user would from the shell."""

from __future__ import annotations

import pytest

from triagedesk.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``triagedesk ARGS``: exit code, stdout, stderr."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_argv(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The same, with the arguments spread out."""
    return run(list(argv), capsys)
