"""The web worker's side of chain validation: it runs `chain_validation.py` in a short-lived
process and turns its answer into a `SigningCertificate` (or a `VerificationException`).

A worker checks each chain URL's chain once and keeps the key until the chain expires, so
this costs one process start (about 0.1 s) on the first request that names a new chain URL,
and keeps `cryptography` out of the long-lived workers (see `chain_validation`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from skill.budget import BudgetSpent, call_timeout
from skill.web.rsa_pkcs1 import RsaSha256PublicKey
from skill.web.verification_error import VerificationException

log = logging.getLogger(__name__)

#: The helper, run as a file: `-P` keeps its folder off sys.path, and it imports no `skill`.
HELPER = Path(__file__).with_name("chain_validation.py")
VALIDATION_DEADLINE_S = 5.0  # the helper starts in about 0.1 s
# A chain the helper rejected is rejected again without a new run for this long, whatever URL
# served it: old, expired chains under /echo.api/ must not each cost a process start.
REJECTION_MEMORY_S = 600.0
MAX_REMEMBERED_REJECTIONS = 64


@dataclass(frozen=True, slots=True)
class SigningCertificate:
    """A validated signing certificate: its RSA key, its subject, and when the chain expires."""

    public_key: RsaSha256PublicKey
    subject: str
    expires: datetime


def helper_command() -> list[str]:
    """The command that runs the helper with this interpreter. `PYTHONPATH` and the rest of
    the environment are passed on: they may be where `cryptography` was installed."""
    if not sys.executable:
        raise VerificationException("no Python interpreter to run the certificate chain check")
    return [sys.executable, "-P", str(HELPER)]


def helper_request(
    chain_pem: bytes | None,
    trusted_roots_pem: bytes | None,
    replace_default_roots: bool,
    now: datetime | None,
) -> bytes:
    """The helper's stdin: the chain (None: check the roots only), the roots and the time."""
    return json.dumps(
        {
            "chain": None if chain_pem is None else base64.b64encode(chain_pem).decode(),
            "roots": None
            if trusted_roots_pem is None
            else base64.b64encode(trusted_roots_pem).decode(),
            "replace_default_roots": replace_default_roots,
            "now": None if now is None else now.isoformat(),
        }
    ).encode()


class ChainValidator:
    """Validates signing-certificate chains against certifi's roots plus `trusted_roots_pem`,
    or against only the latter with `replace_default_roots`."""

    def __init__(
        self, trusted_roots_pem: bytes | None = None, replace_default_roots: bool = False
    ) -> None:
        self._trusted_roots_pem = trusted_roots_pem
        self._replace_default_roots = replace_default_roots
        self._lock = threading.Lock()
        # SHA-256 of a rejected chain -> (time.monotonic() until which it stays rejected, why)
        self._rejections: dict[bytes, tuple[float, str]] = {}

    def check_roots(self) -> None:
        """Raise ValueError if the trusted roots hold no usable certificate, or if the helper
        cannot run here: a start-up check."""
        try:
            answer = self._run(None, None)
        except VerificationException as error:
            raise ValueError(str(error)) from None
        if "roots_error" in answer:
            raise ValueError(str(answer["roots_error"]))

    def validate(self, chain_pem: bytes, now: datetime) -> SigningCertificate:
        """The signing certificate of a chain (leaf first) valid at `now`, or
        VerificationException with the reason."""
        digest = hashlib.sha256(chain_pem).digest()
        with self._lock:
            until, reason = self._rejections.get(digest, (0.0, ""))
        if time.monotonic() < until:
            raise VerificationException(f"{reason} (the same chain was rejected recently)")
        answer = self._run(chain_pem, now)
        reason = answer.get("error") or answer.get("roots_error")
        if reason is not None:
            self._remember_rejection(digest, str(reason))
            raise VerificationException(str(reason))
        modulus, exponent = _hex_number(answer.get("modulus")), answer.get("exponent")
        subject, expires = answer.get("subject"), _aware_time(answer.get("expires"))
        if modulus is None or type(exponent) is not int or type(subject) is not str or not expires:
            raise VerificationException("certificate chain check gave a malformed answer")
        try:
            key = RsaSha256PublicKey(modulus, exponent)
        except ValueError as error:
            raise VerificationException(f"signing certificate key refused: {error}") from None
        return SigningCertificate(key, subject, expires)

    def _remember_rejection(self, digest: bytes, reason: str) -> None:
        with self._lock:
            self._rejections.pop(digest, None)
            while len(self._rejections) >= MAX_REMEMBERED_REJECTIONS:
                del self._rejections[next(iter(self._rejections))]  # the oldest
            self._rejections[digest] = (time.monotonic() + REJECTION_MEMORY_S, reason)

    def _run(self, chain_pem: bytes | None, now: datetime | None) -> dict[str, Any]:
        """The helper's answer (see `chain_validation.answer` for its shapes), within the
        request's time budget."""
        request = helper_request(
            chain_pem, self._trusted_roots_pem, self._replace_default_roots, now
        )
        try:
            finished = subprocess.run(
                helper_command(),
                input=request,
                capture_output=True,
                timeout=call_timeout(VALIDATION_DEADLINE_S),
                check=False,
            )
        except (subprocess.TimeoutExpired, BudgetSpent):
            raise VerificationException("certificate chain check timed out") from None
        except OSError as error:
            reason = f"certificate chain check could not start: {error}"
            raise VerificationException(reason) from None
        if finished.returncode != 0:
            stderr = finished.stderr.decode(errors="replace")
            log.error("certificate chain check failed:\n%s", stderr)
            raise VerificationException(
                f"certificate chain check failed (exit status {finished.returncode})"
            )
        try:
            answer = json.loads(finished.stdout)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise VerificationException("certificate chain check gave no answer")
        return answer


def _hex_number(text: object) -> int | None:
    """A whole number written in hexadecimal, or None."""
    if type(text) is not str:
        return None
    try:
        return int(text, 16)
    except ValueError:
        return None


def _aware_time(text: object) -> datetime | None:
    """An ISO 8601 time with its UTC offset, or None."""
    if type(text) is not str:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
