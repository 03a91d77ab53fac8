"""Run in a fresh interpreter: import a Lambda entry, answer the LaunchRequest on stdin, and
print the seconds from the moment the Lambda runtime would load the handler to the response ready.

    python bench/cold_child.py LAMBDA_DIR [start|ready] < launch.json

With `start` it ends at once where the clock would start, and with `ready` at once when the
answer is ready, skipping the interpreter's shutdown: under callgrind, the instructions between
the two are those the clock measures.

The Lambda Python runtime's bootstrap (awslambdaric: bootstrap.py and the modules it imports,
lambda_runtime_client, lambda_runtime_marshaller and lambda_runtime_log_utils) has imported
these standard modules before it loads the handler module, so they are imported before the clock
starts, for both skills alike. (Its simplejson and its C runtime client are not in either
bundle, and neither skill imports them.) With BENCH_RUNTIME_PACKAGES set, that folder goes on
the path after the bundle, as the runtime's own /var/runtime (boto3) does on Lambda.
"""

import datetime  # noqa: F401
import decimal  # noqa: F401
import enum  # noqa: F401
import importlib  # noqa: F401
import json
import logging  # noqa: F401
import math  # noqa: F401
import os
import sys
import time
import traceback  # noqa: F401
import warnings  # noqa: F401
from concurrent.futures import ThreadPoolExecutor  # noqa: F401

_STOP = sys.argv[2] if len(sys.argv) > 2 else None
if "BENCH_RUNTIME_PACKAGES" in os.environ:
    sys.path.append(os.environ["BENCH_RUNTIME_PACKAGES"])
if _STOP == "start":
    os._exit(0)
_START = time.perf_counter()

sys.path.insert(0, sys.argv[1])
from lambda_function import lambda_handler  # noqa: E402

_response = lambda_handler(json.loads(sys.stdin.read()), None)
_ready = time.perf_counter() - _START
if not _response["response"].get("outputSpeech"):
    raise SystemExit(f"no speech in {_response}")
print(json.dumps({"ready_seconds": _ready}), flush=True)
if _STOP == "ready":
    os._exit(0)
