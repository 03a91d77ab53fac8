"""Alexa's request-signing certificate: the URL rules, and a cache of validated certificates by
URL (downloaded by `chain_download`, validated by `chain_validator`).

Rules: https://developer.amazon.com/en-US/docs/alexa/custom-skills/host-a-custom-skill-as-a-web-service.html
"""

from __future__ import annotations

import posixpath
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

from skill.budget import BudgetSpent, call_timeout
from skill.web.chain_download import DOWNLOAD_DEADLINE_S, fetch_certificate_chain
from skill.web.chain_validator import VALIDATION_DEADLINE_S, ChainValidator, SigningCertificate
from skill.web.verification_error import VerificationException

CERT_CHAIN_URL_PROTOCOL = "https"
CERT_CHAIN_URL_HOSTNAME = "s3.amazonaws.com"
CERT_CHAIN_URL_PORT = 443
CERT_CHAIN_URL_STARTPATH = "/echo.api/"

MAX_CACHED_URLS = 16
FAILURE_TTL_S = 5.0  # a URL whose chain failed is refused without a new download this long
# waiting on another request's download and check of the same chain (less if the request's
# budget has less left)
WAIT_FOR_DOWNLOAD_S = DOWNLOAD_DEADLINE_S + VALIDATION_DEADLINE_S + 1.0
MAX_CONCURRENT_DOWNLOADS = 4  # downloads (and checks) of different URLs at once; more are refused

#: Downloads a certificate chain (PEM bytes) from a URL; raises on any failure.
CertificateFetcher = Callable[[str], bytes]
#: Returns the current time as an aware UTC datetime.
Clock = Callable[[], datetime]

# Unreserved URL characters and "/": no percent-encoding, backslashes or spaces to reinterpret.
_URL_PATH_CHARACTERS = re.compile(r"[A-Za-z0-9._~/-]*")


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(timezone.utc)


def canonical_certificate_url(url: str) -> str:
    """Check a SignatureCertChainUrl against Amazon's rules; return the normalised URL to fetch."""
    parts = urlsplit(url)
    if parts.scheme.lower() != CERT_CHAIN_URL_PROTOCOL:
        raise VerificationException(f"certificate URL scheme is not {CERT_CHAIN_URL_PROTOCOL}")
    if "@" in parts.netloc:
        raise VerificationException("certificate URL must not carry user info")
    if parts.hostname != CERT_CHAIN_URL_HOSTNAME:  # hostname is lower-cased by urlsplit
        raise VerificationException(f"certificate URL host is not {CERT_CHAIN_URL_HOSTNAME}")
    try:
        port = parts.port
    except ValueError:
        raise VerificationException("certificate URL port is not a valid number") from None
    if port not in (None, CERT_CHAIN_URL_PORT):
        raise VerificationException(f"certificate URL port {port} is not {CERT_CHAIN_URL_PORT}")
    if parts.query or parts.fragment:
        raise VerificationException("certificate URL must not have a query or fragment")
    if not _URL_PATH_CHARACTERS.fullmatch(parts.path):
        raise VerificationException("certificate URL path has characters outside [A-Za-z0-9._~/-]")
    path = posixpath.normpath(parts.path)
    if not path.startswith(CERT_CHAIN_URL_STARTPATH):
        raise VerificationException(
            f"certificate URL path {path} is not under {CERT_CHAIN_URL_STARTPATH}"
        )
    return f"{CERT_CHAIN_URL_PROTOCOL}://{CERT_CHAIN_URL_HOSTNAME}{path}"


@dataclass
class _CacheEntry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Replaced whole, never changed: the hot path reads it without taking a lock.
    signer: SigningCertificate | None = None
    failure: str | None = None  # why the last download or validation failed
    retry_after: float = 0.0  # time.monotonic() before which the failure is repeated


class SigningCertificateCache:
    """Signing certificates by chain URL: fetched and validated once, kept until the chain expires.

    Thread-safe: concurrent requests for one URL share a single download (the others wait for
    it); requests for a cached URL never wait for another URL's download. A URL that failed is
    refused for FAILURE_TTL_S without a new download. At most MAX_CACHED_URLS URLs are kept
    (failures are dropped first), and MAX_CONCURRENT_DOWNLOADS downloads, each with its chain
    check, run at once.
    """

    def __init__(
        self,
        validator: ChainValidator,
        fetcher: CertificateFetcher = fetch_certificate_chain,
        now: Clock = utc_now,
    ) -> None:
        self._validator = validator
        self._fetcher = fetcher
        self._now = now
        self._lock = threading.Lock()
        self._downloads = threading.BoundedSemaphore(MAX_CONCURRENT_DOWNLOADS)
        self._entries: dict[str, _CacheEntry] = {}
        self._canonical: dict[str, str] = {}  # URL as sent -> URL as checked

    def __len__(self) -> int:
        """How many chain URLs are cached, with a certificate or a recent failure."""
        return len(self._entries)

    def get(self, url: str) -> SigningCertificate:
        """The validated signing certificate behind a SignatureCertChainUrl.

        A URL seen before whose certificate is still valid is answered without taking a lock:
        with many threads, a lock every request shares is a queue whenever its holder has to
        wait for Python's GIL."""
        canonical_url = self._canonical.get(url)
        if canonical_url is not None:
            entry = self._entries.get(canonical_url)
            signer = None if entry is None else entry.signer
            if signer is not None and self._now() <= signer.expires:
                return signer
        else:
            canonical_url = canonical_certificate_url(url)
        with self._lock:
            entry = self._entries.get(canonical_url)
            if entry is None:
                self._make_room()
                entry = self._entries[canonical_url] = _CacheEntry()
        try:
            wait = call_timeout(WAIT_FOR_DOWNLOAD_S)
        except BudgetSpent:
            wait = 0.0
        if not entry.lock.acquire(timeout=wait):
            raise VerificationException("gave up waiting for the certificate chain download")
        try:
            signer = self._cached_or_fetched(canonical_url, entry)
        finally:
            entry.lock.release()
        with self._lock:
            if len(self._canonical) >= MAX_CACHED_URLS:
                self._canonical.clear()
            self._canonical[url] = canonical_url
        return signer

    def _cached_or_fetched(self, url: str, entry: _CacheEntry) -> SigningCertificate:
        """The entry's certificate, downloaded if need be. Called with the entry's lock held."""
        now = self._now()
        if entry.signer is not None and now <= entry.signer.expires:
            return entry.signer
        if entry.failure is not None and time.monotonic() < entry.retry_after:
            raise VerificationException(f"{entry.failure} (failed recently, not retried yet)")
        try:
            entry.signer = self._fetch_and_validate(url, now)
        except VerificationException as error:
            entry.signer, entry.failure = None, str(error)
            entry.retry_after = time.monotonic() + FAILURE_TTL_S
            raise
        entry.failure = None
        return entry.signer

    def _fetch_and_validate(self, url: str, now: datetime) -> SigningCertificate:
        if not self._downloads.acquire(blocking=False):
            raise VerificationException("too many certificate chain downloads at once")
        try:  # the check's helper process counts with its download
            try:
                chain_pem = self._fetcher(url)
            except Exception as exc:  # any fetcher failure rejects the request
                reason = f"could not download certificate chain: {exc}"
                raise VerificationException(reason) from exc
            return self._validator.validate(chain_pem, now)
        finally:
            self._downloads.release()

    def _make_room(self) -> None:
        """Keep at most MAX_CACHED_URLS entries (Amazon uses one or two URLs at a time):
        failed URLs go first, then the oldest. Called with the lock held."""
        while len(self._entries) >= MAX_CACHED_URLS:
            failed = (url for url, entry in self._entries.items() if entry.failure is not None)
            del self._entries[next(failed, next(iter(self._entries)))]
