"""A TLS server on loopback that answers every GET with the test CA's signing chain."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from tests.support.tcp_loopback import LoopbackTcpServer
from tests.support.test_ca import Leaf, default_leaf


class _ChainOverTls(LoopbackTcpServer):
    def __init__(self, context: ssl.SSLContext | None) -> None:
        super().__init__()
        self._context = context

    def serve(self, client: socket.socket) -> None:
        with client:
            if self._context is None:
                self.stopping.wait(10)
                return
            try:
                with self._context.wrap_socket(client, server_side=True) as tls:
                    tls.recv(4096)
                    chain = default_leaf().chain_pem
                    head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(chain)}\r\n\r\n"
                    tls.sendall(head.encode() + chain)
            except (ssl.SSLError, OSError):  # the client refused our certificate
                pass


@contextmanager
def tls_server(tmp_path: Path, leaf: Leaf | None) -> Iterator[int]:
    """A TLS server on loopback answering each GET with the default chain, `leaf` (with its
    key) as its certificate; with leaf None, it accepts and never speaks. Yields the port."""
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
    with _ChainOverTls(context) as server:
        yield server.port
