"""A TCP proxy on loopback that holds back every response for `delay` seconds: a store that is
slow but answering. Requests pass at once; the first bytes the server sends after each request
wait `delay` seconds (settable while running) before they go on to the client. `holds` (also
settable) picks the requests whose answers wait, from their first bytes: all of them unless
set. The DynamoDB operation each request names (its X-Amz-Target header) is noted in
`operations`, in order."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from urllib.parse import urlsplit

from tests.support.tcp_loopback import LoopbackTcpServer

_OPERATION = re.compile(rb"X-Amz-Target: DynamoDB_\d+\.(\w+)", re.IGNORECASE)


class SlowProxy(LoopbackTcpServer):
    def __init__(self, upstream_url: str, delay: float = 0.0) -> None:
        super().__init__()
        upstream = urlsplit(upstream_url)
        self._upstream = (upstream.hostname or "127.0.0.1", upstream.port or 80)
        self.delay = delay
        self.holds: Callable[[bytes], bool] = lambda request: True
        self.operations: list[str] = []

    def serve(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self._upstream)
        except OSError:
            client.close()
            return
        asked = threading.Event()  # a request went up that has had no answer yet
        upward = threading.Thread(target=self._pump, args=(client, server, asked, False))
        upward.start()
        self._pump(server, client, asked, True)
        upward.join()
        client.close()
        server.close()

    def _pump(
        self, source: socket.socket, target: socket.socket, asked: threading.Event, answers: bool
    ) -> None:
        try:
            while data := source.recv(65536):
                if not answers:
                    if operation := _OPERATION.search(data):
                        self.operations.append(operation[1].decode())
                    if self.holds(data):
                        asked.set()
                elif asked.is_set():
                    asked.clear()
                    if self.stopping.wait(self.delay):
                        return
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
