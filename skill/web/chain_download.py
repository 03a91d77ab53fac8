"""Downloads a signing certificate chain under ONE deadline for the whole download.

A socket timeout bounds each read, not the download: a server dripping a byte at a time keeps
it alive for as long as it likes. Here every step (name lookup, connect, TLS handshake, the
request, every read of headers and body) waits only for what is left of one deadline, on a
non-blocking socket. Redirects are not followed (an answer other than 200 fails), the answer is
capped in size, and a body shorter than its Content-Length fails.

An https download can go through an egress proxy (an http:// proxy, asked for a tunnel with
CONNECT, credentials in its URL sent as Basic), unless `no_proxy` (urllib's NO_PROXY syntax)
names the host. The tunnel is inside the same deadline.
"""

from __future__ import annotations

import base64
import selectors
import socket
import ssl
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar
from urllib.parse import SplitResult, unquote, urlsplit

DOWNLOAD_DEADLINE_S = 2.0
MAX_CHAIN_BYTES = 64 * 1024
MAX_HEADER_BYTES = 16 * 1024
_DEFAULT_PORTS = {"https": 443, "http": 80}  # http only for a local mirror (tests)
T = TypeVar("T")
_resolver = ThreadPoolExecutor(max_workers=2, thread_name_prefix="chain-dns")


class DownloadFailed(Exception):
    """The chain could not be downloaded; the message is a short reason."""


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        left = self._end - time.monotonic()
        if left <= 0:
            raise DownloadFailed("timed out")
        return left

    def wait(self, sock: socket.socket, events: int) -> None:
        """Block until `sock` is ready for `events`, or fail at the deadline."""
        with selectors.DefaultSelector() as selector:
            selector.register(sock, events)
            if not selector.select(self.left()):
                raise DownloadFailed("timed out")


def fetch_certificate_chain(
    url: str,
    deadline_s: float = DOWNLOAD_DEADLINE_S,
    max_bytes: int = MAX_CHAIN_BYTES,
    *,
    proxy: str | None = None,
    no_proxy: str = "",
) -> bytes:
    """GET `url` (https, or http for a local mirror) within `deadline_s`; the body, or
    DownloadFailed (timeout, refused, not 200, truncated, over `max_bytes`). An https URL goes
    through `proxy` (a URL) unless `no_proxy` names its host."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise DownloadFailed(f"cannot download from {url!r}")
    deadline = _Deadline(deadline_s)
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    via = _proxy(parts, proxy, no_proxy)
    host, host_port = (via.hostname or "", via.port or 80) if via else (parts.hostname, port)
    sock = _connect(_addresses(host, host_port, deadline), deadline)
    try:
        sock.setblocking(False)
        if via is not None:
            _tunnel(sock, parts.hostname, port, via, deadline)
        if parts.scheme == "https":
            tls = ssl.create_default_context().wrap_socket(
                sock, server_hostname=parts.hostname, do_handshake_on_connect=False
            )
            sock = tls
            _io(tls, deadline, tls.do_handshake)
        path = parts.path or "/"
        request = (
            f"GET {path} HTTP/1.0\r\nHost: {parts.netloc}\r\n"
            "Accept: */*\r\nConnection: close\r\n\r\n"
        ).encode("ascii")
        while request:
            request = request[_io(sock, deadline, sock.send, request) :]
        raw = _read_all(sock, deadline, MAX_HEADER_BYTES + max_bytes)
    except OSError as error:  # refused, reset, TLS failure, connect timeout
        raise DownloadFailed(str(error) or type(error).__name__) from error
    finally:
        sock.close()
    return _body(raw, max_bytes)


def _proxy(parts: SplitResult, proxy: str | None, no_proxy: str) -> SplitResult | None:
    """The proxy to go through for this URL, or None to connect directly. (Plain http is only
    for a local mirror, and goes direct.)"""
    if parts.scheme != "https" or not proxy:
        return None
    from urllib.request import proxy_bypass_environment  # only where a proxy is configured

    if proxy_bypass_environment(parts.hostname or "", {"no": no_proxy}):
        return None
    found = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if found.scheme != "http" or not found.hostname:
        raise DownloadFailed("HTTPS_PROXY must name an http:// proxy")
    return found


def _tunnel(
    sock: socket.socket, host: str, port: int, proxy: SplitResult, deadline: _Deadline
) -> None:
    """Ask the proxy for a tunnel to host:port (CONNECT); anything but a 200 fails."""
    target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    head = f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n"
    if proxy.username is not None:
        credentials = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()
        head += f"Proxy-Authorization: Basic {base64.b64encode(credentials).decode()}\r\n"
    request = (head + "\r\n").encode("latin-1")
    while request:
        request = request[_io(sock, deadline, sock.send, request) :]
    answer = bytearray()
    while b"\r\n\r\n" not in answer:
        chunk = _io(sock, deadline, sock.recv, 4096)
        if not chunk:
            raise DownloadFailed("the proxy closed the connection")
        answer += chunk
        if len(answer) > MAX_HEADER_BYTES:
            raise DownloadFailed("the proxy's answer is too long")
    status_line = bytes(answer[: answer.index(b"\r\n")])
    if _status_code(status_line.decode("latin-1")) != "200":
        raise DownloadFailed(f"the proxy refused the tunnel: {status_line[:40]!r}")
    if answer.index(b"\r\n\r\n") + 4 != len(answer):
        raise DownloadFailed("the proxy sent data before the tunnel was used")


def _addresses(host: str, port: int, deadline: _Deadline) -> list[tuple[Any, ...]]:
    """The addresses for host (looked up in a helper thread, so the lookup is bounded too)."""
    lookup = _resolver.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        return lookup.result(timeout=deadline.left())
    except FutureTimeout:
        raise DownloadFailed("timed out") from None
    except OSError as error:
        raise DownloadFailed(f"cannot resolve {host}: {error}") from error


def _connect(addresses: list[tuple[Any, ...]], deadline: _Deadline) -> socket.socket:
    """A socket connected to the first address that answers (IPv6 may be listed but unrouted)."""
    problem: OSError = OSError("no address")
    for family, kind, protocol, _, address in addresses:
        sock = socket.socket(family, kind, protocol)
        try:
            sock.settimeout(deadline.left())
            sock.connect(address)
            return sock
        except OSError as error:
            sock.close()
            problem = error
        except DownloadFailed:
            sock.close()
            raise
    raise DownloadFailed(str(problem) or type(problem).__name__)


def _io(sock: socket.socket, deadline: _Deadline, operation: Callable[..., T], *args: Any) -> T:
    """Run a non-blocking socket operation, waiting (within the deadline) until it can proceed."""
    while True:
        try:
            return operation(*args)
        except (ssl.SSLWantReadError, BlockingIOError):
            deadline.wait(sock, selectors.EVENT_READ)
        except ssl.SSLWantWriteError:
            deadline.wait(sock, selectors.EVENT_WRITE)


def _read_all(sock: socket.socket, deadline: _Deadline, limit: int) -> bytes:
    received = bytearray()
    while chunk := _io(sock, deadline, sock.recv, 16384):
        received += chunk
        if len(received) > limit:
            raise DownloadFailed(f"response exceeds {limit} bytes")
    return bytes(received)


def _status_code(status_line: str) -> str | None:
    """The status code of an HTTP status line ("HTTP/1.1 200 OK"), or None if it is not one."""
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        return None
    return parts[1]


def _body(raw: bytes, max_bytes: int) -> bytes:
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise DownloadFailed("response ended inside its headers")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = _status_code(status_line)
    if status is None:
        raise DownloadFailed("response is not HTTP")
    if status != "200":
        raise DownloadFailed(f"HTTP status {status[:3]} (redirects are not followed)")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in header_lines)
    }
    if "transfer-encoding" in headers:
        raise DownloadFailed("transfer-encoding is not supported")
    length = headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) != len(body)):
        raise DownloadFailed(f"body is {len(body)} bytes, Content-Length says {length[:20]}")
    if len(body) > max_bytes:
        raise DownloadFailed(f"response exceeds {max_bytes} bytes")
    return body
