"""Ed25519 signatures over canonical JSON, and the one signing key.

A certificate is a JSON object; what is signed is its canonical form: keys
sorted, no spaces, UTF-8 (`canonical_json`). Anyone holding the public key can
check a downloaded certificate offline, byte for byte, with any JSON library
that can produce the same form.

The key is the 32-byte Ed25519 private seed. `CERT_SIGNING_KEY` holds it as
either 64 hex digits or base64 (standard or URL-safe alphabet, padding
optional; 43 or 44 characters). Make one with:

    python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"

With no `CERT_SIGNING_KEY` a key is generated once into a key file (default
`data/cert_signing_key`, mode 0600, the seed in base64) and reused on every
later start, so certificates issued before a restart still verify.

The key id is the first 16 hex digits of SHA-256 over the raw 32-byte public
key: short enough to print on a certificate, long enough to tell keys apart
when the key is rotated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

DEFAULT_KEY_PATH = Path("data/cert_signing_key")
SEED_BYTES = 32


class SigningKeyError(ValueError):
    """CERT_SIGNING_KEY or the key file does not hold a 32-byte Ed25519 seed."""

    code = "cert_signing_key_invalid"


def canonical_json(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def parse_seed(key_text: str) -> bytes:
    """Decode a 32-byte seed written as 64 hex digits or as base64 / base64url."""
    text = key_text.strip()
    if len(text) == 2 * SEED_BYTES and all(c in "0123456789abcdefABCDEF" for c in text):
        return bytes.fromhex(text)
    try:
        padded = text + "=" * (-len(text) % 4)
        seed = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise SigningKeyError("signing key is neither 64 hex digits nor base64") from None
    if len(seed) != SEED_BYTES:
        raise SigningKeyError(f"signing key must be {SEED_BYTES} bytes, got {len(seed)}")
    return seed


def _seed_of(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def load_or_create_key(key_text: str | None, path: Path = DEFAULT_KEY_PATH) -> Ed25519PrivateKey:
    """The key from `key_text` (CERT_SIGNING_KEY) if given, else from `path`, made once if missing."""
    if key_text and key_text.strip():
        return Ed25519PrivateKey.from_private_bytes(parse_seed(key_text))
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        try:
            # O_EXCL: two processes starting at once must not each write a key;
            # the loser reads the winner's file below.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(base64.b64encode(_seed_of(key)).decode() + "\n")
            return key
    return Ed25519PrivateKey.from_private_bytes(parse_seed(path.read_text()))


def sign_payload(payload: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """Base64url (unpadded) Ed25519 signature of the canonical JSON of `payload`."""
    signature = key.sign(canonical_json(payload))
    return base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _decode_signature(signature: str) -> bytes:
    text = signature.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_payload(
    payload: dict[str, Any],
    signature: str,
    public_key: Ed25519PublicKey | Ed25519PrivateKey,
) -> bool:
    """True when `signature` is the key's signature of exactly this payload."""
    if isinstance(public_key, Ed25519PrivateKey):
        public_key = public_key.public_key()
    try:
        public_key.verify(_decode_signature(signature), canonical_json(payload))
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


def public_key_of(key: Ed25519PrivateKey | Ed25519PublicKey) -> Ed25519PublicKey:
    """The public half (a public key is returned as is)."""
    return key.public_key() if isinstance(key, Ed25519PrivateKey) else key


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as SubjectPublicKeyInfo PEM, as served at /keys/cert.pub."""
    return (
        public_key_of(key)
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_public_key_pem(pem: str | bytes) -> Ed25519PublicKey:
    """Read a PEM public key; raises SigningKeyError if it is not Ed25519."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise SigningKeyError("not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError("public key is not Ed25519")
    return key


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Short fingerprint: first 16 hex digits of SHA-256 over the raw public key."""
    raw = public_key_of(key).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()[:16]


def signature_fingerprint(signature: str) -> str:
    """A short, printable digest of a signature for the certificate image."""
    return hashlib.sha256(signature.encode()).hexdigest()[:16].upper()
