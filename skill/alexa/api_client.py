"""The HTTP client ask-sdk's service clients (Settings, Reminders) talk through.

Like the SDK's `DefaultApiClient`, it refuses anything but HTTPS, but every call has a short
timeout, so a slow Alexa API cannot eat the 8 s Alexa waits for an answer, and each thread
keeps its connections open between requests (a warm Lambda or web worker skips the TLS
handshake). `requests` is imported on the first call, not at cold start. It honours
`REQUESTS_CA_BUNDLE` (tests trust their own CA that way).
"""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import urlsplit

from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 2.0


class ApiCallFailed(Exception):
    """The call did not get an HTTP answer (refused URL, connection error, timeout)."""


class TimeoutApiClient(ApiClient):
    def __init__(
        self,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
    ) -> None:
        self.timeout = (connect_timeout, read_timeout)
        self._local = threading.local()  # one requests.Session per thread

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            import requests  # about 40 ms of imports that only sessions calling an API pay

            session = self._local.session = requests.Session()
        return session

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        import requests

        if urlsplit(request.url or "").scheme != "https":
            raise ApiCallFailed("Requests against non-HTTPS endpoints are not allowed.")
        headers = dict(request.headers or [])
        body = request.body
        if body is not None and not isinstance(body, str):
            body = json.dumps(body)
        try:
            response = self._session().request(
                request.method or "GET",
                request.url,
                headers=headers,
                data=body,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise ApiCallFailed(
                f"{request.method} {urlsplit(request.url).path}: {error}"
            ) from error
        return ApiClientResponse(
            headers=list(response.headers.items()),
            status_code=response.status_code,
            body=response.text,
        )
