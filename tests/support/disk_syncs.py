"""How often a real process waits for the disk: its fsync and fdatasync calls, traced by strace."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

SYNC_CALLS = ("fsync", "fdatasync")


def run_counting_disk_syncs(
    command: list[str], **options: Any
) -> tuple[int, subprocess.CompletedProcess[str]]:
    """(fsync and fdatasync calls by the command and its threads, its completed process)."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (scripts/setup.sh --dev installs it)")
    with tempfile.TemporaryDirectory() as folder:
        trace = Path(folder) / "trace"
        calls = f"trace={','.join(SYNC_CALLS)}"
        done = subprocess.run(
            ["strace", "-f", "-qq", "-e", calls, "-o", str(trace), *command],
            capture_output=True, text=True, **options,
        )  # fmt: skip
        lines = trace.read_text().splitlines() if trace.exists() else []
    syncs = sum(1 for line in lines if any(f" {call}(" in f" {line}" for call in SYNC_CALLS))
    return syncs, done
