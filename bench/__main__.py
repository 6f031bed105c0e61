"""Run every benchmark module in bench/ (or the ones named): `python -m bench [NAME ...]`."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import time
from pathlib import Path


def _modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = argv or _modules()
    failed = []
    for name in names:
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.perf_counter()
        # each benchmark in its own process: peak-memory figures are its own, not the
        # largest of every benchmark that ran before it
        done = subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False)
        if done.returncode != 0:  # report and go on: one broken bench must not hide the others
            failed.append(name)
            print(f"bench.{name} failed with exit code {done.returncode}", flush=True)
        print(f"=== bench.{name}: {time.perf_counter() - started:.1f} s ===", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
