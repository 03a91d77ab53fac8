"""A throwaway PKI that stands in for Amazon's: root CA -> intermediate -> echo-api leaf.

Requests signed by a leaf verify with `AlexaRequestVerifier` when the verifier trusts the
test root (``trusted_roots_pem=ca.root_pem, replace_default_roots=True``) and fetches the
leaf's chain (``fetcher=StaticFetcher(leaf.chain_pem)``)::

    ca = default_ca()
    verifier = AlexaRequestVerifier(SKILL_ID, trusted_roots_pem=ca.root_pem,
                                    replace_default_roots=True,
                                    fetcher=StaticFetcher(default_leaf().chain_pem))
    verifier.verify(signed_headers(body), body, json.loads(body))

Every certificate satisfies cryptography's RFC 5280 / CA-B profile (key usages, key
identifiers, RSA 2048), so a rejection in a test is the one the test asked for.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skill.web.chain_validation import CERT_CHAIN_DOMAIN
from skill.web.verification import SIGNATURE_256_HEADER, SIGNATURE_CERT_CHAIN_URL_HEADER

__test__ = False  # the file name matches test_*.py, but it holds helpers, not tests

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    dns_name: str | None = None,
) -> x509.Certificate:
    """A CA certificate when dns_name is None, else a TLS leaf for dns_name."""
    ca = dns_name is None
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_key_usage(ca=ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if dns_name is not None:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        ).add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


@dataclass(frozen=True)
class Leaf:
    """A signing certificate, its chain as served at the cert URL, and the key that signs."""

    certificate: x509.Certificate
    chain_pem: bytes
    signing_key: rsa.RSAPrivateKey

    def sign(self, body: bytes) -> str:
        """The Signature-256 header value for body."""
        signature = self.signing_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")


class AlexaTestCA:
    """A root CA and an intermediate CA that issue echo-api.amazon.com leaves.

    `now` anchors every default validity window (CAs: one year back to ten years on;
    leaves: one day back to 30 days on).
    """

    def __init__(self, name: str = "Test", now: datetime | None = None) -> None:
        self.now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
        self._root_key = _new_key()
        self.root = _certificate(
            _name(f"{name} Root CA"),
            self._root_key.public_key(),
            _name(f"{name} Root CA"),
            self._root_key,
            self.now - timedelta(days=365),
            self.now + timedelta(days=3650),
        )
        self._intermediate_key = _new_key()
        self.intermediate = _certificate(
            _name(f"{name} Intermediate CA"),
            self._intermediate_key.public_key(),
            self.root.subject,
            self._root_key,
            self.now - timedelta(days=365),
            self.now + timedelta(days=3650),
        )

    @property
    def root_pem(self) -> bytes:
        return _pem(self.root)

    def issue_leaf(
        self,
        *,
        dns_name: str = CERT_CHAIN_DOMAIN,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        other_key: bool = False,
        include_root: bool = False,
        elliptic_curve: bool = False,
    ) -> Leaf:
        """A leaf and its chain PEM (leaf, intermediate[, root]).

        other_key: sign() uses a key that is not the certificate's.
        include_root: append the self-signed root, as a forged chain would.
        elliptic_curve: the certificate carries an EC key (sign() still signs with RSA).
        """
        key = _new_key()
        certified = ec.generate_private_key(ec.SECP256R1()) if elliptic_curve else key
        certificate = _certificate(
            _name(dns_name),
            certified.public_key(),
            self.intermediate.subject,
            self._intermediate_key,
            not_before or self.now - timedelta(days=1),
            not_after or self.now + timedelta(days=30),
            dns_name,
        )
        chain = (certificate, self.intermediate, self.root)[: 3 if include_root else 2]
        return Leaf(certificate, _pem(*chain), _new_key() if other_key else key)


@cache
def default_ca() -> AlexaTestCA:
    """One CA shared by every test in the process (RSA key generation is slow)."""
    return AlexaTestCA()


@cache
def default_leaf() -> Leaf:
    return default_ca().issue_leaf()


def signed_headers(
    body: bytes, cert_url: str = CERT_URL, leaf: Leaf | None = None
) -> dict[str, str]:
    """The headers Alexa sends with body, signed by leaf (default: default_leaf())."""
    return {
        SIGNATURE_CERT_CHAIN_URL_HEADER: cert_url,
        SIGNATURE_256_HEADER: (leaf or default_leaf()).sign(body),
    }


class StaticFetcher:
    """A CertificateFetcher that serves `pem` (mutable) and records the URLs it was asked for."""

    def __init__(self, pem: bytes, delay_seconds: float = 0.0) -> None:
        self.pem = pem
        self.delay_seconds = delay_seconds
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        time.sleep(self.delay_seconds)
        return self.pem
