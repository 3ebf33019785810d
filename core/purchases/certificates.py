"""The certificate for a retirement: what was retired, for whom, which serials.

The certificate's idempotency key is `retirement:<retirement id>`, so asking
again (a redelivered payment, a retried /retire) returns the same signed
certificate. A retirement that took serials from several projects names them
all; methodology, country and vintage are printed when they are one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core import registry
from core.certs.models import CertificateKind
from core.certs.service import CertificateData, CertificateView, issue_certificate
from core.clock import utcnow


def _one(values: list) -> object | None:
    distinct = list(dict.fromkeys(values))
    return distinct[0] if len(distinct) == 1 else None


async def certificate_data(
    retirement: registry.RetirementView,
    *,
    kind: CertificateKind = CertificateKind.RETIREMENT,
    language: str = "en",
) -> CertificateData:
    """What the certificate of `retirement` states."""
    codes = list(dict.fromkeys(r.project_code for r in retirement.ranges))
    projects = [await registry.get_project(code) for code in codes]
    methodology = _one([p.methodology_name for p in projects]) or ""
    country = _one([p.country for p in projects]) or ""
    return CertificateData(
        kind=kind,
        beneficiary=retirement.beneficiary,
        amount_kg=retirement.amount_kg,
        project_name="; ".join(p.name for p in projects),
        project_id="; ".join(p.code for p in projects),
        standard="; ".join(dict.fromkeys(p.standard for p in projects)),
        methodology=str(methodology),
        country=str(country),
        vintage=_one([r.vintage for r in retirement.ranges]),
        serial_ranges=tuple(retirement.serials),
        reason=retirement.reason,
        retirement_id=retirement.id,
        key=f"retirement:{retirement.id}",
        language=language,
    )


async def certify_retirement(
    retirement: registry.RetirementView,
    *,
    signing_key: Ed25519PrivateKey,
    public_base_url: str,
    kind: CertificateKind = CertificateKind.RETIREMENT,
    now: Callable[[], datetime] = utcnow,
    language: str = "en",
) -> CertificateView:
    """Sign and store the certificate of a retirement (once per retirement), drawn
    in `language` (the buyer's: en, de or fr)."""
    data = await certificate_data(retirement, kind=kind, language=language)
    return await issue_certificate(data, key=signing_key, public_base_url=public_base_url, now=now)
