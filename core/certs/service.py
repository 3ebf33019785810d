"""Issue, fetch and verify certificates.

One certificate per caller key: the caller names what the certificate is for
(``retirement:<id>`` by default when a retirement id is given) and issuing
again with the same key returns the first certificate, unchanged, whatever
the other fields say. UNIQUE(key) in the database settles a race between two
issuers.

The signed payload is built here and nowhere else; `PAYLOAD_VERSION` changes
whenever its fields change, so old certificates keep verifying. What a
verifier accepts is `core.certs.verification`; `verify_stored` is the one
check the web page and `cccp certs verify <id>` make of a stored certificate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from tortoise.exceptions import IntegrityError

from core import ids
from core.certs import signing, verification
from core.certs.models import Certificate, CertificateKind
from core.certs.texts import normalise_language
from core.certs.verification import Verdict

ISSUER = "CCCP"
# 2: adds "language". 3: signs what verifiers show beside the payload
# (algorithm, public_key_url, and how the bytes and the signature are spelt).
# 4: adds "standard" (VCS, Gold Standard, CCCP) and "project_id" (the registry's
# project code), so a certificate can be set beside the standard's own records.
PAYLOAD_VERSION = 4
# "C", 12 characters of Crockford base 32 (core.ids; 60 random bits, so ids
# cannot be guessed or enumerated) and a check character that catches a mistyped
# letter. Certificates issued before were 12 characters of base64url
# (secrets.token_urlsafe(9)); they are signed and printed in QR codes, so they
# keep resolving, exactly as written.
PUBLIC_ID_PREFIX = "C"
PUBLIC_ID_LENGTH = 12
LEGACY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{12}$")
MAX_BENEFICIARY_CHARS = 200
MAX_REASON_CHARS = 500


class CertificateError(ValueError):
    """The data handed in cannot make a certificate."""

    code = "certificate_invalid"


@dataclass(frozen=True)
class CertificateData:
    """What a caller knows when it asks for a certificate."""

    kind: CertificateKind
    beneficiary: str
    amount_kg: int
    project_name: str
    methodology: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    vintage: int | None = None
    serial_ranges: tuple[str, ...] = ()
    reason: str = ""
    retirement_id: str | int | None = None
    key: str | None = None  # idempotency key; default "retirement:<retirement_id>"
    language: str = "en"  # the buyer's language; the certificate is drawn in it
    standard: str = ""  # e.g. "VCS", "Gold Standard", "CCCP"
    project_id: str = ""  # the registry's project code(s), e.g. "P7"

    def idempotency_key(self) -> str:
        if self.key:
            return self.key
        if self.retirement_id is not None:
            return f"retirement:{self.retirement_id}"
        raise CertificateError("a certificate needs a key or a retirement id")


@dataclass(frozen=True)
class CertificateView:
    """A stored certificate, as front ends and the renderer see it."""

    id: str
    kind: CertificateKind
    beneficiary: str
    amount_kg: int
    reason: str
    project_name: str
    methodology: str
    country: str
    vintage: int | None
    serial_ranges: tuple[str, ...]
    retirement_id: str | None
    issued_at: datetime
    verify_url: str
    signature: str
    key_id: str
    payload: dict[str, Any] = field(compare=False, repr=False)
    language: str = "en"

    @property
    def standard(self) -> str:
        """The standard the credits were issued under (signed from format 4 on; else empty)."""
        return str(self.payload.get("standard") or "")

    @property
    def project_id(self) -> str:
        """The registry's project code (signed from format 4 on; else empty)."""
        return str(self.payload.get("project_id") or "")

    @property
    def tonnes_text(self) -> str:
        """'0.5' for 500 kg: tonnes with no trailing zeros, never a float."""
        return format_tonnes(self.amount_kg)

    @property
    def signature_fingerprint(self) -> str:
        return signing.signature_fingerprint(self.signature)


def format_tonnes(amount_kg: int) -> str:
    """Exact tonnes for an integer kg amount: 500 -> '0.5', 1250000 -> '1,250'."""
    whole, rest = divmod(amount_kg, 1000)
    text = f"{whole:,}"
    if rest:
        text += "." + f"{rest:03d}".rstrip("0")
    return text


def format_kg(amount_kg: int) -> str:
    return f"{amount_kg:,}"


def new_public_id() -> str:
    return ids.new_id(PUBLIC_ID_PREFIX, PUBLIC_ID_LENGTH, check=True)


def normalize_public_id(text: str) -> str:
    """A typed certificate id as the id it means ("c4qz 8m1t..." -> "C4QZ8M1T..."); a legacy id unchanged."""
    typed = "".join(str(text).split())
    normal = ids.normalize(typed)
    if ids.is_id(normal, PUBLIC_ID_PREFIX, PUBLIC_ID_LENGTH, check=True):
        return normal
    return typed


def is_valid_public_id(cert_id: object) -> bool:
    """A certificate id of either format (new: C + 12 + check; legacy: 12 of base64url)."""
    if not isinstance(cert_id, str):
        return False
    return (ids.is_id(cert_id, PUBLIC_ID_PREFIX, PUBLIC_ID_LENGTH, check=True)
            or LEGACY_ID_RE.fullmatch(cert_id) is not None)


def verify_url_for(public_base_url: str, cert_id: str) -> str:
    return f"{public_base_url.rstrip('/')}/c/{cert_id}"


def public_key_url_for(public_base_url: str) -> str:
    return public_base_url.rstrip("/") + signing.PUBLIC_KEY_PATH


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(verification.ISSUED_AT_FORMAT)


def _clean(data: CertificateData) -> CertificateData:
    beneficiary = " ".join(data.beneficiary.split())
    if not beneficiary:
        raise CertificateError("the beneficiary is empty")
    if len(beneficiary) > MAX_BENEFICIARY_CHARS:
        raise CertificateError("the beneficiary is too long")
    reason = " ".join(data.reason.split())
    if len(reason) > MAX_REASON_CHARS:
        raise CertificateError("the reason is too long")
    if not isinstance(data.amount_kg, int) or isinstance(data.amount_kg, bool):
        raise CertificateError("amount_kg must be an integer")
    if data.amount_kg <= 0:
        raise CertificateError("amount_kg must be positive")
    country = data.country.strip().upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise CertificateError("country must be ISO 3166-1 alpha-2")
    return CertificateData(
        kind=CertificateKind(data.kind),
        beneficiary=beneficiary,
        amount_kg=data.amount_kg,
        project_name=data.project_name.strip(),
        methodology=data.methodology.strip(),
        country=country,
        vintage=data.vintage,
        serial_ranges=tuple(data.serial_ranges),
        reason=reason,
        retirement_id=None if data.retirement_id is None else str(data.retirement_id),
        key=data.idempotency_key(),
        language=normalise_language(data.language),
        standard=" ".join(data.standard.split()),
        project_id=" ".join(data.project_id.split()),
    )


def build_payload(
    data: CertificateData,
    *,
    cert_id: str,
    issued_at: datetime,
    verify_url: str,
    key_id: str,
    public_key_url: str,
) -> dict[str, Any]:
    """The signed statement. Everything a verifier needs, or shows, is inside it."""
    return {
        "v": PAYLOAD_VERSION,
        "issuer": ISSUER,
        "id": cert_id,
        "kind": str(data.kind),
        "verify_url": verify_url,
        "beneficiary": data.beneficiary,
        "amount_kg": data.amount_kg,
        "reason": data.reason,
        "project": data.project_name,
        "project_id": data.project_id,
        "standard": data.standard,
        "methodology": data.methodology,
        "country": data.country,
        "vintage": data.vintage,
        "serials": list(data.serial_ranges),
        "retirement_id": data.retirement_id,
        "issued_at": _iso_utc(issued_at),
        "key_id": key_id,
        "language": data.language,
        "algorithm": verification.ALGORITHM,
        "public_key_url": public_key_url,
        "signed_bytes": verification.SIGNED_BYTES,
        "signature_encoding": verification.SIGNATURE_ENCODING,
    }


def _view(row: Certificate, public_base_url: str | None = None) -> CertificateView:
    payload = dict(row.payload)
    verify_url = payload.get("verify_url") or verify_url_for(public_base_url or "", row.public_id)
    return CertificateView(
        id=row.public_id,
        kind=CertificateKind(row.kind),
        beneficiary=row.beneficiary,
        amount_kg=row.amount_kg,
        reason=row.reason,
        project_name=row.project_name,
        methodology=row.methodology,
        country=row.country,
        vintage=row.vintage,
        serial_ranges=tuple(row.serial_ranges or ()),
        retirement_id=row.retirement_id,
        issued_at=row.issued_at.astimezone(UTC),
        verify_url=verify_url,
        signature=row.signature,
        key_id=row.key_id,
        payload=payload,
        language=row.language,
    )


async def issue_certificate(
    data: CertificateData,
    *,
    key: Ed25519PrivateKey,
    public_base_url: str,
    now: Callable[[], datetime] = _utc_now,
) -> CertificateView:
    """Sign and store a certificate; the same idempotency key returns the first one."""
    data = _clean(data)
    if (existing := await Certificate.get_or_none(key=data.key)) is not None:
        return _view(existing)
    issued_at = now().astimezone(UTC).replace(microsecond=0)
    kid = signing.key_id(key)
    for _attempt in range(5):
        cert_id = new_public_id()
        verify_url = verify_url_for(public_base_url, cert_id)
        payload = build_payload(
            data,
            cert_id=cert_id,
            issued_at=issued_at,
            verify_url=verify_url,
            key_id=kid,
            public_key_url=public_key_url_for(public_base_url),
        )
        try:
            row = await Certificate.create(
                public_id=cert_id,
                key=data.key,
                kind=data.kind,
                beneficiary=data.beneficiary,
                amount_kg=data.amount_kg,
                reason=data.reason,
                project_name=data.project_name,
                methodology=data.methodology,
                country=data.country,
                vintage=data.vintage,
                serial_ranges=list(data.serial_ranges),
                retirement_id=data.retirement_id,
                issued_at=issued_at,
                payload=payload,
                signature=signing.sign_payload(payload, key),
                key_id=kid,
                language=data.language,
            )
        except IntegrityError:
            # Either another issuer won the race for this key (return its
            # certificate) or, against all odds, the random id was taken.
            if (existing := await Certificate.get_or_none(key=data.key)) is not None:
                return _view(existing)
            continue
        return _view(row)
    raise CertificateError("could not allocate a certificate id")


def view_from_payload(payload: dict[str, Any], signature: str) -> CertificateView:
    """A view rebuilt from a signed payload alone (e.g. a downloaded /c/<id>.json).

    Raises CertificateError when the payload lacks a field; it does not verify.
    """
    try:
        issued_at = datetime.strptime(payload["issued_at"], verification.ISSUED_AT_FORMAT)
        return CertificateView(
            id=str(payload["id"]),
            kind=CertificateKind(payload["kind"]),
            beneficiary=str(payload["beneficiary"]),
            amount_kg=int(payload["amount_kg"]),
            reason=str(payload.get("reason") or ""),
            project_name=str(payload.get("project") or ""),
            methodology=str(payload.get("methodology") or ""),
            country=str(payload.get("country") or ""),
            vintage=payload.get("vintage"),
            serial_ranges=tuple(payload.get("serials") or ()),
            retirement_id=payload.get("retirement_id"),
            issued_at=issued_at.replace(tzinfo=UTC),
            verify_url=str(payload["verify_url"]),
            signature=signature,
            key_id=str(payload.get("key_id") or ""),
            payload=dict(payload),
            language=normalise_language(payload.get("language")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CertificateError(f"not a certificate payload: {error}") from None


async def get_certificate(cert_id: str) -> CertificateView | None:
    """The certificate with this public id; None for an unknown or malformed id."""
    if not isinstance(cert_id, str):
        return None
    cert_id = normalize_public_id(cert_id)
    if not is_valid_public_id(cert_id):
        return None
    row = await Certificate.get_or_none(public_id=cert_id)
    return None if row is None else _view(row)


async def get_certificate_by_key(key: str) -> CertificateView | None:
    """The certificate issued under this idempotency key, if any."""
    row = await Certificate.get_or_none(key=key)
    return None if row is None else _view(row)


def verify_certificate(
    payload: dict[str, Any],
    signature: str,
    public_key: Ed25519PublicKey | Ed25519PrivateKey,
) -> bool:
    """True when the signature covers exactly this payload under this key, strictly."""
    document = {"payload": payload, "signature": signature}
    return verification.verify_document(document, public_key).is_valid


def certificate_document(view: CertificateView) -> dict[str, Any]:
    """The body of /c/<id>.json: everything needed to check the certificate offline.

    Format 3 and later: the payload and the signature, nothing unsigned beside
    them. Formats 1 and 2 as they were served, their outer copies derived from
    the signed payload (`verification.legacy_outer_fields`).
    """
    document: dict[str, Any] = {"payload": view.payload, "signature": view.signature}
    if view.payload.get("v") in (1, 2):
        try:
            document |= verification.legacy_outer_fields(view.payload)
        except (KeyError, TypeError, AttributeError):
            pass  # a damaged payload: verify_document says what is wrong with it
    return document


def verify_stored(
    view: CertificateView, public_key: Ed25519PublicKey | Ed25519PrivateKey
) -> Verdict:
    """The verdict on a stored certificate: its document, then the copies shown beside it."""
    verdict = verification.verify_document(certificate_document(view), public_key)
    if not verdict.is_valid:
        return verdict
    try:
        check_stored_copy(view)
    except verification.CertificateRejected as error:
        return Verdict(False, str(error))
    return verdict


def check_stored_copy(view: CertificateView) -> None:
    """The columns a page or an image shows say what the signed payload says."""
    payload = view.payload
    copies = {
        "id": (view.id, payload["id"]),
        "kind": (str(view.kind), payload["kind"]),
        "beneficiary": (view.beneficiary, payload["beneficiary"]),
        "amount_kg": (view.amount_kg, payload["amount_kg"]),
        "reason": (view.reason, payload["reason"]),
        "project": (view.project_name, payload["project"]),
        "methodology": (view.methodology, payload["methodology"]),
        "country": (view.country, payload["country"]),
        "vintage": (view.vintage, payload["vintage"]),
        "serials": (list(view.serial_ranges), payload["serials"]),
        "retirement_id": (view.retirement_id, payload["retirement_id"]),
        "issued_at": (_iso_utc(view.issued_at), payload["issued_at"]),
        "verify_url": (view.verify_url, payload["verify_url"]),
        "key_id": (view.key_id, payload["key_id"]),
        "language": (view.language, payload.get("language", "en")),
    }
    for name, (stored, signed) in copies.items():
        if stored != signed:
            raise verification.CertificateRejected(
                f"the stored {name} differs from the signed payload"
            )
