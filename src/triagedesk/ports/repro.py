"""Static checks of reproductions that need a library or a process (bash -n, YAML, schemas)."""

from __future__ import annotations

from typing import Protocol


class ReproValidator(Protocol):
    def check(self, kind: str, text: str) -> tuple[bool | None, str]:
        """(valid, reason) for a ``shell``, ``dockerfile`` or ``compose`` reproduction.

        ``valid`` is None when the check could not run (no bash, a timeout): the
        checklist then says "could not verify".
        """
        ...
