"""The start, accept loop and stop shared by the tests' TCP servers on loopback."""

from __future__ import annotations

import socket
import threading
from typing import Self


class LoopbackTcpServer:
    """Listens on 127.0.0.1 (a free port) while entered; each connection is given to `serve`
    in a thread of its own. `stopping` is set on leaving, for handlers that wait."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.stopping = threading.Event()
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._accepting.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        socket.create_connection(self._listener.getsockname()).close()  # wakes accept()
        self._accepting.join(timeout=5)
        self._listener.close()

    def serve(self, client: socket.socket) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        while not self.stopping.is_set():
            client, _ = self._listener.accept()
            if self.stopping.is_set():
                client.close()
                return
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()
