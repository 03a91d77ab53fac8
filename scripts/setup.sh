#!/usr/bin/env bash
# Sets up this checkout: a virtualenv with the pinned packages, and with --dev the tools the
# test suite needs (Node.js for the local DynamoDB server and the APL linter, Chromium for the browser tests). Safe to run again: it only
# installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0
[ "${1:-}" = "--dev" ] && dev=1

apt_install() {  # apt_install PACKAGE... (only as root; otherwise say what is missing)
  if [ "$(id -u)" != 0 ]; then
    echo "setup: please install (as root): $*" >&2
    exit 1
  fi
  if [ ! -f /tmp/.back-stretches-apt-updated ]; then
    apt-get update -qq && touch /tmp/.back-stretches-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv
    "$PYTHON" -m venv .venv
  fi
fi

requirements=requirements.txt
[ $dev = 1 ] && requirements=requirements-dev.txt
stamp=.venv/.installed-$(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
  rm -f .venv/.installed-* && touch "$stamp"
fi

if [ $dev = 1 ] && ! { command -v chromium && command -v wrk && command -v strace \
  && command -v valgrind; } >/dev/null; then
  # the browser tests drive Debian's chromium; the benchmark's HTTP load comes from wrk and it
  # counts the cold start's instructions with valgrind; the store's tests count its waits for
  # the disk with strace
  apt_install chromium fonts-dejavu-core wrk strace valgrind
fi

if [ $dev = 1 ] && [ -f tests/node/package.json ]; then
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -d tests/node/node_modules ] || [ tests/node/package-lock.json -nt tests/node/node_modules ]; then
    npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
  fi
fi

if [ $dev = 1 ] && ! .venv/bin/python scripts/build_lambda.py --which-python >/dev/null; then
  # the Lambda bundle is compiled and tested with the runtime's own Python (template.yaml)
  echo "setup: the Lambda bundle tests will be skipped until that Python is installed" >&2
fi
