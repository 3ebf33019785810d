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
from core.certs.render import country_name
from core.certs.service import get_certificate_by_key
from core.errors import DomainError
from core.registry import LookupView, ProjectTotals, SerialRangeView
from core.registry.public import ProjectRetirement, recent_retirements
from web.certs import CSS as CERT_CSS
from web.certs import SYMBOL_SVG
from web.certs import _reduction_text as reduction_text  # the certificate page's wording

RECENT_RETIREMENTS = 20  # on a project page; older ones are found by retirement id
MAX_QUERY_CHARS = 120  # a serial range is at most ~60 characters; more is not one
PROJECT_CODE = re.compile(r"^[A-Za-z0-9]{1,12}$")
EXAMPLE_SERIAL = "CCCP-P7-2024-1000"
EXAMPLE_RETIREMENT = "R7K3M9Q2XA4"
EXAMPLE_CERTIFICATE = "C4QZ8M1T0E3K9"
# A look-up shows the state of the registry now; let caches keep it only briefly.
SHORT_CACHE = {"Cache-Control": "public, max-age=60"}

STATUS_LABELS = {
    "active": ("Active", "In circulation"),
    "held": ("Held", "Reserved for an offer or a payment"),
    "retired": ("Retired", "Taken out of circulation for good"),
}
PROJECT_STATUS_LABELS = {"approved": "Approved", "draft": "Pending approval", "suspended": "Suspended"}


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


def lookup_document(view: LookupView, certificates: dict[str, str]) -> dict:
    """The body of /registry/lookup.json."""
    project = view.project

    def certificate_url(retirement_id: str | None) -> str | None:
        cert_id = certificates.get(retirement_id or "")
        return f"/c/{cert_id}" if cert_id else None

    retirement = view.retirement
    return {
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


async def registry_page(request: web.Request) -> web.Response:
    """/registry: the search field, then the look-up result or the list of projects."""
    text = _query(request)
    if not text.strip():
        projects = await registry.list_project_totals()
        return _html(_search_form("") + _projects_body(projects), title="CCCP public registry")
    view = await find(text)
    if view is None:
        return _html(
            _search_form(text) + _nothing_found_body(text),
            title="Nothing found – CCCP public registry",
            status=404,
        )
    return _html(
        _search_form(text) + _lookup_body(view, await certificate_ids(view)),
        title=f"{view.query} – CCCP public registry",
        headers=SHORT_CACHE,
    )


async def lookup_json(request: web.Request) -> web.Response:
    """/registry/lookup.json?q=...: the look-up as JSON."""
    view = await find(_query(request))
    if view is None:
        return web.json_response(
            {
                "error": "not_found",
                "message": "No serial number, serial range, retirement id or certificate id matches the query.",
            },
            status=404,
        )
    return web.json_response(
        lookup_document(view, await certificate_ids(view)),
        headers=SHORT_CACHE,
        dumps=lambda obj: json.dumps(obj, ensure_ascii=False, indent=2),
    )


async def project_page(request: web.Request) -> web.Response:
    """/registry/projects/<code>: the project and its batches."""
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
        _search_form("") + _project_body(totals, retirements, certificates, for_sale),
        title=f"{totals.project.name} – CCCP public registry",
        headers=SHORT_CACHE,
    )


async def not_found_page(request: web.Request) -> web.Response:
    return _html(
        _search_form("") + _nothing_found_body(None),
        title="Nothing found – CCCP public registry",
        status=404,
    )


# --- HTML ------------------------------------------------------------------------

CSS = CERT_CSS + """
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
@media (max-width:600px){
 table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
 table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 table.stack tr{border:1px solid #e4dfcf;border-radius:8px;background:#fff;margin:0 0 10px;padding:6px 0}
 table.stack td{border:0;padding:3px 12px;display:flex;gap:10px;justify-content:space-between;text-align:right}
 table.stack td.lead{display:block;text-align:left;font-size:16px}
 table.stack td[data-label]::before{content:attr(data-label);font-size:11.5px;font-weight:700;letter-spacing:.1em;
  text-transform:uppercase;color:#7a5c1a;text-align:left;padding-top:2px}
 table.stack td.n{white-space:normal}}
"""


def _html(body: str, *, title: str, status: int = 200, headers=None) -> web.Response:
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body><main>
<header>{SYMBOL_SVG}<div class="brand"><a href="/registry"><b>CCCP registry</b>
<span>public carbon credit registry</span></a></div></header>
{body}
<footer>1 CCCP carbon credit = 1 tonne CO₂e = 1,000 serial numbers, one per kg.
Figures are the registry's state at the time of the request.</footer>
</main></body></html>"""
    return web.Response(
        text=page, status=status, content_type="text/html", charset="utf-8", headers=headers
    )


def tonnes(amount_kg: int) -> str:
    """Exact tonnes with no float: 1,250.5 t; below a tonne in kg."""
    if amount_kg < 1000:
        return f"{amount_kg:,} kg"
    whole, rest = divmod(amount_kg, 1000)
    text = f"{whole:,}" + ("." + f"{rest:03d}".rstrip("0") if rest else "")
    return f"{text} t"


def _date(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y}, {moment:%H:%M} UTC"


def _pill(status: str, labels=STATUS_LABELS) -> str:
    label = labels.get(status, status)
    label = label[0] if isinstance(label, tuple) else label
    return f'<span class="pill {escape(status)}">{escape(label)}</span>'


def _search_form(text: str) -> str:
    return f"""<form class="search" action="/registry" method="get" role="search">
<input name="q" value="{escape(text[:MAX_QUERY_CHARS])}" maxlength="{MAX_QUERY_CHARS}"
 placeholder="Serial number, retirement or certificate id, e.g. {EXAMPLE_SERIAL} or {EXAMPLE_RETIREMENT}"
 aria-label="Serial number, retirement id or certificate id" autocomplete="off" spellcheck="false">
<button type="submit">Look up</button></form>"""


def _projects_body(projects: list[ProjectTotals]) -> str:
    rows = "".join(
        f"""<tr><td class="lead"><a href="/registry/projects/{escape(quote(p.project.code))}">{escape(p.project.name)}</a>
<div class="muted">{escape(p.project.code)}</div></td>
<td class="n" data-label="Available">{tonnes(p.available_kg)}</td>
<td class="n" data-label="Issued">{tonnes(p.issued_kg)}</td><td class="n" data-label="Retired">{tonnes(p.retired_kg)}</td>
<td data-label="Methodology">{escape(p.project.methodology_name)}<div class="muted">{escape(p.project.methodology)}</div></td>
<td data-label="Standard">{escape(p.project.standard)}</td><td data-label="Country">{escape(country_name(p.project.country))}</td>
<td data-label="Status">{_pill(p.project.status, PROJECT_STATUS_LABELS)}</td></tr>"""
        for p in projects
    )
    if not rows:
        rows = '<tr><td colspan="8" class="muted">No projects are registered yet.</td></tr>'
    issued = sum(p.issued_kg for p in projects)
    retired = sum(p.retired_kg for p in projects)
    return f"""<article class="card">
<div class="label">Public registry</div>
<h1>Projects and their credits</h1>
<p>Every CCCP credit has a serial number per kilogram CO₂e, issued to one project and vintage.
Look up a serial number to see where it stands, or a retirement id to see whom it was retired for.</p>
<div class="totals"><div><span>Issued</span><b>{tonnes(issued)}</b></div>
<div><span>Retired</span><b>{tonnes(retired)}</b></div>
<div><span>Available</span><b>{tonnes(issued - retired)}</b></div></div>
<div class="scroll"><table class="stack">
<thead><tr><th>Project</th><th class="n">Available</th><th class="n">Issued</th><th class="n">Retired</th>
<th>Methodology</th><th>Standard</th><th>Country</th><th>Status</th></tr></thead>
<tbody>{rows}</tbody></table></div>
<p class="note">Available = issued − retired: credits still in circulation, including each
project's buffer pool.</p>
</article>"""


def _project_rows(view: LookupView) -> list[tuple[str, str]]:
    project = view.project
    return [
        ("Project", f'<a href="/registry/projects/{escape(quote(project.code))}">{escape(project.name)}</a>'
                    f' <span class="muted">{escape(project.code)}</span>'),
        ("Methodology", f"{escape(project.methodology_name)} <span class=\"muted\">"
                        f"{escape(project.methodology)} · {escape(project.standard)}</span>"),
        ("Country", escape(country_name(project.country))),
    ]


def _piece_body(piece: SerialRangeView, certificates: dict[str, str], *, show_project: bool) -> str:
    label, meaning = STATUS_LABELS.get(piece.status, (piece.status, ""))
    rows = [("Serial numbers", f"<code>{escape(piece.serial)}</code>"),
            ("Amount", f"{tonnes(piece.amount_kg)} CO₂e" + (
                f' <span class="muted">({piece.amount_kg:,} kg)</span>' if piece.amount_kg >= 1000 else "")),
            ("Vintage", str(piece.vintage))]
    if show_project:
        rows.insert(0, ("Project", f'<a href="/registry/projects/{escape(quote(piece.project_code))}">'
                                   f"{escape(piece.project_name)}</a>"))
    if piece.status == "retired":
        rows += [("Retired for", escape(piece.beneficiary or "—")),
                 ("Reason", escape(piece.reason or "—")),
                 ("Retired on", escape(_date(piece.retired_at)))]
        if piece.retirement_id:
            rows.append(("Retirement id", f'<a href="{escape(registry_url(piece.retirement_id))}">'
                                          f"{escape(piece.retirement_id)}</a>"))
            cert_id = certificates.get(piece.retirement_id)
            if cert_id:
                rows.append(("Certificate", f'<a href="/c/{escape(quote(cert_id))}">View the signed certificate</a>'))
    details = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f"""<section class="piece"><h2>{_pill(piece.status)}<span class="muted">{escape(meaning)}</span></h2>
<dl>{details}</dl></section>"""


def _lookup_body(view: LookupView, certificates: dict[str, str]) -> str:
    truncated = (
        '<p class="note">The range has more pieces than shown here; look up a narrower range '
        "for the rest.</p>" if view.is_truncated else ""
    )
    if view.retirement is not None:
        retirement = view.retirement
        projects = {p.project_code for p in view.pieces}
        rows = [] if len(projects) > 1 else _project_rows(view)
        rows += [("Retirement id", f"<code>{escape(retirement.id)}</code>"),
                 ("Retired on", escape(_date(retirement.created_at)))]
        if view.reductions:
            rows.append(("Carbon reduction", reduction_text(view.reductions)))
        cert_id = certificates.get(retirement.id)
        if cert_id:
            rows.append(("Certificate", f'<a href="/c/{escape(quote(cert_id))}">View the signed certificate</a>'))
        details = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
        reason = f'<p class="reason">for “{escape(retirement.reason)}”</p>' if retirement.reason else ""
        ranges = "".join(
            f"""<tr><td class="serial"><a href="{escape(registry_url(p.serial))}">{escape(p.serial)}</a></td>
<td><a href="/registry/projects/{escape(quote(p.project_code))}">{escape(p.project_name)}</a></td>
<td>{p.vintage}</td><td class="n">{p.amount_kg:,} kg</td></tr>"""
            for p in view.pieces
        )
        return f"""<article class="card">
<div class="status"><span class="badge ok">Retired</span></div>
<div class="label">Credits retired for good on behalf of</div>
<h1>{escape(retirement.beneficiary)}</h1>
<div class="amount">{tonnes(retirement.amount_kg)} CO₂e{
 f" <small>({retirement.amount_kg:,} kg)</small>" if retirement.amount_kg >= 1000 else ""}</div>
{reason}
<dl>{details}</dl>
<h2 class="spaced">Retired serial numbers</h2>
<div class="scroll"><table>
<thead><tr><th>Serial numbers</th><th>Project</th><th>Vintage</th><th class="n">Amount</th></tr></thead>
<tbody>{ranges}</tbody></table></div>{truncated}
{_actions(view.query, cert_id)}
</article>"""
    batch = view.batch
    total_kg = sum(p.amount_kg for p in view.pieces)
    rows = _project_rows(view)
    if batch is not None:
        rows += [("Batch", f"<code>{escape(batch.serial)}</code> <span class=\"muted\">"
                           f"vintage {batch.vintage} · {tonnes(batch.amount_kg)} issued on "
                           f"{escape(_date(batch.issued_at))}</span>")]
    details = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    statuses = "".join(_pill(s) for s in dict.fromkeys(p.status for p in view.pieces))
    pieces = "".join(_piece_body(p, certificates, show_project=False) for p in view.pieces)
    return f"""<article class="card">
<div class="status">{statuses}</div>
<div class="label">Serial numbers</div>
<h1><code>{escape(view.query.strip().upper())}</code></h1>
<div class="amount">{tonnes(total_kg)} CO₂e <small>({total_kg:,} serial numbers, one per kg)</small></div>
<dl>{details}</dl>
<h2 class="spaced">Where they stand</h2>
{pieces}{truncated}
{_actions(view.query, None)}
</article>"""


def _actions(query: str, cert_id: str | None) -> str:
    json_href = escape("/registry/lookup.json?q=" + quote(query.strip(), safe=""))
    certificate = (
        f'<a class="primary" href="/c/{escape(quote(cert_id))}">Signed certificate</a>' if cert_id else ""
    )
    return f'<div class="actions">{certificate}<a href="{json_href}">As JSON</a>' \
        '<a href="/registry">All projects</a></div>'


def _project_body(
    totals: ProjectTotals, retirements: list[ProjectRetirement], certificates: dict[str, str],
    for_sale_kg: int = 0,
) -> str:
    project = totals.project
    rows = [
        ("Code", f"<code>{escape(project.code)}</code>"),
        ("Methodology", f"{escape(project.methodology_name)} <span class=\"muted\">{escape(project.methodology)}</span>"),
        ("Standard", escape(project.standard)),
        ("Type", escape(project.project_type.replace("_", " "))),
        ("Country", escape(country_name(project.country))),
        ("Location", escape(project.location or "—")),
        ("Buffer pool", f"{project.buffer_percent} % of each issuance · {tonnes(totals.buffer_kg)}"),
    ]
    details = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    batch_rows = "".join(
        f"""<tr><td class="serial"><a href="{escape(registry_url(b.batch.serial))}">{escape(b.batch.serial)}</a></td>
<td>{b.batch.vintage}</td><td class="n">{b.issued_kg:,} kg</td><td class="n">{b.retired_kg:,} kg</td>
<td class="n">{b.available_kg:,} kg</td><td>{escape(_date(b.batch.issued_at))}</td></tr>"""
        for b in totals.batches
    ) or '<tr><td colspan="6" class="muted">No credits have been issued to this project yet.</td></tr>'
    retirement_rows = "".join(
        f"""<tr><td class="serial"><a href="{escape(registry_url(r.id))}">{escape(r.id)}</a></td>
<td>{escape(r.beneficiary)}</td><td class="n">{r.amount_kg:,} kg</td><td>{escape(_date(r.retired_at))}</td>
<td>{_certificate_link(certificates.get(r.id))}</td></tr>"""
        for r in retirements
    ) or '<tr><td colspan="5" class="muted">No credits of this project have been retired yet.</td></tr>'
    description = f"<p>{escape(project.description)}</p>" if project.description else ""
    return f"""<article class="card">
<div class="status">{_pill(project.status, PROJECT_STATUS_LABELS)}</div>
<div class="label">Project</div>
<h1>{escape(project.name)}</h1>
{description}
<div class="totals"><div><span>Issued</span><b>{tonnes(totals.issued_kg)}</b></div>
<div><span>Retired</span><b>{tonnes(totals.retired_kg)}</b></div>
<div><span>In circulation</span><b>{tonnes(totals.available_kg)}</b></div>
<div><span>For sale now</span><b>{tonnes(for_sale_kg)}</b></div></div>
<p class="note">In circulation = issued − retired: the credits the producer still holds, those
buyers keep, those reserved for offers and payments, and the buffer pool
({tonnes(totals.buffer_kg)}, kept back against losses and never sold). For sale now = what the
producer offers at this moment, the figure the bot's /buy shows.</p>
<dl>{details}</dl>
</article>
<article class="card">
<h2>Batches</h2>
<p class="note">One batch is one issuance of one vintage, with one serial number per kg CO₂e.</p>
<div class="scroll"><table>
<thead><tr><th>Serial range</th><th>Vintage</th><th class="n">Issued</th><th class="n">Retired</th>
<th class="n">Available</th><th>Issued on</th></tr></thead>
<tbody>{batch_rows}</tbody></table></div>
</article>
<article class="card">
<h2>Recent retirements</h2>
<p class="note">The latest {RECENT_RETIREMENTS} at most, newest first, with the kg each took from this
project. Look up a retirement id for its serial numbers.</p>
<div class="scroll"><table>
<thead><tr><th>Retirement id</th><th>Retired for</th><th class="n">Amount</th><th>Retired on</th>
<th>Certificate</th></tr></thead>
<tbody>{retirement_rows}</tbody></table></div>
</article>"""


def _certificate_link(cert_id: str | None) -> str:
    return f'<a href="/c/{escape(quote(cert_id))}">View</a>' if cert_id else "—"


def _nothing_found_body(text: str | None) -> str:
    asked = (
        f"<p>Nothing in the registry matches <code>{escape(text.strip()[:80])}</code>"
        f"{'…' if len(text.strip()) > 80 else ''}.</p>"
        if text and text.strip() else "<p>There is no registry page at this address.</p>"
    )
    return f"""<article class="card">
<div class="status"><span class="badge bad">Nothing found</span></div>
<h1>We could not find that</h1>
{asked}
<p>A serial number looks like <code>{EXAMPLE_SERIAL}</code> (one kg) or
<code>{EXAMPLE_SERIAL}-1999</code> (a range): project code, vintage, then the numbers.
A retirement id is an R and ten letters or digits, like <code>{EXAMPLE_RETIREMENT}</code>;
a certificate id a C and thirteen, like <code>{EXAMPLE_CERTIFICATE}</code>: both are printed on every certificate.</p>
<p><a href="/registry">See all projects</a></p>
</article>"""
