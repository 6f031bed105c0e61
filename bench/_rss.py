"""Peak resident memory of this process alone.

``ru_maxrss`` is inherited through fork: a child started from a large process
reports at least the parent's size (seen here: 313 MB for a 13 MB child of a
300 MB parent). Linux's ``VmHWM`` in /proc/self/status is the process's own.
"""

from __future__ import annotations

import resource

#: the same, as one expression for workload scripts passed to ``python -c``
PEAK_RSS_KB_EXPR = (
    "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1])"
)


def peak_rss_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def peak_rss_mb() -> float:
    return peak_rss_kb() / 1024
