"""The time budget of one request: Alexa waits 8 s for an answer, so every request is answered
within REQUEST_BUDGET_S. The budget starts where the request comes in (the web endpoint, the
Lambda entry) and travels with the request's thread in a context variable; store calls take
their timeouts from what is left of it, keeping ANSWER_RESERVE_S to build and send the reply.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_BUDGET_S = 6.0
ANSWER_RESERVE_S = 0.5  # kept back from store calls to turn the reply into a response

_deadline: ContextVar[float | None] = ContextVar("request_deadline", default=None)


class BudgetSpent(Exception):
    """The request has no time left for this call."""


@contextmanager
def request_budget(seconds: float = REQUEST_BUDGET_S) -> Iterator[None]:
    """Run a request within `seconds`, counted from now. Nested budgets keep the outer one:
    the clock started when the request came in."""
    if _deadline.get() is not None:
        yield
        return
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def time_left(reserve: float = ANSWER_RESERVE_S) -> float | None:
    """Seconds this request may still spend on a call, or None outside any request budget."""
    deadline = _deadline.get()
    if deadline is None:
        return None
    return deadline - reserve - time.monotonic()


def call_timeout(cap: float, reserve: float = ANSWER_RESERVE_S) -> float:
    """The timeout for one call: `cap`, or less when the request has less left; BudgetSpent
    when nothing is left."""
    left = time_left(reserve)
    if left is None:
        return cap
    if left <= 0:
        raise BudgetSpent("the request's time budget is spent")
    return min(cap, left)
