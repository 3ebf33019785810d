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

An existing key file that others can read (any group or other permission
bit) is tightened to 0600 with a WARNING naming the file: the seed is the
whole key, and a copy read by another account can sign certificates.

Signatures are base64url without padding, and read strictly: exactly the
text `sign_payload` would write for the decoded bytes (`decode_signature`).
Base64 has several spellings of the same bytes (the unused bits of the last
character, padding, line breaks); accepting them all would let one signed
certificate circulate in many byte-different forms. The public key PEM is
read the same way (`load_public_key_pem`).

The key id is the first 16 hex digits of SHA-256 over the raw 32-byte public
key: short enough to print on a certificate, long enough to tell keys apart
when the key is rotated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import re
import stat
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
SIGNATURE_BYTES = 64  # Ed25519 (RFC 8032)
KEY_FILE_MODE = 0o600
# Where the web app serves the public key; certificates name it (signed).
PUBLIC_KEY_PATH = "/keys/cert.pub"
_BASE64URL_UNPADDED = re.compile(r"[A-Za-z0-9_-]*")
_PEM_BEGIN, _PEM_END = "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"

log = logging.getLogger(__name__)


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
    is_hex = bool(text) and all(c in "0123456789abcdefABCDEF" for c in text)
    if is_hex and len(text) % 2 == 0 and len(text) not in (43, 44):  # hex, only not 64 digits long
        raise SigningKeyError(
            f"signing key must be {SEED_BYTES} bytes, got {len(text) // 2} (written as {len(text)} hex digits)"
        )
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
    tighten_key_file(path)
    return Ed25519PrivateKey.from_private_bytes(parse_seed(path.read_text()))


def tighten_key_file(path: Path) -> None:
    """Make a key file that group or others may access owner-only (0600), with a WARNING."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o077:
        return
    try:
        os.chmod(path, KEY_FILE_MODE)
    except OSError as error:
        log.warning(
            "certificate signing key file %s has mode %04o (others can read it) "
            "and could not be tightened to %04o: %s",
            path, mode, KEY_FILE_MODE, error,
        )
    else:
        log.warning(
            "certificate signing key file %s had mode %04o (others could read it); "
            "tightened to %04o",
            path, mode, KEY_FILE_MODE,
        )


def sign_payload(payload: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """Base64url (unpadded) Ed25519 signature of the canonical JSON of `payload`."""
    return encode_signature(key.sign(canonical_json(payload)))


def encode_signature(signature: bytes) -> str:
    """The one spelling of a signature: base64url, no padding."""
    return base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def decode_signature(text: str) -> bytes:
    """The 64 signature bytes; ValueError unless `text` is their one canonical spelling."""
    if not isinstance(text, str) or not _BASE64URL_UNPADDED.fullmatch(text):
        raise ValueError("signature is not canonical base64url (only A-Z a-z 0-9 - _, no padding)")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("signature is not canonical base64url") from None
    if encode_signature(raw) != text:
        raise ValueError("signature is not canonical base64url")
    if len(raw) != SIGNATURE_BYTES:
        raise ValueError(f"signature is {len(raw)} bytes, not {SIGNATURE_BYTES}")
    return raw


def verify_payload(
    payload: dict[str, Any],
    signature: str,
    public_key: Ed25519PublicKey | Ed25519PrivateKey,
) -> bool:
    """True when `signature`, spelt canonically, is the key's signature of exactly this payload."""
    try:
        public_key_of(public_key).verify(decode_signature(signature), canonical_json(payload))
    except (InvalidSignature, ValueError, TypeError):
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
    """Read an Ed25519 PEM public key strictly; SigningKeyError says what is wrong.

    One BEGIN/END PUBLIC KEY block and nothing else (line ends may be CRLF), a
    body in canonical padded base64 (lines of at most 64 characters), and DER
    that is exactly what the key encodes back to.
    """
    try:
        text = pem.decode("ascii") if isinstance(pem, bytes) else pem
    except UnicodeDecodeError:
        raise SigningKeyError("public key file is not ASCII PEM") from None
    lines = text.replace("\r\n", "\n").strip("\n").split("\n")
    if len(lines) < 3 or lines[0] != _PEM_BEGIN or lines[-1] != _PEM_END:
        raise SigningKeyError(f"public key is not one {_PEM_BEGIN} ... {_PEM_END} block")
    body_lines = lines[1:-1]
    body = "".join(body_lines)
    try:
        der = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise SigningKeyError("public key is not canonical base64") from None
    if base64.b64encode(der).decode() != body or any(len(line) > 64 for line in body_lines):
        raise SigningKeyError("public key is not canonical base64")
    try:
        key = serialization.load_der_public_key(der)
    except ValueError:
        raise SigningKeyError("not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError("public key is not Ed25519")
    canonical_der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if canonical_der != der:
        raise SigningKeyError("public key DER is not canonical")
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
