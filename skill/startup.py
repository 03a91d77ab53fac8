"""Start-up without the cyclic garbage collector.

Importing the skill and building it make tens of thousands of objects (modules, classes,
functions, content) that live as long as the process. While they are made, the collector runs
about 30 times and frees next to nothing: about 5.7 ms of a Lambda cold start of about 100 ms,
measured with `gc.callbacks`. Freezing them afterwards also keeps every later full collection
from walking them again. (Used by the Lambda entry only: in gunicorn's master, before it forks
the workers, it left the workers' private memory as it was.)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the collector off; then move everything alive to the permanent
    generation (`gc.freeze`) and turn the collector back on if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
