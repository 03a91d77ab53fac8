"""Run in a fresh interpreter: import a Lambda entry, answer the LaunchRequest on stdin, and
print the seconds from this script's first line (before any import) to the response ready.

    python bench/cold_child.py LAMBDA_DIR < launch.json
"""

import time

_START = time.perf_counter()

import json  # noqa: E402  (imports are what is being timed)
import sys  # noqa: E402

sys.path.insert(0, sys.argv[1])
from lambda_function import lambda_handler  # noqa: E402

_response = lambda_handler(json.loads(sys.stdin.read()), None)
_ready = time.perf_counter() - _START
if not _response["response"].get("outputSpeech"):
    raise SystemExit(f"no speech in {_response}")
print(json.dumps({"ready_seconds": _ready}))
