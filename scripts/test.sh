#!/usr/bin/env bash
# Sets up and runs the whole test suite: lint, model consistency, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/python scripts/sync_locales.py --check
exec .venv/bin/python -m pytest "$@"
