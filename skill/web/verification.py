"""Verify that an HTTP request to the self-hosted skill really comes from Alexa.

Mirrors ask_sdk_webservice_support.verifier (whose certvalidator/oscrypto dependency fails on
OpenSSL >= 3.0.10), but checks the SHA-256 `Signature-256` header and works on the raw body
bytes and the parsed JSON dict, so it can run before the body is deserialized.
"""

from __future__ import annotations

import binascii
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from skill.alexa.entry import application_id_problem, lookup
from skill.web.certificates import (
    CertificateFetcher,
    Clock,
    SigningCertificateCache,
    fetch_certificate_chain,
    utc_now,
)
from skill.web.chain_validator import ChainValidator
from skill.web.verification_error import VerificationException

SIGNATURE_CERT_CHAIN_URL_HEADER = "SignatureCertChainUrl"
#: The deprecated SHA-1 signature: its presence alone is not enough.
SIGNATURE_HEADER = "Signature"
SIGNATURE_256_HEADER = "Signature-256"
TIMESTAMP_TOLERANCE_SECONDS = 150.0

Headers = Mapping[str, str]
#: The request body parsed from JSON.
RequestEnvelope = Mapping[str, Any]


class AbstractVerifier(ABC):
    """One check of an incoming request."""

    @abstractmethod
    def verify(
        self,
        headers: Headers,
        serialized_request_env: bytes,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        """Return if the request passes; raise VerificationException if not."""


def _header(headers: Headers, name: str) -> str | None:
    """Case-insensitive lookup: HTTP header names are, plain dicts are not."""
    value = headers.get(name)  # werkzeug's headers (and exact-case dicts) answer at once
    if value is not None:
        return value
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


class RequestVerifier(AbstractVerifier):
    """Checks Signature-256 over the raw body with the certificate at SignatureCertChainUrl."""

    def __init__(self, certificates: SigningCertificateCache) -> None:
        self._certificates = certificates

    def verify(
        self,
        headers: Headers,
        serialized_request_env: bytes,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        cert_url = _header(headers, SIGNATURE_CERT_CHAIN_URL_HEADER)
        signature = _header(headers, SIGNATURE_256_HEADER)
        if cert_url is None:
            raise VerificationException(f"{SIGNATURE_CERT_CHAIN_URL_HEADER} header missing")
        if signature is None:
            sha1_only = _header(headers, SIGNATURE_HEADER) is not None
            note = f" (SHA-1 {SIGNATURE_HEADER} header is not accepted)" if sha1_only else ""
            raise VerificationException(f"{SIGNATURE_256_HEADER} header missing{note}")
        try:  # strict: only the base64 alphabet, padded (ValueError for non-ASCII text too)
            signature_bytes = binascii.a2b_base64(signature, strict_mode=True)
        except ValueError:
            raise VerificationException(f"{SIGNATURE_256_HEADER} header is not base64") from None
        signer = self._certificates.get(cert_url)
        if not signer.public_key.verifies(signature_bytes, serialized_request_env):
            raise VerificationException("signature does not match body")


class TimestampVerifier(AbstractVerifier):
    """Checks that request.timestamp is within the tolerance of now, in either direction."""

    def __init__(
        self, tolerance_seconds: float = TIMESTAMP_TOLERANCE_SECONDS, now: Clock = utc_now
    ) -> None:
        if tolerance_seconds < 0:
            raise ValueError("tolerance_seconds must not be negative")
        self._tolerance_seconds = tolerance_seconds
        self._now = now

    def verify(
        self,
        headers: Headers,
        serialized_request_env: bytes,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        raw = lookup(deserialized_request_env, "request", "timestamp")
        if not isinstance(raw, str):
            raise VerificationException("request.timestamp missing")
        try:
            timestamp = datetime.fromisoformat(raw)
        except ValueError:
            raise VerificationException("request.timestamp is not an ISO 8601 time") from None
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=timezone.utc)
        skew = abs((self._now() - timestamp).total_seconds())
        if skew > self._tolerance_seconds:
            raise VerificationException(
                f"timestamp {math.ceil(skew)} s from now exceeds {self._tolerance_seconds:g} s"
            )


class ApplicationIdVerifier(AbstractVerifier):
    """Checks that the request is addressed to this skill.

    context.System.application.applicationId must be present and equal the skill id, and so
    must session.application's if the request has one (see `application_id_problem`).
    """

    def __init__(self, skill_id: str) -> None:
        self._skill_id = skill_id

    def verify(
        self,
        headers: Headers,
        serialized_request_env: bytes,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        problem = application_id_problem(deserialized_request_env, self._skill_id)
        if problem is not None:
            raise VerificationException(problem)


class AlexaRequestVerifier(AbstractVerifier):
    """Every check Amazon requires of a self-hosted skill, the cheap ones first.

    Timestamp, applicationId (when skill_id is set), then headers present, certificate URL
    rules, certificate chain (which may mean a download) and the signature over the raw body.
    verify_signature=False skips the timestamp and signature checks. Build one per process:
    it holds the certificate cache. Building it checks the trusted roots in the chain-check
    helper (ValueError if they hold no certificate, or if the helper cannot run here).
    """

    def __init__(
        self,
        skill_id: str | None = None,
        *,
        verify_signature: bool = True,
        trusted_roots_pem: bytes | None = None,
        replace_default_roots: bool = False,
        fetcher: CertificateFetcher = fetch_certificate_chain,
        now: Clock = utc_now,
        timestamp_tolerance_seconds: float = TIMESTAMP_TOLERANCE_SECONDS,
    ) -> None:
        self.verifiers: list[AbstractVerifier] = []
        if verify_signature:
            self.verifiers.append(TimestampVerifier(timestamp_tolerance_seconds, now))
        if skill_id:
            self.verifiers.append(ApplicationIdVerifier(skill_id))
        if verify_signature:
            validator = ChainValidator(trusted_roots_pem, replace_default_roots)
            validator.check_roots()
            certificates = SigningCertificateCache(validator, fetcher, now)
            self.verifiers.append(RequestVerifier(certificates))

    def verify(
        self,
        headers: Headers,
        serialized_request_env: bytes,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        for verifier in self.verifiers:
            verifier.verify(headers, serialized_request_env, deserialized_request_env)
