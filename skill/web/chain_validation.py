"""Validate a downloaded signing-certificate chain with `cryptography`, in a process of its own.

Run as `python -P skill/web/chain_validation.py` by `skill.web.chain_validator`, once per
chain URL and worker: the request (JSON on stdin) carries the chain, the trusted roots and the
time; the answer (JSON on stdout) carries the leaf's RSA key and when the chain expires, or
why it was rejected. Parsing X.509 and building the path page in 5.8 MiB of code and data
that a long-lived web worker would keep for good; this process ends with the check. It
imports nothing from `skill`, so it starts without the web service's libraries.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import certifi
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import DNSName, PolicyBuilder, Store, VerificationError

#: DNS name the signing certificate must carry in its Subject Alternative Names.
CERT_CHAIN_DOMAIN = "echo-api.amazon.com"

_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL
)


class ChainRejected(ValueError):
    """The chain is not a valid Alexa signing chain; the message says why, in one line."""


def load_pem_certificates(pem: bytes) -> list[x509.Certificate]:
    """Parse each PEM CERTIFICATE block, skipping blocks this version of cryptography rejects.

    certifi ships roots with serial number 0, which cryptography deprecates (a warning today, a
    parse error in a later release): one such block must not sink the whole bundle.
    """
    certificates = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for block in _PEM_CERTIFICATE.findall(pem):
            try:
                certificates.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return certificates


def trust_store(
    trusted_roots_pem: bytes | None = None, replace_default_roots: bool = False
) -> Store:
    """Trust anchors: certifi's roots plus trusted_roots_pem, or only the latter if replacing."""
    roots = (
        [] if replace_default_roots else load_pem_certificates(Path(certifi.where()).read_bytes())
    )
    if trusted_roots_pem is not None:
        extra = load_pem_certificates(trusted_roots_pem)
        if not extra:
            raise ValueError("trusted roots PEM holds no certificate")
        roots += extra
    if not roots:
        raise ValueError("replace_default_roots needs trusted_roots_pem")
    return Store(roots)


def validate_certificate_chain(
    chain_pem: bytes, store: Store, now: datetime
) -> list[x509.Certificate]:
    """Validate a downloaded chain (leaf first, then intermediates) at time `now`.

    The path must end at a root in `store`, every certificate must be valid at `now`, and the
    leaf must allow serverAuth and carry the DNS name echo-api.amazon.com itself among its
    Subject Alternative Names (a wildcard such as *.amazon.com is not enough, as Amazon
    requires). Returns the path, leaf first.
    """
    certificates = load_pem_certificates(chain_pem)
    if not certificates:
        raise ChainRejected("certificate chain holds no PEM certificate")
    verifier = (
        PolicyBuilder().store(store).time(now).build_server_verifier(DNSName(CERT_CHAIN_DOMAIN))
    )
    try:
        path = verifier.verify(certificates[0], certificates[1:])
    except VerificationError as exc:
        reason = str(exc).removeprefix("validation failed: ").split(" (encountered", 1)[0]
        if reason.startswith("candidates exhausted"):
            reason = "no path to a trusted root"
        raise ChainRejected(f"certificate chain rejected: {reason}") from None
    if CERT_CHAIN_DOMAIN not in _dns_names(path[0]):
        raise ChainRejected(
            f"certificate chain rejected: the leaf does not name {CERT_CHAIN_DOMAIN} itself"
        )
    return path


def _dns_names(certificate: x509.Certificate) -> list[str]:
    """The DNS names among a certificate's Subject Alternative Names, lower-cased."""
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [name.lower() for name in names.value.get_values_for_type(x509.DNSName)]


def signing_key(chain_pem: bytes, store: Store, now: datetime) -> dict[str, Any]:
    """The validated leaf's RSA key, subject and the chain's expiry, as the answer's fields."""
    path = validate_certificate_chain(chain_pem, store, now)
    public_key = path[0].public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ChainRejected("signing certificate key is not RSA")
    numbers = public_key.public_numbers()
    return {
        "modulus": format(numbers.n, "x"),
        "exponent": numbers.e,
        "expires": min(certificate.not_valid_after_utc for certificate in path).isoformat(),
        "subject": path[0].subject.rfc4514_string(),
    }


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """What the helper prints for one request (made by `chain_validator.helper_request`):

    - `{"roots_error": reason}`: the trusted roots hold no usable certificate;
    - `{"roots": "ok"}`: the roots are usable (the request carried no chain);
    - `{"error": reason}`: the chain is rejected, the reason in one line;
    - `{"modulus": hex, "exponent": int, "expires": ISO 8601 with offset, "subject": str}`.
    """
    roots = request["roots"]
    try:
        store = trust_store(
            None if roots is None else base64.b64decode(roots), request["replace_default_roots"]
        )
    except ValueError as error:
        return {"roots_error": str(error)}
    if request["chain"] is None:
        return {"roots": "ok"}
    try:
        chain = base64.b64decode(request["chain"])
        return signing_key(chain, store, datetime.fromisoformat(request["now"]))
    except ChainRejected as error:
        return {"error": str(error)}


def main() -> None:
    json.dump(answer(json.load(sys.stdin.buffer)), sys.stdout)


if __name__ == "__main__":
    main()
