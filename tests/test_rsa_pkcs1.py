"""The worker's RSA PKCS#1 v1.5 SHA-256 check against signatures made by OpenSSL (cryptography)."""

from __future__ import annotations

import hashlib
from functools import cache

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given
from hypothesis import strategies as st

from skill.web.rsa_pkcs1 import SHA256_DIGEST_INFO, RsaSha256PublicKey


@cache
def private_key(bits: int = 2048, exponent: int = 65537) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=exponent, key_size=bits)


def public_key(key: rsa.RSAPrivateKey) -> RsaSha256PublicKey:
    numbers = key.public_key().public_numbers()
    return RsaSha256PublicKey(numbers.n, numbers.e)


def sign(message: bytes, key: rsa.RSAPrivateKey | None = None) -> bytes:
    return (key or private_key()).sign(message, padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize(("bits", "exponent"), [(2048, 65537), (3072, 65537), (2048, 3)])
def test_accepts_what_openssl_signs(bits, exponent):
    key = private_key(bits, exponent)
    body = b'{"version":"1.0","request":{"type":"LaunchRequest"}}'
    assert public_key(key).verifies(sign(body, key), body)


@given(st.binary(max_size=5000))
def test_accepts_any_body_openssl_signs(body):
    assert public_key(private_key()).verifies(sign(body), body)


@given(st.binary(min_size=1, max_size=300), st.data())
def test_refuses_a_body_changed_by_one_bit(body, data):
    index = data.draw(st.integers(0, len(body) * 8 - 1))
    changed = bytearray(body)
    changed[index // 8] ^= 1 << (index % 8)
    assert not public_key(private_key()).verifies(sign(body), bytes(changed))


@given(st.integers(0, 2047))
def test_refuses_a_signature_changed_by_one_bit(index):
    body = b"body"
    signature = bytearray(sign(body))
    signature[index // 8] ^= 1 << (index % 8)
    assert not public_key(private_key()).verifies(bytes(signature), body)


def test_refuses_another_keys_signature():
    other = private_key(2048, 3)
    assert not public_key(private_key()).verifies(sign(b"body", other), b"body")


@pytest.mark.parametrize(
    ("signature_padding", "algorithm"),
    [
        (padding.PKCS1v15(), hashes.SHA1()),
        (padding.PKCS1v15(), hashes.SHA512()),
        (padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()),
    ],
    ids=["pkcs1-sha1", "pkcs1-sha512", "pss-sha256"],
)
def test_refuses_other_signature_schemes(signature_padding, algorithm):
    signature = private_key().sign(b"body", signature_padding, algorithm)
    assert not public_key(private_key()).verifies(signature, b"body")


def test_refuses_signatures_of_the_wrong_length_or_out_of_range():
    key = public_key(private_key())
    signature = sign(b"body")
    assert not key.verifies(signature[1:], b"body")
    assert not key.verifies(b"\x00" + signature, b"body")
    assert not key.verifies(b"", b"body")
    assert not key.verifies(key.modulus.to_bytes(256, "big"), b"body")
    assert not key.verifies((key.modulus + int.from_bytes(signature)).to_bytes(257), b"body")
    assert not key.verifies(b"\xff" * 256, b"body")


def test_refuses_a_signature_plus_the_modulus():
    """s + n opens to the same message as s; it fits in the signature's length when s is below
    256**k - n, and only the range check refuses it."""
    key = public_key(private_key())
    room = 256**256 - key.modulus
    message, signature = next(
        (message, signature)
        for message in (str(number).encode() for number in range(200))
        if int.from_bytes(signature := sign(message), "big") < room
    )
    assert key.verifies(signature, message)
    lifted = (int.from_bytes(signature, "big") + key.modulus).to_bytes(256, "big")
    assert not key.verifies(lifted, message)


def test_refuses_an_e3_forgery_with_garbage_after_the_digest():
    """Bleichenbacher's 2006 forgery: with e=3, a cube root of a block that starts like a valid
    encoding, padding cut short and garbage after the digest, passes a check that parses the
    padding. Comparing the whole encoding refuses it."""
    key = public_key(private_key(3072, 3))
    digest = hashlib.sha256(b"body").digest()
    prefix = b"\x00\x01\xff\x00" + SHA256_DIGEST_INFO + digest
    block = int.from_bytes(prefix + b"\xff" * (384 - len(prefix)), "big")
    root = _integer_cube_root(block)
    forged = root.to_bytes(384, "big")
    opened = pow(root, 3)  # the forged signature opens to the prefix and then garbage
    assert opened.to_bytes(384, "big").startswith(prefix)
    assert not key.verifies(forged, b"body")


def _integer_cube_root(value: int) -> int:
    low, high = 0, 1 << (value.bit_length() // 3 + 1)
    while low < high:
        middle = (low + high + 1) // 2
        if middle**3 <= value:
            low = middle
        else:
            high = middle - 1
    return low


@pytest.mark.parametrize(
    ("modulus", "exponent", "reason"),
    [
        ((1 << 1023) + 1, 65537, "at least 2048 bits"),
        ((1 << 2047) + 2, 65537, "odd"),
        ((1 << 2047) + 1, 65536, "public exponent"),
        ((1 << 2047) + 1, 1, "public exponent"),
    ],
)
def test_refuses_weak_or_malformed_keys(modulus, exponent, reason):
    with pytest.raises(ValueError, match=reason):
        RsaSha256PublicKey(modulus, exponent)
