"""A TLS server on loopback that answers every GET with the test CA's signing chain."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from tests.support.test_ca import Leaf, default_leaf


@contextmanager
def tls_server(tmp_path: Path, leaf: Leaf | None) -> Iterator[int]:
    """A TLS server on loopback answering each GET with the default chain, `leaf` (with its
    key) as its certificate; with leaf None, it accepts and never speaks. Yields the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    stopping = threading.Event()
    context = None
    if leaf is not None:
        (tmp_path / "server.pem").write_bytes(leaf.chain_pem)
        key = leaf.signing_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        (tmp_path / "server.key").write_bytes(key)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")

    def answer(connection: socket.socket) -> None:
        with connection:
            if context is None:
                stopping.wait(10)
                return
            try:
                with context.wrap_socket(connection, server_side=True) as tls:
                    tls.recv(4096)
                    chain = default_leaf().chain_pem
                    head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(chain)}\r\n\r\n"
                    tls.sendall(head.encode() + chain)
            except (ssl.SSLError, OSError):  # the client refused our certificate
                pass

    def accept() -> None:
        while True:
            connection, _ = listener.accept()
            if stopping.is_set():
                connection.close()
                return
            threading.Thread(target=answer, args=(connection,), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    port = listener.getsockname()[1]
    try:
        yield port
    finally:
        stopping.set()
        socket.create_connection(("127.0.0.1", port)).close()
        acceptor.join(timeout=5)
        listener.close()
