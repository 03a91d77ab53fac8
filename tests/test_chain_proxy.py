"""The signing chain downloaded through an egress proxy (HTTPS_PROXY, NO_PROXY), with a real
CONNECT proxy and a TLS server on loopback."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from skill.config import Settings
from skill.web.app import make_verifier
from skill.web.chain_download import DownloadFailed, fetch_certificate_chain
from tests.support.connect_proxy import ConnectProxy
from tests.support.servers import ChainServer
from tests.support.skill_env import Clock
from tests.support.test_ca import default_ca, default_leaf, signed_headers
from tests.support.tls_server import tls_server
from tests.test_verification import CERT_URL, SKILL_ID, encode, envelope


@pytest.fixture
def trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client trusts the test CA (for the TLS servers below)."""
    (tmp_path / "roots.pem").write_bytes(default_ca().root_pem)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "roots.pem"))


@pytest.fixture
def chain_url(tmp_path: Path, trusted: None) -> Iterator[str]:
    """The chain's URL on a TLS server for localhost."""
    with tls_server(tmp_path, default_ca().issue_leaf(dns_name="localhost")) as port:
        yield f"https://localhost:{port}/echo.api/x.pem"


def test_the_chain_comes_through_the_proxy(chain_url: str) -> None:
    with ConnectProxy() as proxy:
        assert fetch_certificate_chain(chain_url, proxy=proxy.url) == default_leaf().chain_pem
    port = urlsplit(chain_url).port
    assert [head.split("\r\n")[0] for head in proxy.heads] == [f"CONNECT localhost:{port} HTTP/1.1"]
    assert "Proxy-Authorization" not in proxy.heads[0]


def test_credentials_in_the_proxy_url_are_sent_as_basic(chain_url: str) -> None:
    with ConnectProxy() as proxy:
        with_credentials = proxy.url.replace("http://", "http://skill:s%40cret@")
        assert fetch_certificate_chain(chain_url, proxy=with_credentials)
    expected = base64.b64encode(b"skill:s@cret").decode()
    assert f"\r\nProxy-Authorization: Basic {expected}\r\n" in proxy.heads[0]


def test_a_host_no_proxy_names_is_reached_directly(chain_url: str) -> None:
    with ConnectProxy() as proxy:
        chain = fetch_certificate_chain(chain_url, proxy=proxy.url, no_proxy="a.example, localhost")
    assert chain == default_leaf().chain_pem
    assert proxy.heads == []


def test_a_plain_http_mirror_is_reached_directly() -> None:
    with ChainServer(default_leaf().chain_pem) as mirror, ConnectProxy() as proxy:
        chain = fetch_certificate_chain(mirror.url + "/echo.api/x.pem", proxy=proxy.url)
    assert chain == default_leaf().chain_pem
    assert proxy.heads == []


def test_a_proxy_that_refuses_the_tunnel_fails_the_download(chain_url: str) -> None:
    with ConnectProxy("refuse") as proxy, pytest.raises(DownloadFailed, match=r"tunnel.*403"):
        fetch_certificate_chain(chain_url, proxy=proxy.url)


def test_a_proxy_that_never_answers_is_cut_off_at_the_deadline(chain_url: str) -> None:
    with ConnectProxy("silent") as proxy:
        started = time.monotonic()
        with pytest.raises(DownloadFailed, match="timed out"):
            fetch_certificate_chain(chain_url, deadline_s=0.5, proxy=proxy.url)
        assert time.monotonic() - started < 1
    assert len(proxy.heads) == 1


def test_a_proxy_that_is_not_http_is_refused_with_a_reason(chain_url: str) -> None:
    with pytest.raises(DownloadFailed, match="http:// proxy"):
        fetch_certificate_chain(chain_url, proxy="https://proxy.example:3128")


def test_the_settings_read_the_proxy_as_urllib_does() -> None:
    env = {"HTTPS_PROXY": "http://upper:3128", "https_proxy": "http://lower:3128"}
    assert Settings.from_env(env).https_proxy == "http://lower:3128"
    assert Settings.from_env({"NO_PROXY": "localhost"}).no_proxy == "localhost"
    assert Settings.from_env({}).https_proxy is None


def test_a_signed_request_is_verified_with_the_chain_fetched_through_the_proxy(
    tmp_path: Path, trusted: None
) -> None:
    """The web service's verifier, built from settings that name a proxy: it downloads the
    chain from "s3.amazonaws.com" (a local server, where the proxy sends every tunnel)."""
    clock = Clock(default_ca().now)  # the test CA's certificates are valid around its own now
    s3 = default_ca().issue_leaf(dns_name="s3.amazonaws.com")
    with tls_server(tmp_path, s3) as port, ConnectProxy(route_to=("127.0.0.1", port)) as proxy:
        roots = tmp_path / "roots.pem"
        settings = Settings(
            skill_id=SKILL_ID, trusted_roots=roots, trusted_roots_only=True, https_proxy=proxy.url
        )
        verifier = make_verifier(settings, now=clock)
        request = envelope(clock.now - timedelta(seconds=1))
        body = encode(request)
        verifier.verify(signed_headers(body, CERT_URL), body, request)
    assert proxy.heads[0].startswith("CONNECT s3.amazonaws.com:443 HTTP/1.1\r\n")
