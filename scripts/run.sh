#!/usr/bin/env bash
# Sets up and starts the skill locally on the embedded SQLite store: the web service with the
# browser simulator at http://127.0.0.1:8000/ (pass --host/--port to change).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m skill serve "$@"
