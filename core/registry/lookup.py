"""The public look-up: what a serial number, a serial range or a retirement id is.

A serial (range) names its project and vintage; both must match the batch
that holds the serials. The answer lists the range piece by piece, each with
its state (active, held, retired) and, for retired pieces, for whom, why and
when. Cost: two indexed reads plus one per piece shown (at most MAX_PIECES).
A retirement id also shows the reduction orders of the purchase that produced
it (core/registry/reductions.py; one more read). A certificate id (both are
printed on every certificate) finds the retirement it certifies.
"""

from __future__ import annotations

from core.certs.models import Certificate
from core.certs.service import is_valid_public_id, normalize_public_id
from core.registry.errors import BadSerial, SerialNotFound
from core.registry.models import Batch, BlockStatus, Project, Retirement, SerialBlock
from core.registry.reductions import reductions_for_retirement
from core.registry.retirement import get_retirement, is_retirement_id
from core.registry.serials import format_serial, looks_like_serial, parse_serial
from core.registry.views import LookupView, SerialRangeView, batch_view, project_view

MAX_PIECES = 50


async def lookup(text: str) -> LookupView:
    """Look up `CCCP-P7-2024-1000`, `CCCP-P7-2024-1000-1999`, a retirement id or a certificate id."""
    text = str(text).strip()
    if looks_like_serial(text):
        return await _lookup_serials(text)
    if not is_retirement_id(text) and is_valid_public_id(cert_id := normalize_public_id(text)):
        certificate = await Certificate.get_or_none(public_id=cert_id)
        if certificate is None or certificate.retirement_id is None:
            raise SerialNotFound(text=text[:80])
        text = certificate.retirement_id
    if is_retirement_id(text):
        retirement = await get_retirement(text)
        if retirement is None:
            raise SerialNotFound(text=text[:80])
        code = retirement.ranges[0].project_code if retirement.ranges else None
        project = await Project.get(code=code) if code else None
        if project is None:
            raise SerialNotFound(text=text[:80])
        return LookupView(
            query=text, project=project_view(project), batch=None,
            pieces=retirement.ranges, retirement=retirement,
            reductions=await reductions_for_retirement(retirement.id),
        )
    raise BadSerial(text=text[:80])


async def _lookup_serials(text: str) -> LookupView:
    wanted = parse_serial(text)
    batch = (
        await Batch.filter(serial_first__lte=wanted.first)
        .order_by("-serial_first")
        .select_related("project")
        .first()
    )
    if (
        batch is None
        or wanted.last > batch.serial_last
        or batch.project.code != wanted.project_code
        or batch.vintage != wanted.vintage
    ):
        raise SerialNotFound(text=text[:80])
    start = await SerialBlock.filter(serial_first__lte=wanted.first).order_by("-serial_first").first()
    blocks = [start] if start is not None and start.serial_last >= wanted.first else []
    blocks += await (
        SerialBlock.filter(serial_first__gt=wanted.first, serial_first__lte=wanted.last)
        .order_by("serial_first")
        .limit(MAX_PIECES + 1)
    )
    is_truncated = len(blocks) > MAX_PIECES
    blocks = blocks[:MAX_PIECES]
    retirements = {
        r.posting_id: r
        for r in await Retirement.filter(
            posting_id__in=[b.retired_posting_id for b in blocks if b.retired_posting_id]
        )
    }
    project = batch.project
    pieces = []
    for block in blocks:
        first, last = max(block.serial_first, wanted.first), min(block.serial_last, wanted.last)
        retired = retirements.get(block.retired_posting_id) if block.status == BlockStatus.RETIRED else None
        pieces.append(
            SerialRangeView(
                serial=format_serial(project.code, batch.vintage, first, last),
                project_code=project.code,
                project_name=project.name,
                batch_id=batch.id,
                vintage=batch.vintage,
                first=first,
                last=last,
                status=str(block.status.value if hasattr(block.status, "value") else block.status),
                retirement_id=retired.public_id if retired else None,
                beneficiary=retired.beneficiary if retired else None,
                reason=retired.reason if retired else None,
                retired_at=retired.created_at if retired else None,
            )
        )
    return LookupView(
        query=text,
        project=project_view(project),
        batch=batch_view(batch, project.code),
        pieces=tuple(pieces),
        retirement=None,
        is_truncated=is_truncated,
    )
