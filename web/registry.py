"""The public registry: what anyone can look up, as carbon registries publish it.

    GET /registry                     the projects with their issued, retired and
                                      available tonnes, and a search field
    GET /registry?q=<text>            the look-up of a serial number, a serial
                                      range or a retirement id (core.registry.lookup)
    GET /registry/lookup.json?q=...   the same look-up as JSON (404 when nothing is found)
    GET /registry/projects/<code>     a project with its batches (serial ranges,
                                      vintage, issued and retired kg) and its
                                      recent retirements, each linked to its look-up

Every path under /registry is answered here, so unknown or malformed input
(a garbled serial, ``<script>``, 5,000 characters, a NUL byte) gets a friendly
"nothing found", never the router's bare 404 or a 500. Pages share the
certificate pages' look (web/certs.py: inline CSS, the CCCP symbol) and
escape everything they show. No inline script and no style attributes: the
Content-Security-Policy (web/headers.py) allows the <style> by its hash only.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote

from aiohttp import web

from core import registry
from core.catalog import service as catalog
from core.certs.service import get_certificate_by_key
from core.errors import DomainError
from core.registry import LookupView, ProjectTotals, SerialRangeView
from core.registry.public import ProjectRetirement, recent_retirements
from web.certs import CSS as CERT_CSS
from web.certs import SYMBOL_SVG
from web.certs import _reduction_text as reduction_text  # the certificate page's wording
from web.i18n import N_, SWITCH_CSS, PageText, language_switch

RECENT_RETIREMENTS = 20  # on a project page; older ones are found by retirement id
MAX_QUERY_CHARS = 120  # a serial range is at most ~60 characters; more is not one
PROJECT_CODE = re.compile(r"^[A-Za-z0-9]{1,12}$")
EXAMPLE_SERIAL = "CCCP-P7-2024-1000"
EXAMPLE_RETIREMENT = "R7K3M9Q2XA4"
EXAMPLE_CERTIFICATE = "C4QZ8M1T0E3K9X"
# A look-up shows the state of the registry now; let caches keep it only briefly.
SHORT_CACHE = {"Cache-Control": "public, max-age=60"}

STATUS_LABELS = {
    "active": (N_("Active"), N_("In circulation")),
    "held": (N_("Held"), N_("Reserved for an offer or a payment")),
    "retired": (N_("Retired"), N_("Taken out of circulation for good")),
    "canceled": (N_("Cancelled"), N_("Cancelled from a buffer pool for a forest loss; never retired")),
}
PROJECT_STATUS_LABELS = {"approved": N_("Approved"), "draft": N_("Pending approval"),
                         "suspended": N_("Suspended")}
PROJECT_TYPES = {"reforestation": N_("reforestation"), "landfill_methane": N_("landfill methane"),
                 "pipeline_leak_repair": N_("pipeline leak repair"), "sf6_destruction": N_("SF6 destruction")}


def add_routes(app: web.Application) -> None:
    """Register the public registry pages on `app`."""
    app.router.add_get("/registry", registry_page)
    app.router.add_get("/registry/lookup.json", lookup_json)
    app.router.add_get("/registry/projects/{code:.*}", project_page)
    app.router.add_get("/registry/{tail:.*}", not_found_page)


# --- look-up ------------------------------------------------------------------------


async def find(text: str) -> LookupView | None:
    """The look-up of `text`, or None when it is malformed or names nothing we have."""
    text = text.strip()
    if not text or len(text) > MAX_QUERY_CHARS or "\x00" in text:
        return None
    try:
        return await registry.lookup(text)
    except DomainError:  # BadSerial, SerialNotFound: both mean "nothing found" here
        return None


async def certificate_ids(view: LookupView) -> dict[str, str]:
    """Retirement id -> public certificate id, for the retirements the look-up shows."""
    retirement_ids = {p.retirement_id for p in view.pieces if p.retirement_id}
    if view.retirement is not None:
        retirement_ids.add(view.retirement.id)
    return await _certificate_ids(retirement_ids)


async def _certificate_ids(retirement_ids: set[str]) -> dict[str, str]:
    found = {}
    for retirement_id in sorted(retirement_ids):
        certificate = await get_certificate_by_key(f"retirement:{retirement_id}")
        if certificate is not None:
            found[retirement_id] = certificate.id
    return found


def registry_url(query: str) -> str:
    return "/registry?q=" + quote(query, safe="")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def lookup_document(view: LookupView, certificates: dict[str, str],
                    t: PageText | None = None) -> dict:
    """The body of /registry/lookup.json; its human fields (`*_label`, `meaning`) in
    t's language, the codes beside them unchanged."""
    t = t or PageText("en")
    project = view.project

    def certificate_url(retirement_id: str | None) -> str | None:
        cert_id = certificates.get(retirement_id or "")
        return f"/c/{cert_id}" if cert_id else None

    retirement = view.retirement
    return {
        "language": t.language,
        "query": view.query,
        "kind": "retirement" if retirement is not None else "serial",
        "project": {
            "code": project.code,
            "name": project.name,
            "methodology": project.methodology,
            "methodology_name": project.methodology_name,
            "standard": project.standard,
            "type": project.project_type,
            "country": project.country,
            "status": project.status,
            "status_label": t(PROJECT_STATUS_LABELS.get(project.status, project.status)),
            "country_name": t.country(project.country),
            "url": f"/registry/projects/{project.code}",
        },
        "batch": None if view.batch is None else {
            "id": view.batch.id,
            "vintage": view.batch.vintage,
            "serial": view.batch.serial,
            "amount_kg": view.batch.amount_kg,
            "issued_at": _iso(view.batch.issued_at),
        },
        "ranges": [
            {
                "serial": p.serial,
                "project_code": p.project_code,
                "vintage": p.vintage,
                "first": p.first,
                "last": p.last,
                "amount_kg": p.amount_kg,
                "status": p.status,
                "status_label": t(STATUS_LABELS.get(p.status, (p.status, ""))[0]),
                "meaning": t(STATUS_LABELS.get(p.status, (p.status, ""))[1]) if p.status in STATUS_LABELS else "",
                "retirement_id": p.retirement_id,
                "beneficiary": p.beneficiary,
                "reason": p.reason,
                "retired_at": _iso(p.retired_at),
                "certificate_url": certificate_url(p.retirement_id),
            }
            for p in view.pieces
        ],
        "is_truncated": view.is_truncated,
        "retirement": None if retirement is None else {
            "id": retirement.id,
            "amount_kg": retirement.amount_kg,
            "beneficiary": retirement.beneficiary,
            "reason": retirement.reason,
            "retired_at": _iso(retirement.created_at),
            "certificate_url": certificate_url(retirement.id),
        },
        # Issue #7: the reduction order a purchase started is visible in the registry.
        "reductions": [
            {"status": r.status, "amount_kg": r.amount_kg, "created_at": _iso(r.created_at)}
            for r in view.reductions
        ],
    }


def _query(request: web.Request) -> str:
    return request.query.get("q", "")


TITLE = N_("CCCP public registry")
TITLE_OF = N_("{name} – CCCP public registry")
TITLE_NOTHING = N_("Nothing found – CCCP public registry")
JSON_NOT_FOUND = N_("No serial number, serial range, retirement id or certificate id matches the query.")


async def registry_page(request: web.Request) -> web.Response:
    """/registry: the search field, then the look-up result or the list of projects."""
    t = PageText.of(request)
    text = _query(request)
    if not text.strip():
        projects = await registry.list_project_totals()
        return _html(_search_form("", t) + _projects_body(projects, t), title=t(TITLE), t=t,
                     request=request)
    view = await find(text)
    if view is None:
        return _html(
            _search_form(text, t) + _nothing_found_body(text, t),
            title=t(TITLE_NOTHING),
            status=404, t=t, request=request,
        )
    return _html(
        _search_form(text, t) + _lookup_body(view, await certificate_ids(view), t),
        title=t(TITLE_OF, name=view.query),
        headers=SHORT_CACHE, t=t, request=request,
    )


async def lookup_json(request: web.Request) -> web.Response:
    """/registry/lookup.json?q=...: the look-up as JSON."""
    t = PageText.of(request)
    view = await find(_query(request))
    if view is None:
        return web.json_response(
            {"error": "not_found", "message": t(JSON_NOT_FOUND), "language": t.language},
            status=404,
        )
    return web.json_response(
        lookup_document(view, await certificate_ids(view), t),
        headers=SHORT_CACHE,
        dumps=lambda obj: json.dumps(obj, ensure_ascii=False, indent=2),
    )


async def project_page(request: web.Request) -> web.Response:
    """/registry/projects/<code>: the project and its batches."""
    t = PageText.of(request)
    code = request.match_info["code"]
    if not PROJECT_CODE.fullmatch(code):
        return await not_found_page(request)
    try:
        totals = await registry.project_totals(code)
    except DomainError:
        return await not_found_page(request)
    retirements = await recent_retirements(totals.project.code, RECENT_RETIREMENTS)
    certificates = await _certificate_ids({r.id for r in retirements})
    for_sale = await catalog.for_sale_kg(totals.project.code)
    return _html(
        _search_form("", t) + _project_body(totals, retirements, certificates, t, for_sale),
        title=t(TITLE_OF, name=totals.project.name),
        headers=SHORT_CACHE, t=t, request=request,
    )


async def not_found_page(request: web.Request) -> web.Response:
    t = PageText.of(request)
    return _html(
        _search_form("", t) + _nothing_found_body(None, t),
        title=t(TITLE_NOTHING),
        status=404, t=t, request=request,
    )


# --- HTML ------------------------------------------------------------------------

CSS = CERT_CSS + SWITCH_CSS + """
main{max-width:980px}
.brand a{color:inherit;text-decoration:none}
form.search{display:flex;gap:8px;margin:0 0 18px}
form.search input{flex:1;min-width:0;padding:10px 12px;font:inherit;font-size:16px;
 border:1px solid #c9c2ad;border-radius:8px;background:#fff}
form.search button{padding:10px 18px;border-radius:8px;border:1px solid #164e38;background:#164e38;
 color:#fff;font:inherit;font-weight:700;cursor:pointer}
p.hint{margin:-10px 0 18px;color:#555c58;font-size:14px}
.card+.card{margin-top:18px}
.scroll{overflow-x:auto;margin:14px -4px 0}
table{border-collapse:collapse;width:100%;font-size:14.5px}
th{font-size:11.5px;font-weight:700;letter-spacing:.1em;text-transform:uppercase;color:#7a5c1a;
 text-align:left;padding:8px 10px;border-bottom:2px solid #e4dfcf;white-space:nowrap}
td{padding:9px 10px;border-bottom:1px solid #ece7d8;vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.serial,code{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:13px;overflow-wrap:anywhere}
td a,dd a,p a{color:#164e38;font-weight:700}
.muted{color:#555c58;font-size:13px}
.pill{display:inline-block;padding:2px 10px;border-radius:999px;font-size:13px;font-weight:700;white-space:nowrap}
.pill.active{background:#e2f1e6;color:#1d6b3f;border:1px solid #a9d3b5}
.pill.held{background:#fdf1d8;color:#8a5a00;border:1px solid #ecd197}
.pill.retired{background:#e7e9f3;color:#34406b;border:1px solid #bcc3de}
.pill.draft,.pill.suspended{background:#fbe5e3;color:#9b2a1f;border:1px solid #eab3ad}
.pill.approved{background:#e2f1e6;color:#1d6b3f;border:1px solid #a9d3b5}
.totals{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0 0}
.totals div{flex:1;min-width:140px;background:#fff;border:1px solid #e4dfcf;border-radius:8px;padding:10px 14px}
.totals b{display:block;font-size:22px;color:#164e38;font-variant-numeric:tabular-nums}
.totals span{font-size:12px;font-weight:700;letter-spacing:.12em;text-transform:uppercase;color:#7a5c1a}
.piece{border-top:1px solid #e4dfcf;padding:14px 0 0;margin:14px 0 0}
.piece h2{display:flex;flex-wrap:wrap;align-items:center;gap:10px;font-size:16px;margin:0 0 6px}
.piece dl{margin:8px 0 0;padding:0;border:0}
h2.spaced{margin-top:22px}
h1 code{font-size:inherit}
.scroll{background:linear-gradient(90deg,#fbf9f2 30%,rgba(251,249,242,0)) left/40px 100% no-repeat local,
 linear-gradient(270deg,#fbf9f2 30%,rgba(251,249,242,0)) right/40px 100% no-repeat local,
 radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.18),transparent) left/12px 100% no-repeat scroll,
 radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.18),transparent) right/12px 100% no-repeat scroll}
/* A phone gets one card per table row, every value beside its column's header (data-label),
   and the totals as a list: nothing is wider than the screen, nothing hides behind a scroll. */
@media (max-width:720px){
 .scroll{overflow:visible;margin:14px 0 0;background:none}
 table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
 table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 table.stack tr{border:1px solid #e4dfcf;border-radius:8px;background:#fff;margin:0 0 10px;padding:6px 0}
 table.stack td{border:0;padding:4px 14px;display:flex;gap:12px;justify-content:space-between;
  align-items:baseline;text-align:right}
 table.stack td[data-label]::before{content:attr(data-label);flex:none;max-width:45%;text-align:left;
  font-family:"DejaVu Sans",system-ui,sans-serif;font-size:11.5px;font-weight:700;letter-spacing:.1em;text-transform:uppercase;color:#7a5c1a}
 table.stack td .v{min-width:0;overflow-wrap:anywhere}
 table.stack td.lead{display:block;text-align:left;padding-bottom:8px;margin-bottom:2px;
  border-bottom:1px solid #ece7d8;font-size:16px}
 table.stack td.lead::before{display:block;max-width:none;margin-bottom:2px}
 table.stack td.lead.serial{font-size:14px}
 table.stack td.n{white-space:normal}
 table.stack td.empty{display:block;text-align:left}}
@media (max-width:520px){
 .totals{gap:0;flex-direction:column;border:1px solid #e4dfcf;border-radius:8px;background:#fff}
 .totals div{display:flex;justify-content:space-between;align-items:baseline;gap:12px;min-width:0;
  border:0;border-radius:0;background:none;padding:8px 14px}
 .totals div+div{border-top:1px solid #ece7d8}
 .totals b{font-size:19px;text-align:right;overflow-wrap:anywhere}}
"""


BRAND = N_("CCCP registry")
BRAND_SUB = N_("public carbon credit registry")
FOOTER = N_("1 CCCP carbon credit = 1 tonne CO₂e = 1,000 serial numbers, one per kg. "
            "Figures are the registry's state at the time of the request.")


def _html(body: str, *, title: str, status: int = 200, headers=None, t: PageText,
          request: web.Request) -> web.Response:
    page = f"""<!doctype html>
<html lang="{t.language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body><main>
<header>{SYMBOL_SVG}<div class="brand"><a href="{_link("/registry", t)}"><b>{escape(t(BRAND))}</b>
<span>{escape(t(BRAND_SUB))}</span></a></div></header>
{language_switch(request, t.language)}
{body}
<footer>{escape(t(FOOTER))}</footer>
</main></body></html>"""
    return web.Response(
        text=page, status=status, content_type="text/html", charset="utf-8",
        headers={**(headers or {}), "Vary": "Accept-Language"},
    )


def tonnes(amount_kg: int, t: PageText | None = None) -> str:
    """Exact tonnes with no float: 1,250.5 t; below a tonne in kg (per t's language)."""
    t = t or PageText("en")
    if amount_kg < 1000:
        return f"{t.kg(amount_kg)} kg"
    return f"{t.tonnes(amount_kg)} t"


def _pill(status: str, t: PageText, labels=STATUS_LABELS) -> str:
    label = labels.get(status, status)
    label = label[0] if isinstance(label, tuple) else label
    return f'<span class="pill {escape(status)}">{escape(t(label))}</span>'


SEARCH_PLACEHOLDER = N_("Serial number, retirement or certificate id, e.g. {serial} or {retirement}")
SEARCH_LABEL = N_("Serial number, retirement id or certificate id")
SEARCH_BUTTON = N_("Look up")


def _search_form(text: str, t: PageText) -> str:
    placeholder = t(SEARCH_PLACEHOLDER, serial=EXAMPLE_SERIAL, retirement=EXAMPLE_RETIREMENT)
    return f"""<form class="search" action="/registry" method="get" role="search">
<input name="q" value="{escape(text[:MAX_QUERY_CHARS])}" maxlength="{MAX_QUERY_CHARS}"
 placeholder="{escape(placeholder)}"
 aria-label="{escape(t(SEARCH_LABEL))}" autocomplete="off" spellcheck="false">
{f'<input type="hidden" name="lang" value="{t.language}">' if t.sticky else ""}
<button type="submit">{escape(t(SEARCH_BUTTON))}</button></form>"""


L_PROJECT, L_METHODOLOGY, L_STANDARD, L_COUNTRY, L_STATUS = (
    N_("Project"), N_("Methodology"), N_("Standard"), N_("Country"), N_("Status"))
L_ISSUED, L_RETIRED, L_AVAILABLE = N_("Issued"), N_("Retired"), N_("Available")
NO_PROJECTS = N_("No projects are registered yet.")
PUBLIC_REGISTRY = N_("Public registry")
PROJECTS_HEAD = N_("Projects and their credits")
PROJECTS_TEXT = N_(
    "Every CCCP credit has a serial number per kilogram CO₂e, issued to one project and "
    "vintage. Look up a serial number to see where it stands, or a retirement id to see "
    "whom it was retired for.")
AVAILABLE_NOTE = N_("Available = issued − retired: credits still in circulation, including "
                    "each project's buffer pool.")


def _projects_body(projects: list[ProjectTotals], t: PageText) -> str:
    columns = [(t(L_PROJECT), ""), (t(L_AVAILABLE), "n"), (t(L_ISSUED), "n"), (t(L_RETIRED), "n"),
               (t(L_METHODOLOGY), ""), (t(L_STANDARD), ""), (t(L_COUNTRY), ""), (t(L_STATUS), "")]
    rows = [[f'<a href="{_link("/registry/projects/" + quote(p.project.code), t)}">{escape(p.project.name)}</a>'
             f'<div class="muted">{escape(p.project.code)}</div>',
             tonnes(p.available_kg, t), tonnes(p.issued_kg, t), tonnes(p.retired_kg, t),
             f'{escape(p.project.methodology_name)}<div class="muted">{escape(p.project.methodology)}</div>',
             escape(p.project.standard), escape(t.country(p.project.country)),
             _pill(p.project.status, t, PROJECT_STATUS_LABELS)]
            for p in projects]
    issued = sum(p.issued_kg for p in projects)
    retired = sum(p.retired_kg for p in projects)
    return f"""<article class="card">
<div class="label">{escape(t(PUBLIC_REGISTRY))}</div>
<h1>{escape(t(PROJECTS_HEAD))}</h1>
<p>{escape(t(PROJECTS_TEXT))}</p>
<div class="totals"><div><span>{escape(t(L_ISSUED))}</span><b>{tonnes(issued, t)}</b></div>
<div><span>{escape(t(L_RETIRED))}</span><b>{tonnes(retired, t)}</b></div>
<div><span>{escape(t(L_AVAILABLE))}</span><b>{tonnes(issued - retired, t)}</b></div></div>
{_table(columns, rows, t(NO_PROJECTS))}
<p class="note">{escape(t(AVAILABLE_NOTE))}</p>
</article>"""


def _table(columns: list[tuple[str, str]], rows: list[list[str]], empty: str) -> str:
    """A data table (columns: header and CSS class; rows: cells as HTML) that a phone shows as
    one card per row: every cell carries its column's header as data-label, and the CSS
    (table.stack, below 720 px) prints it beside the value. The first column leads the card."""
    head = "".join(f'<th scope="col"{_class(cls)}>{escape(header)}</th>' for header, cls in columns)
    body = "".join(
        "<tr>" + "".join(
            f'<td{_class(" ".join(filter(None, ("lead" if i == 0 else "", cls))))}'
            f' data-label="{escape(header)}"><div class="v">{cell}</div></td>'
            for i, ((header, cls), cell) in enumerate(zip(columns, row, strict=True)))
        + "</tr>\n"
        for row in rows
    ) or f'<tr><td colspan="{len(columns)}" class="muted empty">{escape(empty)}</td></tr>'
    return (f'<div class="scroll"><table class="stack">\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>{body}</tbody></table></div>")


def _class(names: str) -> str:
    return f' class="{names}"' if names else ""


def _project_rows(view: LookupView, t: PageText) -> list[tuple[str, str]]:
    project = view.project
    return [
        (t(L_PROJECT), f'<a href="{_link("/registry/projects/" + quote(project.code), t)}">{escape(project.name)}</a>'
                       f' <span class="muted">{escape(project.code)}</span>'),
        (t(L_METHODOLOGY), f"{escape(project.methodology_name)} <span class=\"muted\">"
                           f"{escape(project.methodology)} · {escape(project.standard)}</span>"),
        (t(L_COUNTRY), escape(t.country(project.country))),
    ]


L_SERIALS, L_AMOUNT, L_VINTAGE = N_("Serial numbers"), N_("Amount"), N_("Vintage")
L_RETIRED_FOR, L_REASON, L_RETIRED_ON = N_("Retired for"), N_("Reason"), N_("Retired on")
L_RETIREMENT_ID, L_CERTIFICATE = N_("Retirement id"), N_("Certificate")
VIEW_CERTIFICATE = N_("View the signed certificate")
L_REDUCTION = N_("Carbon reduction")


def _link(href: str, t: PageText) -> str:
    return escape(t.link(href))


def _piece_body(piece: SerialRangeView, certificates: dict[str, str], t: PageText, *,
                show_project: bool) -> str:
    label, meaning = STATUS_LABELS.get(piece.status, (piece.status, ""))
    rows = [(t(L_SERIALS), f"<code>{escape(piece.serial)}</code>"),
            (t(L_AMOUNT), f"{tonnes(piece.amount_kg, t)} CO₂e" + (
                f' <span class="muted">({t.kg(piece.amount_kg)} kg)</span>' if piece.amount_kg >= 1000 else "")),
            (t(L_VINTAGE), str(piece.vintage))]
    if show_project:
        rows.insert(0, (t(L_PROJECT), f'<a href="{_link("/registry/projects/" + quote(piece.project_code), t)}">'
                                      f"{escape(piece.project_name)}</a>"))
    if piece.status == "retired":
        rows += [(t(L_RETIRED_FOR), escape(piece.beneficiary or "—")),
                 (t(L_REASON), escape(piece.reason or "—")),
                 (t(L_RETIRED_ON), escape(t.date(piece.retired_at)))]
        if piece.retirement_id:
            rows.append((t(L_RETIREMENT_ID), f'<a href="{_link(registry_url(piece.retirement_id), t)}">'
                                             f"{escape(piece.retirement_id)}</a>"))
            cert_id = certificates.get(piece.retirement_id)
            if cert_id:
                rows.append((t(L_CERTIFICATE), f'<a href="{_link("/c/" + quote(cert_id), t)}">{escape(t(VIEW_CERTIFICATE))}</a>'))
    details = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f"""<section class="piece"><h2>{_pill(piece.status, t)}<span class="muted">{escape(t(meaning) if meaning else "")}</span></h2>
<dl>{details}</dl></section>"""


TRUNCATED = N_("The range has more pieces than shown here; look up a narrower range for the rest.")
RETIRED_BADGE = N_("Retired")
RETIRED_LEAD = N_("Credits retired for good on behalf of")
FOR_REASON = N_("for “{reason}”")
RETIRED_SERIALS = N_("Retired serial numbers")
SERIALS_LABEL = N_("Serial numbers")
SERIALS_AMOUNT = N_("{kg} serial numbers, one per kg")
WHERE_THEY_STAND = N_("Where they stand")
L_BATCH = N_("Batch")
BATCH_TEXT = N_("vintage {vintage} · {amount} issued on {date}")


def _lookup_body(view: LookupView, certificates: dict[str, str], t: PageText) -> str:
    truncated = (
        f'<p class="note">{escape(t(TRUNCATED))}</p>' if view.is_truncated else ""
    )
    if view.retirement is not None:
        retirement = view.retirement
        projects = {p.project_code for p in view.pieces}
        rows = [] if len(projects) > 1 else _project_rows(view, t)
        rows += [(t(L_RETIREMENT_ID), f"<code>{escape(retirement.id)}</code>"),
                 (t(L_RETIRED_ON), escape(t.date(retirement.created_at)))]
        if view.reductions:
            rows.append((t(L_REDUCTION), reduction_text(view.reductions, t)))
        cert_id = certificates.get(retirement.id)
        if cert_id:
            rows.append((t(L_CERTIFICATE), f'<a href="{_link("/c/" + quote(cert_id), t)}">{escape(t(VIEW_CERTIFICATE))}</a>'))
        details = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
        reason = (f'<p class="reason">{escape(t(FOR_REASON, reason=retirement.reason))}</p>'
                  if retirement.reason else "")
        columns = [(t(L_SERIALS), "serial"), (t(L_PROJECT), ""), (t(L_VINTAGE), ""), (t(L_AMOUNT), "n")]
        ranges = [[f'<a href="{_link(registry_url(p.serial), t)}">{escape(p.serial)}</a>',
                   f'<a href="{_link("/registry/projects/" + quote(p.project_code), t)}">{escape(p.project_name)}</a>',
                   str(p.vintage), f"{t.kg(p.amount_kg)} kg"]
                  for p in view.pieces]
        return f"""<article class="card">
<div class="status"><span class="badge ok">{escape(t(RETIRED_BADGE))}</span></div>
<div class="label">{escape(t(RETIRED_LEAD))}</div>
<h1>{escape(retirement.beneficiary)}</h1>
<div class="amount">{tonnes(retirement.amount_kg, t)} CO₂e{
 f" <small>({t.kg(retirement.amount_kg)} kg)</small>" if retirement.amount_kg >= 1000 else ""}</div>
{reason}
<dl>{details}</dl>
<h2 class="spaced">{escape(t(RETIRED_SERIALS))}</h2>
{_table(columns, ranges, "—")}{truncated}
{_actions(view.query, cert_id, t)}
</article>"""
    batch = view.batch
    total_kg = sum(p.amount_kg for p in view.pieces)
    rows = _project_rows(view, t)
    if batch is not None:
        rows += [(t(L_BATCH), f"<code>{escape(batch.serial)}</code> <span class=\"muted\">"
                              + escape(t(BATCH_TEXT, vintage=batch.vintage,
                                         amount=tonnes(batch.amount_kg, t),
                                         date=t.date(batch.issued_at))) + "</span>")]
    details = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
    statuses = "".join(_pill(s, t) for s in dict.fromkeys(p.status for p in view.pieces))
    pieces = "".join(_piece_body(p, certificates, t, show_project=False) for p in view.pieces)
    return f"""<article class="card">
<div class="status">{statuses}</div>
<div class="label">{escape(t(SERIALS_LABEL))}</div>
<h1><code>{escape(view.query.strip().upper())}</code></h1>
<div class="amount">{tonnes(total_kg, t)} CO₂e <small>({escape(t(SERIALS_AMOUNT, kg=t.kg(total_kg)))})</small></div>
<dl>{details}</dl>
<h2 class="spaced">{escape(t(WHERE_THEY_STAND))}</h2>
{pieces}{truncated}
{_actions(view.query, None, t)}
</article>"""


A_CERTIFICATE, A_JSON, A_ALL = N_("Signed certificate"), N_("As JSON"), N_("All projects")


def _actions(query: str, cert_id: str | None, t: PageText) -> str:
    json_href = _link("/registry/lookup.json?q=" + quote(query.strip(), safe=""), t)
    certificate = (
        f'<a class="primary" href="{_link("/c/" + quote(cert_id), t)}">{escape(t(A_CERTIFICATE))}</a>' if cert_id else ""
    )
    return f'<div class="actions">{certificate}<a href="{json_href}">{escape(t(A_JSON))}</a>' \
        f'<a href="{_link("/registry", t)}">{escape(t(A_ALL))}</a></div>'


L_CODE, L_TYPE, L_LOCATION, L_BUFFER = N_("Code"), N_("Type"), N_("Location"), N_("Buffer pool")
BUFFER_TEXT = N_("{percent} % of each issuance · {amount}")
NO_BATCHES = N_("No credits have been issued to this project yet.")
NO_RETIREMENTS = N_("No credits of this project have been retired yet.")
VIEW = N_("View")
PROJECT_LABEL = N_("Project")
BATCHES_HEAD = N_("Batches")
BATCHES_NOTE = N_("One batch is one issuance of one vintage, with one serial number per kg CO₂e.")
L_SERIAL_RANGE, L_ISSUED_ON = N_("Serial range"), N_("Issued on")
L_IN_CIRCULATION, L_FOR_SALE = N_("In circulation"), N_("For sale now")
CIRCULATION_NOTE = N_(
    "In circulation = issued − retired: the credits the producer still holds, those buyers "
    "keep, those reserved for offers and payments, and the buffer pool ({buffer}, kept back "
    "against losses and never sold). For sale now = what the producer offers at this moment, "
    "the figure the bot's /buy shows.")
RECENT_HEAD = N_("Recent retirements")
RECENT_NOTE = N_("The latest {count} at most, newest first, with the kg each took from this "
                 "project. Look up a retirement id for its serial numbers.")


def _project_body(
    totals: ProjectTotals, retirements: list[ProjectRetirement], certificates: dict[str, str],
    t: PageText, for_sale_kg: int = 0,
) -> str:
    project = totals.project
    kind = PROJECT_TYPES.get(project.project_type)
    rows = [
        (t(L_CODE), f"<code>{escape(project.code)}</code>"),
        (t(L_METHODOLOGY), f"{escape(project.methodology_name)} <span class=\"muted\">{escape(project.methodology)}</span>"),
        (t(L_STANDARD), escape(project.standard)),
        (t(L_TYPE), escape(t(kind) if kind else project.project_type.replace("_", " "))),
        (t(L_COUNTRY), escape(t.country(project.country))),
        (t(L_LOCATION), escape(project.location or "—")),
        (t(L_BUFFER), escape(t(BUFFER_TEXT, percent=project.buffer_percent,
                               amount=tonnes(totals.buffer_kg, t)))),
    ]
    details = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
    batch_columns = [(t(L_SERIAL_RANGE), "serial"), (t(L_AVAILABLE), "n"), (t(L_ISSUED), "n"),
                     (t(L_RETIRED), "n"), (t(L_VINTAGE), ""), (t(L_ISSUED_ON), "")]
    batch_rows = [[f'<a href="{_link(registry_url(b.batch.serial), t)}">{escape(b.batch.serial)}</a>',
                   f"{t.kg(b.available_kg)} kg", f"{t.kg(b.issued_kg)} kg", f"{t.kg(b.retired_kg)} kg",
                   str(b.batch.vintage), escape(t.date(b.batch.issued_at))]
                  for b in totals.batches]
    retirement_columns = [(t(L_RETIREMENT_ID), "serial"), (t(L_AMOUNT), "n"), (t(L_RETIRED_FOR), ""),
                          (t(L_RETIRED_ON), ""), (t(L_CERTIFICATE), "")]
    retirement_rows = [[f'<a href="{_link(registry_url(r.id), t)}">{escape(r.id)}</a>',
                        f"{t.kg(r.amount_kg)} kg", escape(r.beneficiary), escape(t.date(r.retired_at)),
                        _certificate_link(certificates.get(r.id), t)]
                       for r in retirements]
    description = f"<p>{escape(project.description)}</p>" if project.description else ""
    return f"""<article class="card">
<div class="status">{_pill(project.status, t, PROJECT_STATUS_LABELS)}</div>
<div class="label">{escape(t(PROJECT_LABEL))}</div>
<h1>{escape(project.name)}</h1>
{description}
<div class="totals"><div><span>{escape(t(L_ISSUED))}</span><b>{tonnes(totals.issued_kg, t)}</b></div>
<div><span>{escape(t(L_RETIRED))}</span><b>{tonnes(totals.retired_kg, t)}</b></div>
<div><span>{escape(t(L_IN_CIRCULATION))}</span><b>{tonnes(totals.available_kg, t)}</b></div>
<div><span>{escape(t(L_FOR_SALE))}</span><b>{tonnes(for_sale_kg, t)}</b></div></div>
<p class="note">{escape(t(CIRCULATION_NOTE, buffer=tonnes(totals.buffer_kg, t)))}</p>
<dl>{details}</dl>
</article>
<article class="card">
<h2>{escape(t(BATCHES_HEAD))}</h2>
<p class="note">{escape(t(BATCHES_NOTE))}</p>
{_table(batch_columns, batch_rows, t(NO_BATCHES))}
</article>
<article class="card">
<h2>{escape(t(RECENT_HEAD))}</h2>
<p class="note">{escape(t(RECENT_NOTE, count=RECENT_RETIREMENTS))}</p>
{_table(retirement_columns, retirement_rows, t(NO_RETIREMENTS))}
</article>"""


def _certificate_link(cert_id: str | None, t: PageText) -> str:
    return f'<a href="{_link("/c/" + quote(cert_id), t)}">{escape(t(VIEW))}</a>' if cert_id else "—"


NOTHING_BADGE = N_("Nothing found")
NOTHING_HEAD = N_("We could not find that")
NOTHING_MATCHES = N_("Nothing in the registry matches {query}.")
NO_PAGE = N_("There is no registry page at this address.")
SERIAL_HELP = N_(
    "A serial number looks like {serial} (one kg) or {range} (a range): project code, "
    "vintage, then the numbers. A retirement id is an R and ten letters or digits, like "
    "{retirement}; a certificate id a C and thirteen, like {certificate}: both are printed on "
    "every certificate.")
SEE_ALL = N_("See all projects")


def _nothing_found_body(text: str | None, t: PageText) -> str:
    if text and text.strip():
        shown = escape(text.strip()[:80]) + ("…" if len(text.strip()) > 80 else "")
        asked = "<p>" + escape(t(NOTHING_MATCHES, query="{query}")).replace(
            "{query}", f"<code>{shown}</code>") + "</p>"
    else:
        asked = f"<p>{escape(t(NO_PAGE))}</p>"
    help_text = escape(t(SERIAL_HELP, serial="{serial}", range="{range}",
                         retirement="{retirement}", certificate="{certificate}"))
    help_text = (help_text.replace("{serial}", f"<code>{EXAMPLE_SERIAL}</code>")
                 .replace("{range}", f"<code>{EXAMPLE_SERIAL}-1999</code>")
                 .replace("{retirement}", f"<code>{EXAMPLE_RETIREMENT}</code>")
                 .replace("{certificate}", f"<code>{EXAMPLE_CERTIFICATE}</code>"))
    return f"""<article class="card">
<div class="status"><span class="badge bad">{escape(t(NOTHING_BADGE))}</span></div>
<h1>{escape(t(NOTHING_HEAD))}</h1>
{asked}
<p>{help_text}</p>
<p><a href="{_link("/registry", t)}">{escape(t(SEE_ALL))}</a></p>
</article>"""
