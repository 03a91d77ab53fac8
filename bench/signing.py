"""A pool of request bodies with fresh timestamps and real Signature-256 headers, written for
the load generator so that it does no crypto while it runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bench.conversation import Event
from skill.simulator.envelopes import iso_timestamp
from tests.support.test_ca import signed_headers


def signed_requests(events: list[Event]) -> list[tuple[bytes, dict[str, str]]]:
    """(body, headers) for every event, stamped with now and signed by the test CA's leaf.
    Sign just before use: Alexa's timestamps must be within 150 s of the server's clock."""
    now = iso_timestamp(datetime.now(UTC))
    requests = []
    for event in events:
        body = json.dumps({**event, "request": {**event["request"], "timestamp": now}}).encode()
        requests.append((body, signed_headers(body)))
    return requests


def write_signed_pool(events: list[Event], path: Path) -> Path:
    """signed_requests(events), one a line for post_pool.lua: tab-separated "Name: value"
    headers, then the JSON body."""
    lines = [
        "\t".join([*(f"{name}: {value}" for name, value in headers.items()), body.decode()])
        for body, headers in signed_requests(events)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path
