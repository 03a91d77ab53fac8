"""Loads lambda/lambda_function.py, the real Lambda entry, so simulators and tests go
through exactly what AWS Lambda runs."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

LAMBDA_ENTRY = Path(__file__).resolve().parents[2] / "lambda" / "lambda_function.py"
_module_numbers = itertools.count()


def load_lambda_module() -> ModuleType:
    """A fresh import of the Lambda entry, reading the environment as a new container would."""
    name = f"lambda_function_{next(_module_numbers)}"
    spec = importlib.util.spec_from_file_location(name, LAMBDA_ENTRY)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {LAMBDA_ENTRY}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
