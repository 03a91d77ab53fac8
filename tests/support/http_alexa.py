"""Alexa's side of HTTP: request envelopes posted with real Signature-256 headers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from tests.support.test_ca import signed_headers

Post = Callable[[bytes, dict[str, str]], tuple[int, dict[str, Any]]]


def signed_handler(post: Post) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A SimulatedDevice handler that signs each event and posts it, as Alexa would."""

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        body = json.dumps(event).encode()
        status, reply = post(body, signed_headers(body))
        assert status == 200, reply
        return reply

    return handler


def urllib_post(url: str) -> Post:
    def post(body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            url, data=body, headers={**headers, "Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:  # a refusal: a fixed text, not JSON
            return error.code, {}

    return post
