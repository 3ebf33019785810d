"""What the buying and retiring flows share with the payments feature about an order:
the deep link a forwarded invoice carries, and the certificate sent once credits are
retired. A shared module, not a feature: the flows import it, not each other's handlers.
"""

from __future__ import annotations

from collections.abc import Mapping

from telegram import Bot

from bot.i18n import N_, Translator
from core.certs.models import CertificateKind
from core.certs.render import render_certificate_png_async
from core.certs.signing import load_or_create_key
from core.purchases.certificates import certify_retirement
from core.registry import RetirementView

INVOICE_LINK_PREFIX = "order_"
CERT_CAPTION = N_("Certificate {id}: {amount} CO2e retired for {beneficiary}.\nCheck it at {url}")
CERT_REASON = N_("For: {reason}")

def invoice_start_parameter(order_id: str) -> str:
    """The deep link a forwarded copy of an invoice carries instead of a Pay button."""
    return INVOICE_LINK_PREFIX + order_id



def _signing_key(bot_data: Mapping):
    key = bot_data.get("cert_signing_key")
    if key is None:
        settings = bot_data["settings"]
        key = load_or_create_key(settings.cert_signing_key, settings.data_dir / "cert_signing_key")
        bot_data["cert_signing_key"] = key
    return key


async def send_certificate(
    bot: Bot,
    bot_data: Mapping,
    chat_id: int,
    t: Translator,
    retirement: RetirementView,
    *,
    kind: CertificateKind = CertificateKind.RETIREMENT,
) -> None:
    """Sign (once per retirement), draw and send the certificate photo with its link."""
    settings = bot_data["settings"]
    cert = await certify_retirement(
        retirement, signing_key=_signing_key(bot_data), public_base_url=settings.public_base_url, kind=kind,
        language=t.language,
    )
    png = await render_certificate_png_async(cert)
    caption = t(CERT_CAPTION, id=cert.id, amount=t.tonnes_and_kg(cert.amount_kg),
                beneficiary=cert.beneficiary, url=cert.verify_url)
    if cert.reason:  # what was offset, e.g. the flight the footprint calculator named
        head, _, tail = caption.partition("\n")
        caption = "\n".join([head, t(CERT_REASON, reason=cert.reason), tail])
    await bot.send_photo(chat_id, photo=png, caption=caption)
