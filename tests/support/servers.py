"""Start the project's own servers as subprocesses on free loopback ports."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from skill.simulator.loopback import LoopbackServer

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def production_command(port: int) -> list[str]:
    """The README's production command, bound to a loopback port."""
    return [
        str(GUNICORN),
        "-c",
        "python:skill.web.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "skill.web.wsgi:application",
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """Start a server and wait until /health answers (or fail with its log)."""
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"server did not start: {log.read_text()}")


class ChainServer(LoopbackServer):
    """A local stand-in for s3.amazonaws.com: the signing chain at /echo.api/*, any `extra`
    bodies by path, 404 otherwise. Paths that misbehave: /slow (and every path while `hang` is
    set) accepts and never answers (until the server stops); any path with /drip/ in it sends
    the chain one byte every DRIP_SECONDS; /redirect answers 302 to the chain; /truncated
    promises more bytes than it sends."""

    DRIP_SECONDS = 0.25

    def __init__(self, chain: bytes, extra: dict[str, bytes] | None = None) -> None:
        self.chain, self.extra = chain, extra or {}
        self.hang = threading.Event()
        self.url = f"http://127.0.0.1:{self._serve(self._handler())}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/slow" or server.hang.is_set():
                    server._stopping.wait(10)
                    return
                if "/drip/" in self.path:
                    self._drip()
                    return
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "/echo.api/echo-api-cert.pem")
                    self.end_headers()
                    return
                if self.path == "/truncated":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(server.chain) + 100))
                    self.end_headers()
                    self.wfile.write(server.chain)
                    return
                body = server.chain if self.path.startswith("/echo.api/") else None
                body = server.extra.get(self.path, body)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _drip(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(server.chain)))
                self.end_headers()
                for byte in server.chain:
                    if server._stopping.wait(server.DRIP_SECONDS):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:  # the client gave up
                        return

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
