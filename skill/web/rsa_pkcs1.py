"""RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017, section 8.2.2): the signature in Signature-256.

Checked the way the RFC recommends: the encoded message the body's digest must give is built and
compared whole with the one the signature opens to, so no padding is ever parsed (parsing it
is what signature forgeries against e=3 keys exploited). GMP does the modular exponentiation:
about 30 µs a check, and 1 to 2 MiB of its code paged in a worker. OpenSSL through
`cryptography` is as fast but pages in 4.5 MiB of code in every worker; pure-Python `pow`
takes 165 µs, and pycryptodome 500 µs.
"""

from __future__ import annotations

import hashlib

import gmpy2

#: DER of DigestInfo { AlgorithmIdentifier { sha256, NULL }, OCTET STRING (32 bytes) } before
#: the digest itself (RFC 8017, section 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
SHA256_BYTES = 32
MIN_MODULUS_BITS = 2048

_gmp_from_bytes = gmpy2.mpz.from_bytes


class RsaSha256PublicKey:
    """An RSA public key that checks PKCS#1 v1.5 SHA-256 signatures. Immutable, thread-safe."""

    __slots__ = ("_expected", "_gmp_exponent", "_gmp_modulus", "_length", "exponent", "modulus")

    def __init__(self, modulus: int, exponent: int) -> None:
        if modulus.bit_length() < MIN_MODULUS_BITS or modulus % 2 == 0:
            raise ValueError(f"RSA modulus must be odd and at least {MIN_MODULUS_BITS} bits")
        if not 3 <= exponent < modulus or exponent % 2 == 0:
            raise ValueError("RSA public exponent must be odd, at least 3 and below the modulus")
        self.modulus = modulus
        self.exponent = exponent
        self._length = (modulus.bit_length() + 7) // 8
        self._gmp_modulus = gmpy2.mpz(modulus)
        self._gmp_exponent = gmpy2.mpz(exponent)
        # EM = 0x00 || 0x01 || 0xff... || 0x00 || DigestInfo || digest, as an integer: this part
        # with the digest's place left zero.
        padding = b"\xff" * (self._length - 3 - len(SHA256_DIGEST_INFO) - SHA256_BYTES)
        before_digest = b"\x00\x01" + padding + b"\x00" + SHA256_DIGEST_INFO
        self._expected = gmpy2.mpz(int.from_bytes(before_digest, "big") << (8 * SHA256_BYTES))

    def verifies(self, signature: bytes, message: bytes) -> bool:
        """Whether `signature` is this key's PKCS#1 v1.5 SHA-256 signature of `message`."""
        if len(signature) != self._length:
            return False
        # GMP integers throughout: a Python int would be converted on every use (about 1 µs).
        value = _gmp_from_bytes(signature, "big")
        if value >= self._gmp_modulus:
            return False
        digest = _gmp_from_bytes(hashlib.sha256(message).digest(), "big")
        # Both sides are below 256 ** length, so equal integers are equal encoded messages (the
        # digest fills the zeroed low bytes of the expected value, so adding it is placing it).
        return gmpy2.powmod(value, self._gmp_exponent, self._gmp_modulus) == self._expected + digest
