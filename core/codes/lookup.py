"""What staff find and see of product codes: a code or a batch names a user, and the user
card shows a merchant's products and a shopper's claims. `core.setup()` registers both
with core.staff.lookup.

A claimed code names the shopper who claimed it (the one to ask about it); a code not
claimed yet, and a batch id, name the merchant whose credits back it. Codes are stored
only as their keyed hash, so reading one takes the codes secret, which the front end
hands in under KEY; without it a code names nobody and claims are shown without their code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from core.codes.errors import CodesError
from core.codes.format import code_hash, derive, looks_like_code, parse, printed
from core.codes.models import Code, CodeBatch, CodeProduct, CodeState, Merchant, MerchantStatus
from core.codes.service import BATCH_ID_LENGTH, BATCH_ID_PREFIX, MerchantView
from core.ids import is_id, normalize

KEY = "codes"  # the name of the codes secret among the keys a front end hands in
CARD_PRODUCTS = 5
CARD_CLAIMS = 5


@dataclass(frozen=True)
class ProductLine:
    id: int
    name: str
    kg_per_unit: int
    batches: int
    codes: int  # funded, in all its batches
    claimed: int


@dataclass(frozen=True)
class ClaimLine:
    code: str | None  # as printed (KABCD-EFGHJ-KMNPX); None without the secret
    product_name: str
    merchant_name: str
    amount_kg: int
    claimed_at: datetime
    retirement_id: str | None


@dataclass(frozen=True)
class CodesOnCard:
    merchant: MerchantView | None
    product_count: int
    products: tuple[ProductLine, ...]  # the newest, at most CARD_PRODUCTS
    claim_count: int
    claims: tuple[ClaimLine, ...]  # the newest, at most CARD_CLAIMS


def _merchant(row: Merchant | None) -> MerchantView | None:
    return None if row is None else MerchantView(row.id, row.user_id, row.name, MerchantStatus(row.status))


async def _merchant_user(merchant_id: int) -> int:
    return (await Merchant.get(id=merchant_id)).user_id


async def find_code_user(text: str, keys: Mapping[str, bytes]) -> int | None:
    """The shopper who claimed the code, or the merchant behind an unclaimed code or a batch."""
    normal = normalize(text)
    if is_id(normal, BATCH_ID_PREFIX, BATCH_ID_LENGTH):
        batch = await CodeBatch.get_or_none(public_id=normal).prefetch_related("product")
        return None if batch is None else await _merchant_user(batch.product.merchant_id)
    secret = keys.get(KEY)
    if secret is None or not looks_like_code(text):
        return None
    try:
        code = parse(text)
    except CodesError:  # mistyped: names nobody
        return None
    row = await Code.get_or_none(hash=code_hash(secret, code)).prefetch_related("batch__product")
    if row is None:
        return None
    if row.state == CodeState.CLAIMED and row.claimed_by is not None:
        return row.claimed_by
    return await _merchant_user(row.batch.product.merchant_id)


async def _product_line(product: CodeProduct) -> ProductLine:
    batches = await CodeBatch.filter(product_id=product.id).values_list("count", flat=True)
    claimed = await Code.filter(batch__product_id=product.id, state=CodeState.CLAIMED).count()
    return ProductLine(product.id, product.name, product.kg_per_unit, len(batches), sum(batches), claimed)


async def codes_on_card(user_id: int, keys: Mapping[str, bytes]) -> CodesOnCard | None:
    """A merchant's products with their codes, and the codes the user claimed; None: neither."""
    merchant = await Merchant.get_or_none(user_id=user_id)
    products: list[ProductLine] = []
    product_count = 0
    if merchant is not None:
        query = CodeProduct.filter(merchant_id=merchant.id)
        product_count = await query.count()
        products = [await _product_line(p) for p in await query.order_by("-id").limit(CARD_PRODUCTS)]
    claimed = Code.filter(claimed_by=user_id, state=CodeState.CLAIMED)
    claim_count = await claimed.count()
    if merchant is None and not claim_count:
        return None
    secret = keys.get(KEY)
    claims = []
    for row in await claimed.order_by("-claimed_at", "-id").limit(CARD_CLAIMS).prefetch_related(
            "batch__product__merchant"):
        product = row.batch.product
        claims.append(ClaimLine(
            code=printed(derive(secret, row.batch.public_id, row.index)) if secret else None,
            product_name=product.name, merchant_name=product.merchant.name, amount_kg=row.batch.kg_per_unit,
            claimed_at=row.claimed_at, retirement_id=row.retirement_public_id,
        ))
    return CodesOnCard(
        merchant=_merchant(merchant), product_count=product_count,
        products=tuple(products), claim_count=claim_count, claims=tuple(claims),
    )
