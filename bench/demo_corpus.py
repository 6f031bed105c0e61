"""Demo corpus generation: issues/s and peak RSS, against the floor of just encoding and writing.

`python -m bench.demo_corpus` (BENCH_DEMO_ISSUES sets the size, default 20000).
The generation runs in a child process so its peak RSS is its own; the baseline
writes the same number of copies of one generated record (JSON encoding + I/O,
no generation), so the ratio says what the generator itself costs.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = (
    "import sys; from pathlib import Path; from triagedesk.demo import write_corpus; "
    "write_corpus(Path(sys.argv[1]), int(sys.argv[2]), 1)"
)


def main() -> None:
    n = int(os.environ.get("BENCH_DEMO_ISSUES", "20000"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "corpus.json"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", _CHILD, str(out), str(n)], check=True)
        gen_s = time.perf_counter() - started
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_mb = out.stat().st_size / 1e6
        events_mb = out.with_name("corpus.events.json").stat().st_size / 1e6

        with out.open(encoding="utf-8") as fh:
            fh.readline()
            sample = json.loads(fh.readline().rstrip().rstrip(","))
        floor = Path(tmp) / "floor.json"
        started = time.perf_counter()
        with floor.open("w", encoding="utf-8") as fh:
            fh.write("[")
            for i in range(n):
                fh.write(",\n" if i else "\n")
                fh.write(json.dumps(sample, ensure_ascii=False))
            fh.write("\n]\n")
        floor_s = time.perf_counter() - started

    print(f"issues generated:        {n}")
    print(f"generation (subprocess): {gen_s:.1f} s = {n / gen_s:,.0f} issues/s")
    print(f"peak RSS of generator:   {rss_mb:.0f} MB")
    print(f"output:                  {size_mb:.0f} MB gh JSON + {events_mb:.0f} MB events")
    print(f"baseline (encode+write only): {floor_s:.2f} s = {n / floor_s:,.0f} records/s")
    print(f"ratio generation / baseline:  {gen_s / floor_s:.1f}x")


if __name__ == "__main__":
    main()
