#!/usr/bin/env bash
# Sets up and starts the skill locally on the embedded SQLite store: a text console where you
# talk to it as you would to Alexa.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m skill console "$@"
