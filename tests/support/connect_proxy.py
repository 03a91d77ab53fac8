"""An HTTP proxy on loopback that only tunnels (CONNECT), as an egress proxy does for https.

`ConnectProxy(answer)` records the head of every request it gets (`heads`). With answer
"tunnel" it connects to the requested host and port (or to `route_to`, whatever was asked:
s3.amazonaws.com played by a local server), says 200 and relays bytes both ways; with "refuse"
it says 403 Forbidden; with "silent" it accepts and never answers.
"""

from __future__ import annotations

import socket
import threading
from typing import Literal

from tests.support.tcp_loopback import LoopbackTcpServer

Answer = Literal["tunnel", "refuse", "silent"]
MAX_HEAD_BYTES = 16 * 1024


class ConnectProxy(LoopbackTcpServer):
    def __init__(self, answer: Answer = "tunnel", route_to: tuple[str, int] | None = None) -> None:
        super().__init__()
        self.answer = answer
        self.route_to = route_to
        self.heads: list[str] = []

    def serve(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < MAX_HEAD_BYTES:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            self.heads.append(head.decode("latin-1"))
            if self.answer == "silent":
                self.stopping.wait(10)
                return
            method, target, _ = head.split(b" ", 2)
            if self.answer == "refuse" or method != b"CONNECT":
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            host, _, port = target.decode("ascii").rpartition(":")
            address = self.route_to or (host.strip("[]"), int(port))
            with socket.create_connection(address, timeout=5) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                relay = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
                relay.start()
                _pipe(client, upstream)
                relay.join(timeout=5)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes from source to sink until source closes; then close sink's sending side."""
    try:
        while chunk := source.recv(16384):
            sink.sendall(chunk)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the other side went away
