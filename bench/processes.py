"""What /proc says about a gunicorn master and its workers: pids, CPU time and memory."""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat split after the command name (which may hold spaces)."""
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def children(parent: int) -> list[int]:
    """The pids whose parent is `parent` (gunicorn's workers)."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(int(entry.name))[1]) == parent:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue  # the process ended while we looked
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds used so far by these processes."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLOCK_TICKS


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (not idle or waiting on I/O) since boot."""
    fields = [int(value) for value in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS  # user .. steal; guest is inside user


def memory_kb(pid: int) -> dict[str, int]:
    """Peak and current resident memory (VmHWM, VmRSS) in kB."""
    values = {}
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            values[name] = int(rest.split()[0])
    return values
