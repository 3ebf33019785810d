"""Strict verification of a certificate document: one function per rule.

A certificate document is what /c/<id>.json serves and `cccp certs verify`
reads: a JSON object with the signed `payload` and its `signature`. Both
front ends check it with `verify_document` (the web page through
`verify_stored`), so a certificate is valid in one place exactly when it is
valid in the other. A rule that fails raises `CertificateRejected` whose text
is the one-line reason a person is shown ("duplicate key amount_kg").

What "canonical" means for a document a person hands in:
- The file is strict JSON in UTF-8: no key twice in any object, anywhere in
  the document (parsers disagree on which copy wins, so a reader could be
  shown one amount while the signature covers another); no NaN or Infinity;
  no fractional or exponent numbers (our payloads hold integers only, and
  float spelling differs between languages); no lone UTF-16 surrogates.
  Whitespace and key order in the file do not matter: the signed bytes are
  recomputed as `canonical_json(payload)` (keys sorted, no spaces, UTF-8),
  which with the rules above has exactly one reading of the document.
- The payload has exactly the fields of its format version (`v`), each of
  its type; nothing missing, nothing extra.
- Nothing a verifier shows is outside the signature. Format 3 documents are
  `{"payload", "signature"}` and nothing else: key id, public key URL and
  algorithm are signed fields. Formats 1 and 2 (issued before) also carry
  `key_id`, `algorithm`, `signed_bytes`, `signature_encoding` and
  `public_key_url` outside the payload; each is accepted only when it equals
  what the signed payload determines (see docs/DECISIONS.md).
- The signature is the one canonical base64url spelling of 64 bytes
  (`signing.decode_signature`), by the key the payload names, over those bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from core.certs import signing
from core.certs.models import CertificateKind

ALGORITHM = "Ed25519"
SIGNED_BYTES = "JSON of payload, keys sorted, no spaces, UTF-8"
SIGNATURE_ENCODING = "base64url, no padding"
ISSUED_AT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_V1_FIELDS = frozenset(
    {
        "v", "issuer", "id", "kind", "verify_url", "beneficiary", "amount_kg", "reason",
        "project", "methodology", "country", "vintage", "serials", "retirement_id",
        "issued_at", "key_id",
    }
)
_V2_FIELDS = _V1_FIELDS | {"language"}
_V3_FIELDS = _V2_FIELDS | {"algorithm", "signed_bytes", "signature_encoding", "public_key_url"}
_V4_FIELDS = _V3_FIELDS | {"standard", "project_id"}
PAYLOAD_FIELDS = {1: _V1_FIELDS, 2: _V2_FIELDS, 3: _V3_FIELDS, 4: _V4_FIELDS}
# Formats 1 and 2 were served with these copies beside the payload.
LEGACY_OUTER_FIELDS = frozenset(
    {"key_id", "algorithm", "signed_bytes", "signature_encoding", "public_key_url"}
)
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]{1,40}")


class CertificateRejected(ValueError):
    """A certificate document breaks a rule; str() is the one-line reason."""

    code = "certificate_rejected"


class NotACertificate(ValueError):
    """The input is not JSON, or not shaped like a certificate document at all."""

    code = "not_a_certificate"


@dataclass(frozen=True)
class Verdict:
    """What a verifier tells a person: valid or not, and why in one line."""

    is_valid: bool
    reason: str


def shown(name: object) -> str:
    """A key or value from an untrusted document, safe to print on one line."""
    text = str(name)
    return text if _PLAIN_NAME.fullmatch(text) else ascii(text[:40])


# --- reading a file ----------------------------------------------------------------


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CertificateRejected(f"duplicate key {shown(key)}")
        result[key] = value
    return result


def _refuse_float(text: str) -> Any:
    # JSON's number grammar allows only digits, sign, point and exponent: safe to print.
    raise CertificateRejected(f"number {text[:40]} is not an integer")


def _refuse_constant(text: str) -> Any:
    raise CertificateRejected(f"{text} is not JSON")


def parse_document(text: str | bytes) -> dict[str, Any]:
    """The document in `text`; refuses duplicate keys, floats and NaN anywhere in it."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        document = json.loads(
            text,
            object_pairs_hook=_refuse_duplicate_keys,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
        )
    except CertificateRejected:
        raise
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, int too long
        raise NotACertificate(f"not JSON: {error}") from None
    check_shape(document)
    return document


def check_shape(document: object) -> None:
    """An object with a `payload` object and a `signature` string."""
    if not isinstance(document, dict):
        raise NotACertificate("not a certificate document (a JSON object is expected)")
    if not isinstance(document.get("payload"), dict):
        raise NotACertificate("not a certificate document (no payload object)")
    if not isinstance(document.get("signature"), str):
        raise NotACertificate("not a certificate document (no signature string)")


# --- the rules ---------------------------------------------------------------------


def check_json_values(value: object, where: str = "payload") -> None:
    """Only values with one canonical JSON spelling: str, int, bool, null, list, object."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise CertificateRejected(f"{where} holds text that is not valid Unicode") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CertificateRejected(f"{where} has a key that is not text")
            check_json_values(key, where)
            check_json_values(item, f"{where}.{shown(key)}")
    elif isinstance(value, list):
        for item in value:
            check_json_values(item, where)
    elif value is not None and not isinstance(value, int):  # bool is an int
        raise CertificateRejected(f"{where} is not an integer, text, list or null")


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise CertificateRejected(reason)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_payload_fields(payload: dict[str, Any]) -> None:
    """Exactly the fields of the payload's format version, each of its type."""
    version = payload.get("v")
    _require(_is_int(version) and version in PAYLOAD_FIELDS, f"unknown certificate format v={shown(version)}")
    expected = PAYLOAD_FIELDS[version]
    if missing := sorted(expected - payload.keys()):
        raise CertificateRejected(f"missing field {shown(missing[0])}")
    if extra := sorted(payload.keys() - expected):
        raise CertificateRejected(f"unexpected field {shown(extra[0])} in the payload")
    for name in expected - {"v", "amount_kg", "vintage", "serials", "retirement_id"}:
        _require(isinstance(payload[name], str), f"field {name} must be text")
    _require(_is_int(payload["amount_kg"]) and payload["amount_kg"] > 0,
             "field amount_kg must be a positive integer")
    _require(payload["vintage"] is None or _is_int(payload["vintage"]),
             "field vintage must be an integer or null")
    _require(isinstance(payload["serials"], list) and all(isinstance(s, str) for s in payload["serials"]),
             "field serials must be a list of text")
    _require(payload["retirement_id"] is None or isinstance(payload["retirement_id"], str),
             "field retirement_id must be text or null")
    _require(payload["kind"] in set(CertificateKind), f"unknown kind {shown(payload['kind'])}")
    try:
        datetime.strptime(payload["issued_at"], ISSUED_AT_FORMAT)
    except ValueError:
        raise CertificateRejected("field issued_at is not a UTC time like 2025-03-14T09:30:15Z") from None
    _require(payload["verify_url"].endswith(f"/c/{payload['id']}"),
             "verify_url does not point at this certificate")
    if version >= 3:
        _require(payload["algorithm"] == ALGORITHM, f"algorithm must be {ALGORITHM}")
        _require(payload["signed_bytes"] == SIGNED_BYTES, "field signed_bytes is not the documented text")
        _require(payload["signature_encoding"] == SIGNATURE_ENCODING,
                 "field signature_encoding is not the documented text")


def legacy_public_key_url(payload: dict[str, Any]) -> str:
    """Where a format 1 or 2 certificate's key is served: beside its signed verify_url."""
    return payload["verify_url"].removesuffix(f"/c/{payload['id']}") + signing.PUBLIC_KEY_PATH


def legacy_outer_fields(payload: dict[str, Any]) -> dict[str, str]:
    """The copies a format 1 or 2 document carries, as its signed payload determines them."""
    return {
        "key_id": payload["key_id"],
        "algorithm": ALGORITHM,
        "signed_bytes": SIGNED_BYTES,
        "signature_encoding": SIGNATURE_ENCODING,
        "public_key_url": legacy_public_key_url(payload),
    }


def check_nothing_unsigned(document: dict[str, Any]) -> None:
    """Every field outside the payload is the signature, or (formats 1, 2) a copy it determines."""
    payload = document["payload"]
    outer = sorted(document.keys() - {"payload", "signature"})
    if payload["v"] >= 3:
        if outer:
            raise CertificateRejected(f"field {shown(outer[0])} is outside the signed payload")
        return
    derived = legacy_outer_fields(payload)
    for name in outer:
        if name not in LEGACY_OUTER_FIELDS:
            raise CertificateRejected(f"field {shown(name)} is outside the signed payload")
        if document[name] != derived[name]:
            raise CertificateRejected(f"field {name} does not match the signed payload")


def check_signature_encoding(signature: str) -> bytes:
    """The signature bytes, if the text is their canonical base64url spelling."""
    try:
        return signing.decode_signature(signature)
    except ValueError as error:
        raise CertificateRejected(str(error)) from None


def check_key_id(payload: dict[str, Any], public_key: Ed25519PublicKey) -> None:
    """The payload names the key it is checked against."""
    expected = signing.key_id(public_key)
    if payload["key_id"] != expected:
        raise CertificateRejected(
            f"signed with key {shown(payload['key_id'])}, not with this key ({expected})"
        )


def check_signature(payload: dict[str, Any], signature: str, public_key: Ed25519PublicKey) -> None:
    """The signature covers exactly canonical_json(payload) under this key."""
    if not signing.verify_payload(payload, signature, public_key):
        raise CertificateRejected("signature does not match")


# --- the verdicts ------------------------------------------------------------------


def verify_document(
    document: object, public_key: Ed25519PublicKey | Ed25519PrivateKey
) -> Verdict:
    """Apply every rule to a parsed document; the first that fails is the reason."""
    public_key = signing.public_key_of(public_key)
    try:
        check_shape(document)
        payload, signature = document["payload"], document["signature"]
        check_json_values(payload)
        check_payload_fields(payload)
        check_nothing_unsigned(document)
        check_signature_encoding(signature)
        check_key_id(payload, public_key)
        check_signature(payload, signature, public_key)
    except (CertificateRejected, NotACertificate) as error:
        return Verdict(False, str(error))
    return Verdict(True, "signature matches")


def verify_document_text(
    text: str | bytes, public_key: Ed25519PublicKey | Ed25519PrivateKey
) -> Verdict:
    """Parse strictly, then `verify_document`. NotACertificate when it is not one at all."""
    try:
        document = parse_document(text)
    except CertificateRejected as error:
        return Verdict(False, str(error))
    return verify_document(document, public_key)
