"""Tools the bench needs beyond the project's venv, installed on first use."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

REQUIREMENTS = Path(__file__).with_name("requirements.txt")


def ensure_debian_tool(command: str) -> str:
    """The path of `command` (Debian's package of that name: wrk, valgrind), installing it with
    apt-get when run as root."""
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit(f"bench: {command} is missing: apt-get install {command}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", command], check=True, env=env)
    found = shutil.which(command)
    if not found:
        raise SystemExit(f"bench: {command} is still missing after apt-get install {command}")
    return found


def ensure_profiler() -> None:
    """pyinstrument, pinned in bench/requirements.txt, installed into this venv if missing."""
    if importlib.util.find_spec("pyinstrument") is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True
        )
