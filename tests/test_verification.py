"""Alexa request verification: real crypto against a test CA, real Amazon chain, real local HTTP."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.web import certificates, chain_validator
from skill.web.certificates import (
    MAX_CACHED_URLS,
    SigningCertificateCache,
    canonical_certificate_url,
)
from skill.web.chain_download import MAX_CHAIN_BYTES, DownloadFailed, fetch_certificate_chain
from skill.web.chain_validation import ChainRejected, trust_store, validate_certificate_chain
from skill.web.chain_validator import ChainValidator
from skill.web.verification import (
    SIGNATURE_256_HEADER,
    SIGNATURE_CERT_CHAIN_URL_HEADER,
    SIGNATURE_HEADER,
    AlexaRequestVerifier,
    CertificateFetcher,
    VerificationException,
)
from tests.support.servers import ChainServer, free_port
from tests.support.skill_env import Clock
from tests.support.test_ca import (
    CERT_URL,
    AlexaTestCA,
    Leaf,
    StaticFetcher,
    default_ca,
    default_leaf,
    signed_headers,
)
from tests.support.tls_server import tls_server

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"
AMAZON_CHAIN = Path(__file__).parent / "fixtures" / "echo-api-cert-12.pem"  # from shared/fixtures


def envelope(timestamp: datetime, skill_id: str = SKILL_ID) -> dict[str, Any]:
    """A minimal LaunchRequest as Alexa sends it."""
    application = {"applicationId": skill_id}
    return {
        "version": "1.0",
        "session": {"new": True, "sessionId": "s", "application": application},
        "context": {"System": {"application": application}},
        "request": {
            "type": "LaunchRequest",
            "requestId": "r",
            "timestamp": timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "locale": "en-US",
        },
    }


def encode(request_env: dict[str, Any]) -> bytes:
    return json.dumps(request_env).encode()


@pytest.fixture
def clock() -> Clock:
    return Clock(default_ca().now)


@pytest.fixture
def fetcher() -> StaticFetcher:
    return StaticFetcher(default_leaf().chain_pem)


def make_verifier(fetcher: CertificateFetcher, clock: Clock) -> AlexaRequestVerifier:
    """A verifier that trusts only the test root."""
    return AlexaRequestVerifier(
        SKILL_ID,
        trusted_roots_pem=default_ca().root_pem,
        replace_default_roots=True,
        fetcher=fetcher,
        now=clock,
    )


def check(
    verifier: AlexaRequestVerifier,
    request_env: dict[str, Any],
    leaf: Leaf | None = None,
    cert_url: str = CERT_URL,
) -> None:
    """Sign request_env with leaf and verify it."""
    body = encode(request_env)
    verifier.verify(signed_headers(body, cert_url, leaf), body, request_env)


def rejects(reason: str) -> pytest.RaisesExc[VerificationException]:
    return pytest.raises(VerificationException, match=reason)


# Signature


def test_accepts_request_signed_by_trusted_chain(fetcher, clock):
    check(make_verifier(fetcher, clock), envelope(clock.now))
    assert fetcher.urls == [CERT_URL]


def test_header_names_are_case_insensitive(fetcher, clock):
    request_env = envelope(clock.now)
    body = encode(request_env)
    headers = {name.lower(): value for name, value in signed_headers(body).items()}
    make_verifier(fetcher, clock).verify(headers, body, request_env)


def test_rejects_tampered_body(fetcher, clock):
    request_env = envelope(clock.now)
    body = encode(request_env)
    headers = signed_headers(body)
    tampered = body.replace(b"LaunchRequest", b"SessionEndedRequest")
    with rejects("^signature does not match body$"):
        make_verifier(fetcher, clock).verify(headers, tampered, json.loads(tampered))


def test_rejects_a_signing_certificate_without_an_rsa_key_and_remembers_it(clock):
    ec_leaf = default_ca().issue_leaf(elliptic_curve=True)
    fetcher = StaticFetcher(ec_leaf.chain_pem)
    verifier = make_verifier(fetcher, clock)
    with rejects("^signing certificate key is not RSA$"):
        check(verifier, envelope(clock.now), ec_leaf)
    with rejects("signing certificate key is not RSA .failed recently"):
        check(verifier, envelope(clock.now), ec_leaf)
    assert fetcher.urls == [CERT_URL]  # refused again without a second download


def test_rejects_signature_by_another_key(fetcher, clock):
    impostor = default_ca().issue_leaf(other_key=True)
    with rejects("signature does not match body"):
        check(
            make_verifier(StaticFetcher(impostor.chain_pem), clock), envelope(clock.now), impostor
        )


def test_rejects_sha1_signature_header_alone(fetcher, clock):
    request_env = envelope(clock.now)
    body = encode(request_env)
    headers = signed_headers(body)
    headers[SIGNATURE_HEADER] = headers.pop(SIGNATURE_256_HEADER)
    with rejects(r"Signature-256 header missing \(SHA-1 Signature header is not accepted\)"):
        make_verifier(fetcher, clock).verify(headers, body, request_env)


@pytest.mark.parametrize(
    ("dropped", "reason"),
    [
        ({SIGNATURE_CERT_CHAIN_URL_HEADER}, "SignatureCertChainUrl header missing"),
        ({SIGNATURE_256_HEADER}, "^Signature-256 header missing$"),
        ({SIGNATURE_CERT_CHAIN_URL_HEADER, SIGNATURE_256_HEADER}, "header missing"),
    ],
)
def test_rejects_missing_headers(fetcher, clock, dropped, reason):
    request_env = envelope(clock.now)
    body = encode(request_env)
    headers = {k: v for k, v in signed_headers(body).items() if k not in dropped}
    with rejects(reason):
        make_verifier(fetcher, clock).verify(headers, body, request_env)
    assert fetcher.urls == []


@pytest.mark.parametrize(
    "signature",
    ["not*base64", "QUJD\n", "QU JD", "QUI", "QUJ-", "QUJDé"],
    ids=["symbol", "newline", "space", "unpadded", "url-safe", "non-ascii"],
)
def test_rejects_signature_that_is_not_base64(fetcher, clock, signature):
    request_env = envelope(clock.now)
    body = encode(request_env)
    headers = signed_headers(body) | {SIGNATURE_256_HEADER: signature}
    with rejects("Signature-256 header is not base64"):
        make_verifier(fetcher, clock).verify(headers, body, request_env)


# Certificate URL rules (Amazon's documented examples plus tricks)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme is not https"),
        ("https://notamazon.com/echo.api/echo-api-cert.pem", "host is not s3.amazonaws.com"),
        ("https://s3.amazonaws.com.evil.com/echo.api/x.pem", "host is not s3.amazonaws.com"),
        ("https://s3.amazonaws.com@evil.com/echo.api/x.pem", "user info"),
        ("https://user@s3.amazonaws.com/echo.api/x.pem", "user info"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port 563 is not 443"),
        ("https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem", "port 8443 is not 443"),
        ("https://s3.amazonaws.com:https/echo.api/x.pem", "port is not a valid number"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "not under /echo.api/"),
        ("https://s3.amazonaws.com/ECHO.API/echo-api-cert.pem", "not under /echo.api/"),
        ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "not under /echo.api/"),
        ("https://s3.amazonaws.com/echo.api/../evil/cert.pem", "path /evil/cert.pem is not"),
        ("https://s3.amazonaws.com/echo.api/./../evil.pem", "not under /echo.api/"),
        ("https://s3.amazonaws.com//echo.api/cert.pem", "not under /echo.api/"),
        ("https://s3.amazonaws.com/echo.api", "not under /echo.api/"),
        ("https://s3.amazonaws.com", "not under /echo.api/"),
        ("https://s3.amazonaws.com/echo.api/%2e%2e/evil.pem", "characters outside"),
        ("https://s3.amazonaws.com/echo.api/..%2fevil.pem", "characters outside"),
        ("https://s3.amazonaws.com/echo.api\\..\\evil.pem", "characters outside"),
        ("https://s3.amazonaws.com/echo.api/cert.pem?x=1", "query or fragment"),
        ("https://s3.amazonaws.com/echo.api/cert.pem#x", "query or fragment"),
        ("s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme is not https"),
        ("", "scheme is not https"),
    ],
)
def test_rejects_bad_certificate_urls_without_fetching(fetcher, clock, url, reason):
    with rejects(reason):
        check(make_verifier(fetcher, clock), envelope(clock.now), cert_url=url)
    assert fetcher.urls == []


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
        "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
    ],
)
def test_accepts_valid_certificate_url_forms_and_fetches_canonical_url(fetcher, clock, url):
    check(make_verifier(fetcher, clock), envelope(clock.now), cert_url=url)
    assert fetcher.urls == [CERT_URL]


@given(st.text(alphabet="/.aeiopc-_%~\\E", max_size=30))
def test_accepted_paths_stay_under_echo_api(path):
    try:
        canonical = canonical_certificate_url("https://s3.amazonaws.com" + path)
    except VerificationException:
        return
    canonical_path = urlsplit(canonical).path
    assert canonical == "https://s3.amazonaws.com" + canonical_path
    assert canonical_path.startswith("/echo.api/")
    assert ".." not in canonical_path.split("/")
    assert canonical_certificate_url(canonical) == canonical


# Certificate chain


@pytest.mark.parametrize(
    ("leaf_options", "reason"),
    [
        (
            {"not_after": default_ca().now - timedelta(hours=1)},
            "cert is not valid at validation time",
        ),
        (
            {"not_before": default_ca().now + timedelta(hours=1)},
            "cert is not valid at validation time",
        ),
        ({"dns_name": "evil-api.amazon.com"}, "leaf certificate has no matching subjectAltName"),
        ({"dns_name": "*.amazon.com"}, "the leaf does not name echo-api.amazon.com itself"),
    ],
    ids=["expired", "not-yet-valid", "wrong-san", "wildcard-san-only"],
)
def test_rejects_bad_leaf(clock, leaf_options, reason):
    leaf = default_ca().issue_leaf(**leaf_options)
    with rejects(f"^certificate chain rejected: {reason}$"):
        check(make_verifier(StaticFetcher(leaf.chain_pem), clock), envelope(clock.now), leaf)


@pytest.mark.parametrize("include_root", [False, True], ids=["untrusted-ca", "self-signed-root"])
def test_rejects_untrusted_chain(clock, include_root):
    leaf = AlexaTestCA("Impostor", now=clock.now).issue_leaf(include_root=include_root)
    with rejects("^certificate chain rejected: no path to a trusted root$"):
        check(make_verifier(StaticFetcher(leaf.chain_pem), clock), envelope(clock.now), leaf)


def test_rejects_chain_that_is_not_pem(clock):
    with rejects("holds no PEM certificate"):
        check(
            make_verifier(StaticFetcher(b"<html>Access Denied</html>"), clock), envelope(clock.now)
        )


def test_default_roots_do_not_trust_test_ca(fetcher, clock):
    verifier = AlexaRequestVerifier(SKILL_ID, fetcher=fetcher, now=clock)
    with rejects("no path to a trusted root"):
        check(verifier, envelope(clock.now))


def test_extra_trusted_roots_add_to_default_roots(fetcher, clock):
    verifier = AlexaRequestVerifier(
        SKILL_ID, trusted_roots_pem=default_ca().root_pem, fetcher=fetcher, now=clock
    )
    check(verifier, envelope(clock.now))


@pytest.mark.parametrize(
    ("pem", "replace", "reason"),
    [(None, True, "needs trusted_roots_pem"), (b"no certificates here", False, "no certificate")],
)
def test_trust_store_configuration_errors(pem, replace, reason):
    with pytest.raises(ValueError, match=reason):
        trust_store(pem, replace)
    with pytest.raises(ValueError, match=reason):  # found when the verifier is built
        AlexaRequestVerifier(SKILL_ID, trusted_roots_pem=pem, replace_default_roots=replace)


@pytest.mark.parametrize(
    "now",
    [datetime(2023, 3, 16, 0, 0, 1), datetime(2023, 8, 1), datetime(2023, 12, 23, 23, 59, 58)],
)
def test_real_amazon_chain_validates_to_amazon_root_inside_its_window(now):
    path = validate_certificate_chain(
        AMAZON_CHAIN.read_bytes(), trust_store(), now.replace(tzinfo=timezone.utc)
    )
    assert [c.subject.rfc4514_string() for c in path] == [
        "CN=echo-api.amazon.com",
        "CN=Amazon RSA 2048 M01,O=Amazon,C=US",
        "CN=Amazon Root CA 1,O=Amazon,C=US",
    ]


@pytest.mark.parametrize("now", [datetime(2023, 3, 15, 23, 59), datetime(2023, 12, 24, 0, 0, 1)])
def test_real_amazon_chain_fails_outside_its_window(now):
    with pytest.raises(ChainRejected, match="not valid at validation time"):
        validate_certificate_chain(
            AMAZON_CHAIN.read_bytes(), trust_store(), now.replace(tzinfo=timezone.utc)
        )


def test_real_amazon_chain_through_the_cache():
    chain = AMAZON_CHAIN.read_bytes()
    cache = SigningCertificateCache(
        ChainValidator(), StaticFetcher(chain), Clock(datetime(2023, 8, 1, tzinfo=timezone.utc))
    )
    signer = cache.get("https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem")
    assert signer.subject == "CN=echo-api.amazon.com"
    assert signer.public_key.modulus.bit_length() == 2048
    assert signer.expires == datetime(2023, 12, 23, 23, 59, 59, tzinfo=timezone.utc)


# Timestamp


@pytest.mark.parametrize("skew", [timedelta(seconds=150), timedelta(seconds=-150)])
def test_accepts_timestamp_within_150_seconds(fetcher, clock, skew):
    check(make_verifier(fetcher, clock), envelope(clock.now + skew))


@pytest.mark.parametrize(
    ("skew", "reason"),
    [
        (timedelta(seconds=-151), "^timestamp 151 s from now exceeds 150 s$"),
        (timedelta(seconds=212), "^timestamp 212 s from now exceeds 150 s$"),
        (timedelta(days=-1), "timestamp 86400 s"),
    ],
)
def test_rejects_stale_or_future_timestamp(fetcher, clock, skew, reason):
    with rejects(reason):
        check(make_verifier(fetcher, clock), envelope(clock.now + skew))


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [(None, "timestamp missing"), (1700000000, "timestamp missing"), ("yesterday", "not an ISO")],
)
def test_rejects_missing_or_unparseable_timestamp(fetcher, clock, timestamp, reason):
    request_env = envelope(clock.now)
    request_env["request"]["timestamp"] = timestamp
    with rejects(reason):
        check(make_verifier(fetcher, clock), request_env)


def test_accepts_timestamp_with_milliseconds(fetcher, clock):
    request_env = envelope(clock.now)
    request_env["request"]["timestamp"] = clock.now.strftime("%Y-%m-%dT%H:%M:%S.123Z")
    check(make_verifier(fetcher, clock), request_env)


# Application id


def test_rejects_wrong_skill_id(fetcher, clock):
    with rejects("^applicationId 'amzn1.ask.skill.other' is not this skill$"):
        check(make_verifier(fetcher, clock), envelope(clock.now, "amzn1.ask.skill.other"))


def test_rejects_wrong_session_skill_id_even_with_right_context(fetcher, clock):
    request_env = envelope(clock.now)
    request_env["session"]["application"] = {"applicationId": "amzn1.ask.skill.other"}
    with rejects("is not this skill"):
        check(make_verifier(fetcher, clock), request_env)


def test_rejects_skill_id_in_session_only(fetcher, clock):
    """Alexa always sends context.System.application, and the SDK reads the ID there."""
    request_env = envelope(clock.now)
    del request_env["context"]
    with rejects("request has no context.System.application.applicationId"):
        check(make_verifier(fetcher, clock), request_env)


def test_rejects_request_without_application_id(fetcher, clock):
    request_env = envelope(clock.now)
    del request_env["context"], request_env["session"]
    with rejects("request has no context.System.application.applicationId"):
        check(make_verifier(fetcher, clock), request_env)


def test_without_skill_id_any_application_is_accepted(fetcher, clock):
    verifier = AlexaRequestVerifier(
        None, trusted_roots_pem=default_ca().root_pem, fetcher=fetcher, now=clock
    )
    check(verifier, envelope(clock.now, "amzn1.ask.skill.other"))


def test_signature_checks_can_be_disabled_but_skill_id_still_applies(clock):
    verifier = AlexaRequestVerifier(SKILL_ID, verify_signature=False)
    stale = envelope(clock.now - timedelta(days=1))
    verifier.verify({}, encode(stale), stale)
    wrong = envelope(clock.now, "amzn1.ask.skill.other")
    with rejects("is not this skill"):
        verifier.verify({}, encode(wrong), wrong)


# Download failures and the cache


@pytest.fixture
def short_failure_memory(monkeypatch: pytest.MonkeyPatch) -> float:
    """Failed chain URLs are remembered for 0.3 s instead of FAILURE_TTL_S."""
    monkeypatch.setattr(certificates, "FAILURE_TTL_S", 0.3)
    return 0.3


def test_fetch_failure_is_remembered_briefly_then_retried(fetcher, clock, short_failure_memory):
    calls = []

    def flaky(url: str) -> bytes:
        calls.append(url)
        if len(calls) == 1:
            raise TimeoutError("timed out")
        return fetcher(url)

    verifier = make_verifier(flaky, clock)
    with rejects("^could not download certificate chain: timed out$"):
        check(verifier, envelope(clock.now))
    with rejects("^could not download certificate chain: timed out .failed recently"):
        check(verifier, envelope(clock.now))
    assert len(calls) == 1  # the second request did not download again
    time.sleep(short_failure_memory)
    check(verifier, envelope(clock.now))
    assert len(calls) == 2


def test_failed_validation_is_remembered_briefly(fetcher, clock, short_failure_memory):
    fetcher.pem = default_ca().issue_leaf(dns_name="evil-api.amazon.com").chain_pem
    verifier = make_verifier(fetcher, clock)
    for _ in range(3):
        with rejects("no matching subjectAltName"):
            check(verifier, envelope(clock.now))
    assert len(fetcher.urls) == 1
    fetcher.pem = default_leaf().chain_pem
    time.sleep(short_failure_memory)
    check(verifier, envelope(clock.now))
    assert len(fetcher.urls) == 2


def test_cache_downloads_once_until_the_leaf_expires(fetcher, clock):
    verifier = make_verifier(fetcher, clock)
    for _ in range(20):
        check(verifier, envelope(clock.now))
    assert len(fetcher.urls) == 1

    clock.advance(days=30, seconds=1)  # just past default_leaf()'s not_valid_after
    renewed = default_ca().issue_leaf(
        not_before=clock.now - timedelta(days=1), not_after=clock.now + timedelta(days=30)
    )
    fetcher.pem = renewed.chain_pem
    check(verifier, envelope(clock.now), renewed)
    check(verifier, envelope(clock.now), renewed)
    assert len(fetcher.urls) == 2


def test_cache_is_shared_by_equivalent_url_forms(fetcher, clock):
    verifier = make_verifier(fetcher, clock)
    check(
        verifier,
        envelope(clock.now),
        cert_url="https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    )
    check(
        verifier,
        envelope(clock.now),
        cert_url="HTTPS://S3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    )
    assert len(fetcher.urls) == 1


def run_together(count: int, work) -> list[BaseException | None]:
    """Run `work` in `count` threads started at once; each one's exception or None."""
    start = threading.Barrier(count)
    outcomes: list[BaseException | None] = [None] * count

    def worker(index: int) -> None:
        start.wait()
        try:
            work()
        except BaseException as exc:  # reported by the caller
            outcomes[index] = exc

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_requests_download_once(clock):
    fetcher = StaticFetcher(default_leaf().chain_pem, delay_seconds=0.2)
    verifier = make_verifier(fetcher, clock)
    assert run_together(8, lambda: check(verifier, envelope(clock.now))) == [None] * 8
    assert len(fetcher.urls) == 1


def test_concurrent_requests_share_one_failed_download(clock):
    fetcher = StaticFetcher(b"<html>Access Denied</html>", delay_seconds=0.2)
    verifier = make_verifier(fetcher, clock)
    outcomes = run_together(8, lambda: check(verifier, envelope(clock.now)))
    assert all(isinstance(outcome, VerificationException) for outcome in outcomes)
    assert all("holds no PEM certificate" in str(outcome) for outcome in outcomes)
    assert len(fetcher.urls) == 1


def slow_helper(seconds: float) -> list[str]:
    """The real helper's command, changed to start it `seconds` late."""
    python, *flags, helper = chain_validator.helper_command()
    start_late = (
        f"import runpy, sys, time; time.sleep({seconds}); "
        "runpy.run_path(sys.argv[1], run_name='__main__')"
    )
    return [python, *flags, "-c", start_late, helper]


def test_at_most_four_chains_are_fetched_and_checked_at_once(
    clock, short_failure_memory, monkeypatch
):
    """The limit covers the check's helper process too, not only the download."""
    slow = slow_helper(0.6)
    monkeypatch.setattr(chain_validator, "helper_command", lambda: slow)
    fetcher = StaticFetcher(default_leaf().chain_pem)  # downloads at once: the checks are slow
    cache = SigningCertificateCache(ChainValidator(default_ca().root_pem, True), fetcher, clock)
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{number}.pem" for number in range(5)]
    with ThreadPoolExecutor(4) as pool:
        running = [pool.submit(cache.get, url) for url in urls[:4]]
        time.sleep(0.3)
        assert len(fetcher.urls) == 4  # all four downloaded, all four being checked
        with rejects("^too many certificate chain downloads at once$"):
            cache.get(urls[4])
        signers = [future.result() for future in running]
    assert {signer.subject for signer in signers} == {"CN=echo-api.amazon.com"}
    time.sleep(short_failure_memory)
    cache.get(urls[4])  # once the others are done and the refusal is forgotten
    assert len(fetcher.urls) == 5


def printing(answer: object) -> list[str]:
    """A helper that prints `answer` as JSON, whatever it was asked."""
    return [sys.executable, "-c", "import sys; print(sys.argv[1])", json.dumps(answer)]


def key_answer(**changes: object) -> dict[str, object]:
    """A well-formed answer for the test root's key, with `changes`."""
    modulus = default_ca().root.public_key().public_numbers().n
    answer = {
        "modulus": format(modulus, "x"),
        "exponent": 65537,
        "subject": "CN=echo-api.amazon.com",
    }
    return {**answer, "expires": "2030-01-01T00:00:00+00:00", **changes}


CHECK = "certificate chain check"


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ([sys.executable, "-c", "import time; time.sleep(30)"], f"{CHECK} timed out"),
        ([sys.executable, "-c", "import sys; sys.exit(3)"], rf"{CHECK} failed \(exit status 3\)"),
        ([sys.executable, "-c", "print('Traceback ...')"], f"{CHECK} gave no answer"),
        (printing([1, 2]), f"{CHECK} gave no answer"),
        (["/nonexistent/python3"], f"{CHECK} could not start: .*No such file.*"),
        (printing(key_answer(modulus="zz")), f"{CHECK} gave a malformed answer"),
        (printing(key_answer(exponent="65537")), f"{CHECK} gave a malformed answer"),
        (printing(key_answer(expires="2030-01-01T00:00:00")), f"{CHECK} gave a malformed answer"),
        (
            printing(key_answer(modulus="ff")),
            "signing certificate key refused: RSA modulus must be odd and at least 2048 bits",
        ),
    ],
    ids=[
        "hangs",
        "crashes",
        "prints-junk",
        "prints-a-list",
        "missing",
        "bad-modulus",
        "exponent-as-text",
        "expiry-without-offset",
        "weak-key",
    ],
)
def test_a_helper_that_fails_rejects_the_request_and_is_remembered(
    clock, fetcher, monkeypatch, command, reason
):
    monkeypatch.setattr(chain_validator, "VALIDATION_DEADLINE_S", 1.0)
    monkeypatch.setattr(chain_validator, "helper_command", lambda: command)
    cache = SigningCertificateCache(ChainValidator(default_ca().root_pem, True), fetcher, clock)
    with rejects(f"^{reason}$"):
        cache.get(CERT_URL)
    with rejects("failed recently"):
        cache.get(CERT_URL)
    assert fetcher.urls == [CERT_URL]  # one download, one helper run


def test_a_well_formed_answer_is_used(clock, fetcher, monkeypatch):
    """The same printing helper with a good answer: the failures above are the answers'."""
    monkeypatch.setattr(chain_validator, "helper_command", lambda: printing(key_answer()))
    cache = SigningCertificateCache(ChainValidator(default_ca().root_pem, True), fetcher, clock)
    signer = cache.get(CERT_URL)
    assert signer.expires == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert signer.public_key.modulus == default_ca().root.public_key().public_numbers().n


def test_a_rejected_chain_is_not_checked_again_from_another_url(clock, monkeypatch):
    """Amazon's bucket keeps old, expired chains: naming them one after another under new URLs
    must not start a helper process for each."""
    expired = default_ca().issue_leaf(not_after=default_ca().now - timedelta(hours=1))
    fetcher = StaticFetcher(expired.chain_pem)
    validator = ChainValidator(default_ca().root_pem, True)
    cache = SigningCertificateCache(validator, fetcher, clock)
    expired_reason = "certificate chain rejected: cert is not valid at validation time"
    with rejects(f"^{expired_reason}$"):
        cache.get("https://s3.amazonaws.com/echo.api/old-1.pem")
    real_helper = chain_validator.helper_command
    monkeypatch.setattr(chain_validator, "helper_command", lambda: ["/nonexistent/python3"])
    for number in range(2, 40):  # more URLs than the cache keeps; a helper run would fail
        with rejects(f"^{expired_reason} .the same chain was rejected recently.$"):
            cache.get(f"https://s3.amazonaws.com/echo.api/old-{number}.pem")
    monkeypatch.setattr(chain_validator, "helper_command", real_helper)
    assert validator.validate(default_leaf().chain_pem, clock.now).subject  # others are checked
    monkeypatch.setattr(chain_validator, "REJECTION_MEMORY_S", 0.0)
    forgetful = ChainValidator(default_ca().root_pem, True)
    for _ in range(2):  # checked by the helper both times
        with rejects(f"^{expired_reason}$"):
            forgetful.validate(expired.chain_pem, clock.now)


def test_a_helper_that_cannot_run_stops_the_start(monkeypatch):
    monkeypatch.setattr(chain_validator, "helper_command", lambda: ["/nonexistent/python3"])
    with pytest.raises(ValueError, match="could not start"):
        AlexaRequestVerifier(SKILL_ID, trusted_roots_pem=default_ca().root_pem)


# The default fetcher against a real local HTTP server


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """http://127.0.0.1:port serving the default chain at /echo.api/*, plus /slow and /big*."""
    extra = {"/big": b"x" * (MAX_CHAIN_BYTES + 1), "/just-fits": b"x" * MAX_CHAIN_BYTES}
    with ChainServer(default_leaf().chain_pem, extra) as chain_server:
        yield chain_server.url


def test_default_fetcher_downloads_from_http_server(server):
    assert (
        fetch_certificate_chain(server + "/echo.api/echo-api-cert.pem") == default_leaf().chain_pem
    )


def test_default_fetcher_times_out(server):
    started = time.monotonic()
    with pytest.raises(DownloadFailed, match="timed out"):
        fetch_certificate_chain(server + "/slow", deadline_s=0.3)
    assert time.monotonic() - started < 1


def test_one_deadline_covers_the_whole_download(server):
    """A server dripping a byte every 0.25 s never lets a single read wait 1 s, yet the
    download as a whole is cut at its deadline."""
    started = time.monotonic()
    with pytest.raises(DownloadFailed, match="timed out"):
        fetch_certificate_chain(server + "/echo.api/drip/x.pem", deadline_s=1.0)
    assert 0.9 < time.monotonic() - started < 1.5


def test_default_fetcher_caps_size(server):
    assert len(fetch_certificate_chain(server + "/just-fits")) == MAX_CHAIN_BYTES
    with pytest.raises(DownloadFailed, match=f"response exceeds {MAX_CHAIN_BYTES} bytes"):
        fetch_certificate_chain(server + "/big")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "HTTP status 404"),
        ("/redirect", "HTTP status 302 .redirects are not followed"),
        ("/truncated", "Content-Length says"),
    ],
)
def test_default_fetcher_refuses_errors_redirects_and_short_bodies(server, path, reason):
    with pytest.raises(DownloadFailed, match=reason):
        fetch_certificate_chain(server + path)


def test_default_fetcher_refuses_a_closed_port():
    with pytest.raises(DownloadFailed, match="refused"):
        fetch_certificate_chain(f"http://127.0.0.1:{free_port()}/echo.api/x.pem")


def test_default_fetcher_gives_up_on_a_tls_handshake_that_never_comes(tmp_path):
    with tls_server(tmp_path, None) as port:
        started = time.monotonic()
        with pytest.raises(DownloadFailed, match="timed out"):
            fetch_certificate_chain(f"https://127.0.0.1:{port}/echo.api/x.pem", deadline_s=0.5)
        assert time.monotonic() - started < 1


def test_default_fetcher_downloads_over_tls_only_from_a_trusted_server(tmp_path, monkeypatch):
    """localhost: its IPv6 address (where nothing listens) may come first, then 127.0.0.1."""
    leaf = default_ca().issue_leaf(dns_name="localhost")
    with tls_server(tmp_path, leaf) as port:
        url = f"https://localhost:{port}/echo.api/x.pem"
        with pytest.raises(DownloadFailed, match="CERTIFICATE_VERIFY_FAILED"):
            fetch_certificate_chain(url)
        (tmp_path / "roots.pem").write_bytes(default_ca().root_pem)
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "roots.pem"))
        assert fetch_certificate_chain(url) == default_leaf().chain_pem


def local(server: str, path: str | None = None, deadline_s: float = 0.3) -> CertificateFetcher:
    """The default fetcher, sent to the local server instead of s3.amazonaws.com."""
    return lambda url: fetch_certificate_chain(
        server + (path or urlsplit(url).path), deadline_s=deadline_s
    )


def test_verifier_with_default_fetcher_end_to_end(server, clock):
    check(make_verifier(local(server), clock), envelope(clock.now))


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/slow", "could not download certificate chain: .*timed out"),
        ("/big", f"could not download certificate chain: response exceeds {MAX_CHAIN_BYTES} bytes"),
        ("/missing", "could not download certificate chain: HTTP status 404"),
    ],
)
def test_verifier_rejects_download_failures_end_to_end(server, clock, path, reason):
    with rejects(reason):
        check(make_verifier(local(server, path), clock), envelope(clock.now))


def test_failing_urls_never_push_out_a_good_certificate(fetcher, clock):
    cache = SigningCertificateCache(ChainValidator(default_ca().root_pem, True), fetcher, clock)
    cache.get(CERT_URL)
    fetcher.pem = b"not a certificate"
    for number in range(MAX_CACHED_URLS + 4):  # anyone can name any path under /echo.api/
        with pytest.raises(VerificationException):
            cache.get(f"https://s3.amazonaws.com/echo.api/forged-{number}.pem")
    assert len(cache) == MAX_CACHED_URLS
    downloads = len(fetcher.urls)
    cache.get(CERT_URL)
    assert len(fetcher.urls) == downloads  # still cached
    fetcher.pem = default_leaf().chain_pem
    for number in range(MAX_CACHED_URLS + 4):
        cache.get(f"https://s3.amazonaws.com/echo.api/cert-{number}.pem")
    assert len(cache) == MAX_CACHED_URLS


def test_cheap_checks_run_before_any_download(fetcher, clock):
    stale = envelope(clock.now - timedelta(seconds=151))
    with rejects("timestamp 151 s from now exceeds 150 s"):
        check(make_verifier(fetcher, clock), stale)
    assert fetcher.urls == []
