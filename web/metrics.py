"""GET /metrics: what an operator watches, in Prometheus text format (version 0.0.4).

    cccp_build_info{version,python}     1, labelled with what is running
    cccp_uptime_seconds                 since this process imported the web app
    cccp_database_up                    1 when the counts below could be read, else 0
    cccp_users                          signed-up users
    cccp_ledger_postings                postings (every movement of credits or money)
    cccp_ledger_holds_pending           holds not yet posted or voided (unpaid orders, ...)
    cccp_purchases{status}              purchases per status (every status, 0 included)
    cccp_retirements, cccp_retired_kg   retirements and the kg CO2e they took out for good
    cccp_certificates                   certificates issued
    cccp_inbox_updates{state}           updates pending or set aside in the durable inbox
    cccp_payments_refund_owed           payments booked that wait for a refund
    cccp_payments_unbookable            payments the ledger could not hold, not yet refunded
    cccp_reconcile_booked               charges only Telegram had, booked by reconciliation
    cccp_reconcile_problems             disagreements reconciliation found (both over all runs)
    cccp_outbox_messages{state}         outbox rows per state (pending+sending: the queue depth)
    cccp_outbox_queue_depth             messages waiting or in flight
    cccp_outbox_rate_limited            429 answers the senders got (all processes, all time)

The figures are read from the database on each scrape, so they hold for every
process that shares it and survive restarts: all are gauges. A scrape is a dozen
COUNT or SUM queries (purchases grouped by status in one). The
exposition format is a few lines of text, written here by hand rather than
with a client library. When the database fails the page still answers 200
with `cccp_database_up 0`: a scrape that errors tells the operator less.

Who may scrape: with METRICS_TOKEN set, only a request carrying
`Authorization: Bearer <token>` (401 otherwise, from anywhere); without one,
only a client on this machine (127.0.0.1 or ::1) that came through no proxy
(403 otherwise). A reverse proxy on the same host makes every visitor look
local, so a request with a Forwarded, X-Forwarded-For or X-Real-IP header
counts as remote: behind a proxy, set a token.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import platform
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata

from aiohttp import web
from tortoise.functions import Count, Sum

from core.certs.models import Certificate
from core.inbox import InboxState, InboxUpdate
from core.ledger.models import Hold, HoldStatus, Posting
from core.outbox.models import OutboxMessage, OutboxPace, OutboxState
from core.purchases.models import Payment, PaymentAnomaly, PaymentOutcome, Purchase, PurchaseStatus
from core.purchases.reconcile import last_report
from core.registry.models import Retirement
from core.users.models import User

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
TOKEN = web.AppKey("metrics_token", str)
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
STARTED = time.monotonic()  # the web app is imported once per process, at start


@dataclass(frozen=True)
class Counts:
    users: int
    postings: int
    holds_pending: int
    purchases_by_status: dict[str, int]
    retirements: int
    retired_kg: int
    certificates: int
    inbox_pending: int = 0
    inbox_failed: int = 0
    payments_refund_owed: int = 0
    payments_unbookable: int = 0
    reconcile_booked_total: int = 0
    reconcile_problems_total: int = 0
    outbox_by_state: dict[str, int] | None = None
    outbox_rate_limited: int = 0


def add_routes(app: web.Application, *, token: str = "") -> None:
    """Register GET /metrics on `app`: for bearers of `token`, or with none for local clients."""
    app[TOKEN] = token
    app.router.add_get("/metrics", metrics)


def _has_token(request: web.Request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _is_local(request: web.Request) -> bool:
    """The client is this machine itself, not a visitor relayed by a proxy here."""
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.remote or "")
    except ValueError:  # no peer address (a Unix socket) or a name: not provably local
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def refusal(request: web.Request) -> web.Response | None:
    """The 401 or 403 for a scraper that may not read /metrics; None when it may."""
    token = request.config_dict[TOKEN]
    if token:
        if _has_token(request, token):
            return None
        return web.json_response(
            {"error": "unauthorized", "message": "Send Authorization: Bearer <METRICS_TOKEN>."},
            status=401, headers={"WWW-Authenticate": 'Bearer realm="cccp metrics"'},
        )
    if _is_local(request):
        return None
    return web.json_response(
        {"error": "forbidden", "message": "Set METRICS_TOKEN to scrape from another machine."},
        status=403,
    )


async def read_counts() -> Counts:
    """The operator's figures, one cheap query each."""
    by_status = dict.fromkeys((s.value for s in PurchaseStatus), 0)
    for row in await Purchase.annotate(n=Count("id")).group_by("status").values("status", "n"):
        by_status[str(row["status"])] = int(row["n"])
    [retired] = await Retirement.annotate(n=Count("id"), kg=Sum("amount_kg")).values("n", "kg")
    reconciled = await last_report() or {}
    outbox_by_state = dict.fromkeys((s.value for s in OutboxState), 0)
    for row in await OutboxMessage.annotate(n=Count("id")).group_by("state").values("state", "n"):
        outbox_by_state[str(row["state"])] = int(row["n"])
    everyone = await OutboxPace.get_or_none(chat_id=0)
    return Counts(
        users=await User.all().count(),
        postings=await Posting.all().count(),
        holds_pending=await Hold.filter(status=HoldStatus.PENDING).count(),
        purchases_by_status=by_status,
        retirements=int(retired["n"] or 0),
        retired_kg=int(retired["kg"] or 0),  # PostgreSQL sums bigints as numeric
        certificates=await Certificate.all().count(),
        inbox_pending=await InboxUpdate.filter(state=InboxState.PENDING).count(),
        inbox_failed=await InboxUpdate.filter(state=InboxState.FAILED).count(),
        payments_refund_owed=await Payment.filter(outcome=PaymentOutcome.REFUND_NEEDED).count(),
        payments_unbookable=await PaymentAnomaly.filter(refunded_at__isnull=True).count(),
        reconcile_booked_total=int(reconciled.get("booked_total", 0)),
        reconcile_problems_total=int(reconciled.get("problems_total", 0)),
        outbox_by_state=outbox_by_state,
        outbox_rate_limited=everyone.rate_limited if everyone else 0,
    )


def _version() -> str:
    try:
        return metadata.version("cccp")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _gauge(name: str, help_text: str, samples: Iterable[tuple[str, int | float]]) -> list[str]:
    """One metric family: its HELP and TYPE, then `name{labels} value` per sample."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    lines += [f"{name}{labels} {value}" for labels, value in samples]
    return lines


def exposition(uptime_s: float, counts: Counts | None) -> str:
    """The /metrics body; `counts` None when the database could not be read."""
    build = f'{{version="{_label(_version())}",python="{_label(platform.python_version())}"}}'
    lines = _gauge("cccp_build_info", "The running CCCP version (always 1).", [(build, 1)])
    lines += _gauge("cccp_uptime_seconds", "Seconds since this process loaded the web app.",
                    [("", round(uptime_s, 3))])
    lines += _gauge("cccp_database_up", "1 when the database answered this scrape.",
                    [("", 0 if counts is None else 1)])
    if counts is not None:
        lines += _gauge("cccp_users", "Signed-up users.", [("", counts.users)])
        lines += _gauge("cccp_ledger_postings", "Ledger postings.", [("", counts.postings)])
        lines += _gauge("cccp_ledger_holds_pending", "Ledger holds not yet posted or voided.",
                        [("", counts.holds_pending)])
        lines += _gauge("cccp_purchases", "Purchases by status.", [
            (f'{{status="{_label(status)}"}}', n) for status, n in sorted(counts.purchases_by_status.items())
        ])
        lines += _gauge("cccp_retirements", "Retirements.", [("", counts.retirements)])
        lines += _gauge("cccp_retired_kg", "Kilograms CO2e retired for good.", [("", counts.retired_kg)])
        lines += _gauge("cccp_certificates", "Certificates issued.", [("", counts.certificates)])
        lines += _gauge("cccp_inbox_updates", "Telegram updates in the inbox by state (handled ones are pruned).", [
            ('{state="pending"}', counts.inbox_pending), ('{state="failed"}', counts.inbox_failed)])
        lines += _gauge("cccp_payments_refund_owed", "Payments booked that wait for a refund.",
                        [("", counts.payments_refund_owed)])
        lines += _gauge("cccp_payments_unbookable", "Payments the ledger could not book, not yet refunded.",
                        [("", counts.payments_unbookable)])
        lines += _gauge("cccp_reconcile_booked", "Charges only Telegram had, booked by reconciliation (all runs).",
                        [("", counts.reconcile_booked_total)])
        lines += _gauge("cccp_reconcile_problems", "Disagreements reconciliation found (all runs).",
                        [("", counts.reconcile_problems_total)])
        if counts.outbox_by_state is not None:
            lines += _gauge("cccp_outbox_messages", "Outbox messages by state (sent, failed, skipped: all time).", [
                (f'{{state="{_label(state)}"}}', n) for state, n in sorted(counts.outbox_by_state.items())])
            lines += _gauge("cccp_outbox_queue_depth", "Outbox messages waiting or being sent.", [(
                "", counts.outbox_by_state.get("pending", 0) + counts.outbox_by_state.get("sending", 0))])
            lines += _gauge("cccp_outbox_rate_limited", "429 answers the outbox senders got (all time).",
                            [("", counts.outbox_rate_limited)])
    return "\n".join(lines) + "\n"


async def metrics(request: web.Request) -> web.Response:
    """GET /metrics."""
    if (refused := refusal(request)) is not None:
        return refused
    try:
        counts = await read_counts()
    except Exception as exc:  # noqa: BLE001 - any failure is reported as cccp_database_up 0
        log.warning("metrics: database failed: %s", exc)
        counts = None
    body = exposition(time.monotonic() - STARTED, counts)
    return web.Response(body=body.encode(), headers={"Content-Type": CONTENT_TYPE})
