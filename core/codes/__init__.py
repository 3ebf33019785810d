"""Product codes: merchants, backed codes, labels and claims (see service.py)."""

from core.codes.format import (
    LENGTH,
    PREFIX,
    code_hash,
    derive,
    is_probably_code,
    looks_like_code,
    parse,
    printed,
)
from core.codes.models import BatchStatus, CodeState, MerchantStatus
from core.codes.service import (
    EXPIRED_KIND,
    BatchView,
    ClaimView,
    CodeView,
    MerchantView,
    ProductView,
    add_product,
    approve_merchant,
    batch_codes,
    batches,
    certify_claim,
    check_not_paused,
    claim,
    code_status,
    expire_batches,
    fund_batch,
    get_batch,
    get_merchant,
    get_product,
    kg_of_footprint,
    preview,
    products_of,
    record_miss,
    register_merchant,
    suspend_merchant,
)

__all__ = [
    "EXPIRED_KIND", "LENGTH", "PREFIX", "BatchStatus", "BatchView", "ClaimView", "CodeState", "CodeView",
    "MerchantStatus", "MerchantView", "ProductView", "add_product", "approve_merchant", "batch_codes", "batches",
    "certify_claim", "check_not_paused", "claim", "code_hash", "code_status", "derive", "expire_batches", "fund_batch", "get_batch",
    "get_merchant", "get_product", "is_probably_code", "kg_of_footprint", "looks_like_code", "parse", "printed", "preview", "products_of",
    "record_miss", "register_merchant", "suspend_merchant",
]
