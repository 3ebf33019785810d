"""Product codes: merchants, their products, funded batches, claims and expiry.

Every use case is one function here; front ends (bot, CLI, web page) call only these
and get frozen views back. The rules:

- A merchant is pending until staff approve it; a pending merchant registers
  products but funds no codes; a suspended merchant's codes cannot be claimed.
- Funding a batch of N codes moves N x kg from the merchant's wallet to the batch's
  shard accounts and puts a hold of its own on every code (code i on shard
  i mod shards), all in one transaction: every printed code is backed, and claims
  of different codes never wait on one hold row (DECISIONS.md, "Product codes").
- A claim moves a code's state by conditional UPDATE (unclaimed -> claimed) in the
  transaction that posts its hold: of two shoppers claiming one code at once exactly
  one wins, on SQLite and PostgreSQL; the loser is told when it was claimed.
- At expiry the unclaimed codes' holds are voided and their backing retired per
  shard for the merchant "on behalf of its customers"; a code claimed after that
  gets a certificate for its share of that retirement.
- Ten unknown or mistyped codes in an hour pause a person's claims (state in the
  database, so every process agrees).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import ledger, outbox, registry, users
from core.certs.models import CertificateKind
from core.certs.service import CertificateView, issue_certificate
from core.clock import utcnow
from core.codes.errors import (
    ClaimsPaused,
    CodeAlreadyClaimed,
    CodeMistyped,
    InvalidBatch,
    InvalidProduct,
    MerchantNotApproved,
    MerchantSuspended,
    NotAMerchant,
    NotEnoughCredits,
    UnknownBatch,
    UnknownCode,
    UnknownMerchant,
    UnknownProduct,
)
from core.codes.format import code_hash, derive, parse
from core.codes.models import (
    BatchShard,
    BatchStatus,
    Code,
    CodeBatch,
    CodeMiss,
    CodeProduct,
    CodeReduction,
    CodeState,
    Merchant,
    MerchantStatus,
)
from core.ids import new_id
from core.ledger import CARBON, Kind, Leg, Role
from core.ledger.errors import InsufficientFunds
from core.users.errors import UnknownUser

MAX_SHARDS = 16
MAX_BATCH = 100_000
MAX_KG_PER_UNIT = 1_000_000  # 1,000 t on one package is a typo
MISSES_PER_HOUR = 10
MISS_WINDOW = timedelta(hours=1)
ON_BEHALF = "{merchant}, on behalf of its customers"
EXPIRED_KIND = "codes_batch_expired"
BATCH_ID_PREFIX = "B"  # and 10 of core.ids: a batch's public id, on its label sheet
BATCH_ID_LENGTH = 10


@dataclass(frozen=True)
class MerchantView:
    id: int
    user_id: int
    name: str
    status: MerchantStatus


@dataclass(frozen=True)
class ProductView:
    id: int
    merchant_id: int
    merchant_name: str
    name: str
    gtin: str | None
    kg_per_unit: int
    footprint_basis: str | None


@dataclass(frozen=True)
class BatchView:
    id: str  # public id, "B..."
    product: ProductView
    count: int
    kg_per_unit: int
    status: BatchStatus
    expires_at: datetime | None
    created_at: datetime
    claimed: int
    held_kg: int  # what the batch's holds still reserve: the value of its unclaimed codes


@dataclass(frozen=True)
class CodeView:
    """What the public page and `cccp codes show` say about a code."""

    code: str
    product: ProductView
    batch_id: str
    merchant_status: MerchantStatus
    state: CodeState
    claimed_at: datetime | None
    retirement_id: str | None
    project_names: tuple[str, ...]


@dataclass(frozen=True)
class ClaimView:
    code: str
    code_id: int
    beneficiary: str  # the shopper's name, as the retirement and certificate state it
    product: ProductView
    amount_kg: int
    claimed_at: datetime
    retirement_id: str | None  # None: credited to the wallet, not retired
    is_share: bool  # the batch had expired: the certificate is a share of its retirement


# ---- merchants -----------------------------------------------------------------------------

def _merchant_view(row: Merchant) -> MerchantView:
    return MerchantView(id=row.id, user_id=row.user_id, name=row.name, status=MerchantStatus(row.status))


async def register_merchant(user_id: int, name: str | None = None, *, now: datetime | None = None) -> MerchantView:
    """Make a signed-up user a merchant (pending until approved). Again: the same merchant."""
    now = now or utcnow()
    user = await users.get_user(user_id)
    if user is None:
        raise UnknownUser(user_id=user_id)
    name = " ".join((name or user.first_name).split())[:128] or str(user_id)
    if (row := await Merchant.get_or_none(user_id=user_id)) is None:
        try:
            async with in_transaction():
                row = await Merchant.create(user_id=user_id, name=name, created_at=now)
        except IntegrityError:  # the same registration, twice at once
            row = await Merchant.get(user_id=user_id)
    await users.add_role(user_id, "merchant")
    return _merchant_view(row)


async def get_merchant(user_id: int) -> MerchantView | None:
    row = await Merchant.get_or_none(user_id=user_id)
    return None if row is None else _merchant_view(row)


async def _set_status(user_id: int, status: MerchantStatus, now: datetime | None) -> MerchantView:
    if not await Merchant.filter(user_id=user_id).update(status=status, status_changed_at=now or utcnow()):
        raise UnknownMerchant(user_id=user_id)
    return _merchant_view(await Merchant.get(user_id=user_id))


async def approve_merchant(user_id: int, *, now: datetime | None = None) -> MerchantView:
    """Staff: the merchant may fund codes (and a suspended one's codes work again)."""
    return await _set_status(user_id, MerchantStatus.APPROVED, now)


async def suspend_merchant(user_id: int, *, now: datetime | None = None) -> MerchantView:
    """Staff: no more funding, and the merchant's codes cannot be claimed until approved again."""
    return await _set_status(user_id, MerchantStatus.SUSPENDED, now)


# ---- products --------------------------------------------------------------------------------

async def _product_view(row: CodeProduct) -> ProductView:
    merchant = await Merchant.get(id=row.merchant_id)
    return ProductView(
        id=row.id, merchant_id=row.merchant_id, merchant_name=merchant.name, name=row.name, gtin=row.gtin,
        kg_per_unit=row.kg_per_unit, footprint_basis=row.footprint_basis,
    )


def kg_of_footprint(basis: str) -> int:
    """The kg of CO2e a footprint description comes to ("1 kg beef", "a 200 km parcel")."""
    from core.footprint import compute, parse_request

    return compute(parse_request(basis)).kg_co2e


async def add_product(
    user_id: int,
    name: str,
    *,
    kg_per_unit: int | None = None,
    gtin: str | None = None,
    footprint_basis: str | None = None,
    now: datetime | None = None,
) -> ProductView:
    """Register a product sold outside the bot; its kg are given, or worked out from a footprint."""
    now = now or utcnow()
    merchant = await Merchant.get_or_none(user_id=user_id)
    if merchant is None:
        raise NotAMerchant(user_id=user_id)
    name = " ".join(str(name or "").split())
    if not name or len(name) > 120:
        raise InvalidProduct(field="name", max_length=120)
    gtin = " ".join(str(gtin).split()) if gtin else None
    if gtin is not None and (len(gtin) > 32 or not gtin.replace("-", "").isalnum()):
        raise InvalidProduct(field="gtin", max_length=32)
    basis = " ".join(str(footprint_basis).split())[:200] if footprint_basis else None
    if kg_per_unit is None:
        if basis is None:
            raise InvalidProduct(field="kg")
        kg_per_unit = kg_of_footprint(basis)  # FootprintError: the bot's footprint texts answer it
    if not isinstance(kg_per_unit, int) or isinstance(kg_per_unit, bool) or not 0 < kg_per_unit <= MAX_KG_PER_UNIT:
        raise InvalidProduct(field="kg", maximum=MAX_KG_PER_UNIT)
    row = await CodeProduct.create(
        merchant_id=merchant.id, name=name, gtin=gtin, kg_per_unit=kg_per_unit, footprint_basis=basis, created_at=now
    )
    return await _product_view(row)


async def get_product(product_id: int) -> ProductView:
    row = await CodeProduct.get_or_none(id=product_id)
    if row is None:
        raise UnknownProduct(product_id=product_id)
    return await _product_view(row)


async def products_of(user_id: int) -> list[ProductView]:
    merchant = await Merchant.get_or_none(user_id=user_id)
    if merchant is None:
        return []
    return [await _product_view(p) for p in await CodeProduct.filter(merchant_id=merchant.id).order_by("id")]


# ---- batches ---------------------------------------------------------------------------------

async def _batch_view(row: CodeBatch) -> BatchView:
    product = await _product_view(await CodeProduct.get(id=row.product_id))
    claimed = await Code.filter(batch_id=row.id, state=CodeState.CLAIMED).count()
    held = await Code.filter(batch_id=row.id, state=CodeState.UNCLAIMED).count() * row.kg_per_unit
    return BatchView(
        id=row.public_id, product=product, count=row.count, kg_per_unit=row.kg_per_unit,
        status=BatchStatus(row.status), expires_at=row.expires_at, created_at=row.created_at,
        claimed=claimed, held_kg=held,
    )


def shard_owner(batch_id: int, shard: int) -> str:
    return f"codebatch:{batch_id}:{shard}"


async def fund_batch(
    product_id: int,
    count: int,
    *,
    secret: bytes,
    key: str,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> BatchView:
    """Hold count x kg of the merchant's credits, one hold per code; the same key again: that batch."""
    now = now or utcnow()
    if (done := await CodeBatch.get_or_none(key=key)) is not None:
        return await _batch_view(done)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= MAX_BATCH:
        raise InvalidBatch(field="count", maximum=MAX_BATCH)
    if expires_at is not None and expires_at <= now:
        raise InvalidBatch(field="expires_at")
    product = await CodeProduct.get_or_none(id=product_id)
    if product is None:
        raise UnknownProduct(product_id=product_id)
    merchant = await Merchant.get(id=product.merchant_id)
    if merchant.status != MerchantStatus.APPROVED:
        raise MerchantNotApproved(status=merchant.status.value)
    wallet = await ledger.user_account(merchant.user_id, CARBON)
    needed = count * product.kg_per_unit
    if wallet.available < needed:
        raise NotEnoughCredits(needed_kg=needed, available_kg=wallet.available)
    shards = min(count, MAX_SHARDS)
    try:
        async with in_transaction():
            batch = await CodeBatch.create(
                public_id=new_id(BATCH_ID_PREFIX, BATCH_ID_LENGTH), key=key, product_id=product.id, count=count,
                kg_per_unit=product.kg_per_unit, shards=shards, expires_at=expires_at, created_at=now,
            )
            accounts = [await ledger.open_account(shard_owner(batch.id, s), Role.ESCROW, CARBON) for s in range(shards)]
            per_shard = [len(range(s, count, shards)) * product.kg_per_unit for s in range(shards)]
            await ledger.post(
                f"codes:fund:{batch.public_id}", Kind.CODE_FUND,
                [Leg(wallet.id, account.id, amount) for account, amount in zip(accounts, per_shard, strict=True)],
                memo=f"codes for {product.name}"[:500], metadata={"batch": batch.public_id, "count": count}, now=now,
            )
            await BatchShard.bulk_create(
                [BatchShard(batch_id=batch.id, index=s, account_id=a.id) for s, a in enumerate(accounts)]
            )
            rows = []
            for index in range(count):
                held = await ledger.hold(
                    f"codes:back:{batch.public_id}:{index}", accounts[index % shards].id, product.kg_per_unit,
                    Kind.CODE_BACKING, metadata={"batch": batch.public_id, "index": index}, now=now,
                )
                code = derive(secret, batch.public_id, index)
                rows.append(Code(batch_id=batch.id, index=index, hash=code_hash(secret, code),
                                 shard=index % shards, hold_id=held.id))
            await Code.bulk_create(rows, batch_size=500)
    except InsufficientFunds as error:  # spent by something else since we looked
        raise NotEnoughCredits(needed_kg=needed, available_kg=error.params.get("available")) from None
    except IntegrityError:
        if (done := await CodeBatch.get_or_none(key=key)) is not None:
            return await _batch_view(done)
        raise
    return await _batch_view(batch)


async def get_batch(public_id: str) -> BatchView:
    row = await CodeBatch.get_or_none(public_id=str(public_id).strip().upper())
    if row is None:
        raise UnknownBatch(batch=public_id)
    return await _batch_view(row)


async def batches(*, user_id: int | None = None, limit: int = 100) -> list[BatchView]:
    query = CodeBatch.all()
    if user_id is not None:
        merchant = await Merchant.get_or_none(user_id=user_id)
        if merchant is None:
            return []
        query = query.filter(product__merchant_id=merchant.id)
    return [await _batch_view(row) for row in await query.order_by("-id").limit(limit)]


async def batch_codes(public_id: str, *, secret: bytes) -> list[str]:
    """Every code of the batch, in order, derived again from the secret (for labels)."""
    batch = await get_batch(public_id)
    return [derive(secret, batch.id, index) for index in range(batch.count)]


# ---- claims ----------------------------------------------------------------------------------

async def check_not_paused(who: str, now: datetime | None = None) -> None:
    """ClaimsPaused when `who` sent ten unknown or mistyped codes in the last hour."""
    now = now or utcnow()
    recent = await CodeMiss.filter(who=who, created_at__gt=now - MISS_WINDOW).order_by("created_at").values_list(
        "created_at", flat=True
    )
    if len(recent) >= MISSES_PER_HOUR:
        raise ClaimsPaused(until=recent[-MISSES_PER_HOUR] + MISS_WINDOW)


async def record_miss(who: str, now: datetime | None = None) -> None:
    await CodeMiss.create(who=who, created_at=now or utcnow())


async def _find(code: str, secret: bytes) -> Code | None:
    return await Code.get_or_none(hash=code_hash(secret, code))


async def code_status(text: str, *, secret: bytes) -> CodeView:
    """What anyone may know of a code: product, merchant, kg, whether and when it was claimed."""
    code = parse(text)
    row = await _find(code, secret)
    if row is None:
        raise UnknownCode()
    batch = await CodeBatch.get(id=row.batch_id)
    product = await _product_view(await CodeProduct.get(id=batch.product_id))
    merchant = await Merchant.get(id=product.merchant_id)
    account_ids = await BatchShard.filter(batch_id=batch.id).values_list("account_id", flat=True)
    names = await registry_projects_of(list(account_ids))
    return CodeView(
        code=code, product=product, batch_id=batch.public_id, merchant_status=MerchantStatus(merchant.status),
        state=CodeState(row.state), claimed_at=row.claimed_at, retirement_id=row.retirement_public_id,
        project_names=names,
    )


async def registry_projects_of(account_ids: list[int]) -> tuple[str, ...]:
    """The projects whose serials back these accounts (held, active or retired from them)."""
    from core.registry.models import SerialBlock

    rows = await SerialBlock.filter(account_id__in=account_ids).values_list("batch__project__name", flat=True)
    return tuple(dict.fromkeys(rows))


async def _claimable(text: str, user_id: int, secret: bytes, now: datetime):
    """The code's row, batch, product and shopper, or the error a person should hear (misses counted)."""
    who = f"user:{user_id}"
    await check_not_paused(who, now)
    try:
        code = parse(text)
    except CodeMistyped:
        await record_miss(who, now)
        raise
    row = await _find(code, secret)
    if row is None:
        await record_miss(who, now)
        raise UnknownCode()
    batch = await CodeBatch.get(id=row.batch_id)
    product = await _product_view(await CodeProduct.get(id=batch.product_id))
    merchant = await Merchant.get(id=product.merchant_id)
    if merchant.status == MerchantStatus.SUSPENDED:
        raise MerchantSuspended(merchant=merchant.name)
    user = await users.get_user(user_id)
    if user is None:
        raise UnknownUser(user_id=user_id)  # front ends sign people up first
    if row.state == CodeState.CLAIMED:
        raise CodeAlreadyClaimed(claimed_at=row.claimed_at, is_yours=row.claimed_by == user_id)
    return code, row, batch, product, user


async def preview(text: str, user_id: int, *, secret: bytes, now: datetime | None = None) -> CodeView:
    """What claiming the code would give the user, or the error claiming it would raise now."""
    code, *_ = await _claimable(text, user_id, secret, now or utcnow())
    return await code_status(code, secret=secret)


async def claim(
    text: str,
    user_id: int,
    *,
    secret: bytes,
    retire: bool = True,
    now: datetime | None = None,
) -> ClaimView:
    """Claim the code for the user: its credits retired in their name (or, without `retire`, credited)."""
    now = now or utcnow()
    code, row, batch, product, user = await _claimable(text, user_id, secret, now)
    for _attempt in range(2):  # an expiry may move the code on between our read and our claim
        if row.state == CodeState.CLAIMED:
            raise CodeAlreadyClaimed(claimed_at=row.claimed_at, is_yours=row.claimed_by == user_id)
        was = CodeState(row.state)
        async with in_transaction():
            if await Code.filter(id=row.id, state=was).update(state=CodeState.CLAIMED, claimed_by=user_id, claimed_at=now):
                retirement_id = await _deliver(row, was, batch, product, user, retire=retire, now=now)
                if retirement_id is not None:
                    await Code.filter(id=row.id).update(retirement_public_id=retirement_id)
                # A claim starts a carbon reduction order, as a purchase does (seed claim).
                await CodeReduction.create(code_id=row.id, amount_kg=batch.kg_per_unit,
                                           retirement_public_id=retirement_id, created_at=now)
                return ClaimView(
                    code=code, code_id=row.id, beneficiary=_name(user), product=product, amount_kg=batch.kg_per_unit, claimed_at=now,
                    retirement_id=retirement_id, is_share=was == CodeState.EXPIRED,
                )
        row = await Code.get(id=row.id)
    raise CodeAlreadyClaimed(claimed_at=row.claimed_at, is_yours=row.claimed_by == user_id)


def _name(user) -> str:
    return " ".join((user.first_name or "").split())[:200] or str(user.id)


def claim_reason(product: ProductView) -> str:
    return f"{product.name} ({product.merchant_name})"[:500]


async def _deliver(row: Code, was: CodeState, batch: CodeBatch, product: ProductView, user, *, retire: bool,
                   now: datetime) -> str | None:
    """Inside the claim's transaction: move the code's backing to the shopper (or retire it for them)."""
    if was == CodeState.EXPIRED:  # retired at expiry: the shopper's certificate is a share of it
        shard = await BatchShard.get(batch_id=batch.id, index=row.shard)
        return shard.retirement_public_id
    if retire:
        retirement = await registry.retire_held(
            row.hold_id, _name(user), claim_reason(product), key=f"codes:claim:{row.id}", now=now,
        )
        return retirement.id
    wallet = await ledger.user_account(user.id, CARBON)
    await ledger.post_hold(f"codes:claim:{row.id}", row.hold_id, wallet.id, kind=Kind.CODE_CLAIM,
                           metadata={"batch": batch.public_id, "index": row.index}, now=now)
    return None


async def certify_claim(
    claimed: ClaimView, *, signing_key, public_base_url: str, language: str = "en", now=utcnow,
) -> CertificateView:
    """The certificate of a claim (once per code): product and merchant named, the shopper's kg."""
    from core.purchases.certificates import certificate_data

    retirement = await registry.get_retirement(claimed.retirement_id)
    data = await certificate_data(retirement, kind=CertificateKind.PRODUCT, language=language)
    data = replace(
        data, beneficiary=claimed.beneficiary, amount_kg=claimed.amount_kg, reason=claim_reason(claimed.product),
        key=f"codes:certificate:{claimed.code_id}",
    )
    return await issue_certificate(data, key=signing_key, public_base_url=public_base_url, now=now)


# ---- expiry ----------------------------------------------------------------------------------

async def expire_batches(now: datetime | None = None, *, limit: int = 20) -> list[str]:
    """Retire the unclaimed backing of every batch past its expiry, for the merchant; tell them."""
    now = now or utcnow()
    done = []
    for batch in await CodeBatch.filter(status=BatchStatus.ACTIVE, expires_at__lte=now).order_by("id").limit(limit):
        if await _expire(batch, now):
            done.append(batch.public_id)
    return done


async def _expire(batch: CodeBatch, now: datetime) -> bool:
    product = await _product_view(await CodeProduct.get(id=batch.product_id))
    merchant = await Merchant.get(id=product.merchant_id)
    async with in_transaction():
        if not await CodeBatch.filter(id=batch.id, status=BatchStatus.ACTIVE).update(
            status=BatchStatus.EXPIRED, expired_at=now
        ):
            return False  # another process expired it
        per_shard: dict[int, int] = defaultdict(int)
        for row in await Code.filter(batch_id=batch.id, state=CodeState.UNCLAIMED).order_by("id"):
            # The code row decides between a racing claim and us: whoever moves its state first.
            if await Code.filter(id=row.id, state=CodeState.UNCLAIMED).update(state=CodeState.EXPIRED):
                await ledger.void_hold(f"codes:expire:{row.id}", row.hold_id, now=now)
                per_shard[row.shard] += batch.kg_per_unit
        retired_kg = 0
        for shard in await BatchShard.filter(batch_id=batch.id, index__in=list(per_shard)).order_by("index"):
            retirement = await registry.retire(
                shard.account_id, per_shard[shard.index], ON_BEHALF.format(merchant=merchant.name)[:200],
                product.name, key=f"codes:expire:{batch.public_id}:{shard.index}", now=now,
            )
            await BatchShard.filter(id=shard.id).update(retirement_public_id=retirement.id)
            retired_kg += per_shard[shard.index]
        await outbox.enqueue(merchant.user_id, EXPIRED_KIND, {
            "batch": batch.public_id, "product": product.name, "codes": retired_kg // batch.kg_per_unit,
            "kg": retired_kg,
        }, dedup_key=f"codes:expired:{batch.public_id}", now=now)
    return True
