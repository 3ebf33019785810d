"""Certificate verification pages: what the QR code on a certificate opens.

    GET /c/{id}          HTML: the certificate, checked against our public key
    GET /c/{id}.json     the signed payload, its signature and where the key is
    GET /c/{id}.png      the certificate image
    GET /keys/cert.pub   the Ed25519 public key (PEM)

The page's verdict is `core.certs.service.verify_stored`, the same strict
check `cccp certs verify` makes; when it fails the page says why in one line.
The signing key comes from the application: `app[CERT_KEY]` (an
Ed25519PrivateKey). `app[PUBLIC_BASE_URL]` is set by web/app.py but no longer
read here: every URL a certificate shows is inside its signed payload. Every
path under /c/ is answered here, so an unknown or malformed id (``../x``, 500
characters) gets a friendly 404 page, never the router's bare one or a 500.
Pages are self-contained (inline CSS and SVG) and everything shown is escaped;
the Content-Security-Policy (web/headers.py) allows the <style> by its hash, so
pages carry no inline script and no style attributes.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote

from aiohttp import web

from core import registry
from core.certs import signing
from core.certs.models import CertificateKind
from core.certs.render import issued_text, render_certificate_png_async
from core.certs.service import (
    CertificateView,
    certificate_document,
    get_certificate,
    verify_stored,
)
from core.certs.verification import Verdict
from web.i18n import N_, SWITCH_CSS, PageText, language_switch

PUBLIC_KEY_PATH = signing.PUBLIC_KEY_PATH
CERT_KEY = web.AppKey("cert_key", object)  # Ed25519PrivateKey
PUBLIC_BASE_URL = web.AppKey("public_base_url", str)
# Certificates never change once issued; let browsers and Telegram's link
# preview keep them for a day.
IMMUTABLE = {"Cache-Control": "public, max-age=86400"}
SERIALS_INLINE = 12


def add_routes(app: web.Application) -> None:
    """Register the certificate pages on `app`."""
    app.router.add_get("/c/{tail:.*}", certificate_route)
    app.router.add_get(PUBLIC_KEY_PATH, public_key)


def _key(request: web.Request):
    return request.config_dict[CERT_KEY]


async def certificate_route(request: web.Request) -> web.StreamResponse:
    """/c/<id>, /c/<id>.json or /c/<id>.png."""
    tail = request.match_info["tail"]
    for suffix, handler in ((".json", certificate_json), (".png", certificate_png)):
        if tail.endswith(suffix):
            return await handler(request, tail.removesuffix(suffix))
    return await certificate_page(request, tail)


NOT_FOUND_TITLE = N_("Certificate not found")
PAGE_TITLE = N_("CCCP certificate {id} – {beneficiary}")
NOT_FOUND_MESSAGE = N_("No certificate has this id.")
SUMMARY = N_("{tonnes} t CO₂e ({kg} kg) {what} for {beneficiary}, {project}; signed by CCCP, "
             "check it here.")
SUMMARY_RETIRED, SUMMARY_CREDITS = N_("retired"), N_("of carbon credits")


async def certificate_page(request: web.Request, cert_id: str) -> web.Response:
    view = await get_certificate(cert_id)
    if view is None:
        t = PageText.of(request)
        return _html(_not_found_body(t), title=t(NOT_FOUND_TITLE), status=404, t=t,
                     request=request)
    t = PageText.of(request, view.language)
    verdict = verify_stored(view, _key(request).public_key())
    reductions = (
        await registry.reductions_for_retirement(view.retirement_id) if view.retirement_id else ()
    )
    base = request.config_dict[PUBLIC_BASE_URL].rstrip("/")
    summary = t(
        SUMMARY, tonnes=t.tonnes(view.amount_kg), kg=t.kg(view.amount_kg),
        what=t(SUMMARY_RETIRED if view.kind == CertificateKind.RETIREMENT else SUMMARY_CREDITS),
        beneficiary=view.beneficiary, project=view.project_name or "CCCP",
    )
    title = t(PAGE_TITLE, id=view.id, beneficiary=view.beneficiary)
    return _html(
        _certificate_body(view, verdict, reductions, t),
        title=title,
        headers={"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"},
        t=t, request=request,
        description=summary,
        preview={
            "type": "website", "site_name": "CCCP", "title": title, "description": summary,
            "url": f"{base}/c/{view.id}", "image": f"{base}/c/{view.id}.png",
            "image:type": "image/png", "image:width": "1600", "image:height": "1131",
            "image:alt": t(IMAGE_ALT, beneficiary=view.beneficiary),
            "locale": OG_LOCALES.get(t.language, "en_GB"),
        },
    )


async def certificate_json(request: web.Request, cert_id: str) -> web.Response:
    view = await get_certificate(cert_id)
    if view is None:
        t = PageText.of(request)
        return web.json_response(
            {"error": "not_found", "message": t(NOT_FOUND_MESSAGE), "language": t.language},
            status=404,
        )
    return web.json_response(
        certificate_document(view),
        headers={**IMMUTABLE, **_disposition(request, f"cccp-certificate-{view.id}.json")},
        dumps=lambda obj: json.dumps(obj, ensure_ascii=False, indent=2),
    )


async def certificate_png(request: web.Request, cert_id: str) -> web.Response:
    view = await get_certificate(cert_id)
    if view is None:
        t = PageText.of(request)
        return _html(_not_found_body(t), title=t(NOT_FOUND_TITLE), status=404, t=t,
                     request=request)
    png = await render_certificate_png_async(view)
    return web.Response(
        body=png,
        content_type="image/png",
        headers={
            **IMMUTABLE,
            **_disposition(request, f"cccp-certificate-{view.id}.png"),
        },
    )


def _disposition(request: web.Request, filename: str) -> dict[str, str]:
    """`?download` saves the file (the page's download links); without it, it opens in place
    (the preview image, link previews, scripts fetching the JSON)."""
    how = "attachment" if "download" in request.query else "inline"
    return {"Content-Disposition": f'{how}; filename="{filename}"'}


async def public_key(request: web.Request) -> web.Response:
    """The PEM public key that checks every certificate signature."""
    return web.Response(
        text=signing.public_key_pem(_key(request)),
        content_type="text/plain",
        headers={"Cache-Control": "public, max-age=3600"},
    )


# --- HTML ------------------------------------------------------------------------

SYMBOL_SVG = """<svg class="symbol" viewBox="0 0 200 200" role="img"
 aria-label="CCCP: carbon credit consumer symbol" xmlns="http://www.w3.org/2000/svg">
<defs><path id="top" d="M50.5 159 A77 77 0 1 1 149.5 159"/>
<path id="bottom" d="M12 100 A88 88 0 0 0 188 100"/></defs>
<circle cx="100" cy="100" r="99" fill="#164e38"/>
<circle cx="100" cy="100" r="94" fill="none" stroke="#b08d3e" stroke-width="1.5"/>
<circle cx="100" cy="100" r="71" fill="#b08d3e"/>
<circle cx="100" cy="100" r="69" fill="#eef4ea"/>
<g fill="none" stroke="#bed6c4" stroke-width="1.2">
<circle cx="100" cy="100" r="62"/><ellipse cx="100" cy="100" rx="22" ry="62"/>
<ellipse cx="100" cy="100" rx="43" ry="62"/><path d="M100 38V162M38 100H162M46 69H154M46 131H154"/>
</g>
<path d="M72 121 C 70 88 96 68 142 60 C 136 104 112 126 72 121 Z" fill="#56aa6e"/>
<path d="M72 121 C 96 108 118 88 142 60 C 136 104 112 126 72 121 Z" fill="#2e8550"/>
<path d="M64 131 L72 121 L136 66" stroke="#fbf9f2" stroke-width="2.4" fill="none"/>
<path d="M64 131 L72 121" stroke="#164e38" stroke-width="4"/>
<g fill="#fff" font-family="DejaVu Sans, Verdana, sans-serif" font-weight="700">
<text font-size="14.5"><textPath href="#top" startOffset="50%" text-anchor="middle"
 textLength="318" lengthAdjust="spacing">CARBON CREDIT CONSUMER SYMBOL</textPath></text>
<text font-size="16" letter-spacing="3"><textPath href="#bottom" startOffset="50%"
 text-anchor="middle">• CCCP •</textPath></text></g></svg>"""

CSS = SWITCH_CSS + """
*{box-sizing:border-box}
body{margin:0;background:#f1efe6;color:#212926;
 font:16px/1.5 "DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:760px;margin:0 auto;padding:18px 16px 26px}
header{display:flex;align-items:center;gap:14px;margin-bottom:18px}
header.top{max-width:760px;margin:0 auto;padding:20px 16px 0}
.symbol{width:64px;height:64px;flex:none}
.brand b{display:block;font-size:26px;color:#164e38;letter-spacing:.02em}
.brand span{font-size:12px;letter-spacing:.18em;text-transform:uppercase;color:#555c58}
.card{background:#fbf9f2;border:1px solid #ded8c6;border-top:6px solid #164e38;
 border-radius:10px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.status{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:14px}
.badge{display:inline-block;padding:4px 12px;border-radius:999px;font-size:14px;font-weight:700}
.ok{background:#e2f1e6;color:#1d6b3f;border:1px solid #a9d3b5}
.bad{background:#fbe5e3;color:#9b2a1f;border:1px solid #eab3ad}
p.verdict{margin:0 0 14px;padding:8px 12px;border-radius:8px;font-weight:700}
.label{font-size:12px;font-weight:700;letter-spacing:.14em;text-transform:uppercase;color:#7a5c1a}
h1{font-size:30px;line-height:1.2;margin:4px 0 14px;overflow-wrap:anywhere}
.amount{font-size:28px;font-weight:700;color:#164e38}
.amount small{font-size:17px;font-weight:400;color:#555c58}
.reason{margin:6px 0 0;font-size:17px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:10px 18px;margin:22px 0 0;
 padding-top:18px;border-top:1px solid #e4dfcf}
dt{font-size:12px;font-weight:700;letter-spacing:.12em;text-transform:uppercase;color:#7a5c1a;padding-top:3px}
dd{margin:0;overflow-wrap:anywhere}
dd a,p.note a{color:#164e38}
ul.serials{margin:0;padding:0;list-style:none;font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:13px}
.actions{display:flex;flex-wrap:wrap;gap:10px;margin:20px 0 0}
.actions a{display:inline-block;padding:9px 16px;border-radius:8px;text-decoration:none;
 border:1px solid #164e38;color:#164e38;font-weight:700;font-size:15px}
.actions a.primary{background:#164e38;color:#fff}
.preview{display:block;margin:22px 0 0}
.preview img{display:block;width:100%;height:auto;border-radius:6px;
 box-shadow:0 2px 10px rgba(0,0,0,.12)}
section.check{margin-top:22px}
h2{font-size:18px;margin:0 0 8px;color:#164e38}
pre,code.sig{display:block;white-space:pre-wrap;word-break:break-all;background:#fff;
 border:1px solid #e4dfcf;border-radius:8px;padding:12px;font-size:12.5px;margin:6px 0 12px;
 font-family:"DejaVu Sans Mono",ui-monospace,monospace}
p.note{color:#555c58;font-size:14px}
footer{max-width:760px;margin:0 auto;padding:0 16px 32px;text-align:center;color:#555c58;font-size:13px}
@media (max-width:520px){dl{grid-template-columns:1fr;gap:2px}dd{margin-bottom:10px}
 h1{font-size:25px}.amount{font-size:24px}.card{padding:18px}.brand span{letter-spacing:.08em}}
"""


BRAND = "Carbon Credit Consumer Symbol"  # the name, in every language (as in the welcome)
FOOTER = N_("1 CCCP carbon credit = 1 tonne CO₂e. Certificates are signed with Ed25519.")


# og:locale for a page's language (Open Graph wants language_TERRITORY).
OG_LOCALES = {"en": "en_GB", "de": "de_DE", "fr": "fr_FR"}


def _meta(description: str, preview: dict[str, str] | None) -> str:
    """The page's description and, for a certificate, its link preview (Open Graph, Twitter card)."""
    tags = [f'<meta name="description" content="{escape(description)}">'] if description else []
    if preview:
        tags += [f'<meta property="og:{k}" content="{escape(v)}">' for k, v in preview.items()]
        tags += [
            '<meta name="twitter:card" content="summary_large_image">',
            f'<meta name="twitter:title" content="{escape(preview["title"])}">',
            f'<meta name="twitter:description" content="{escape(preview["description"])}">',
            f'<meta name="twitter:image" content="{escape(preview["image"])}">',
        ]
    return "\n".join(tags)


def _html(body: str, *, title: str, status: int = 200, headers=None, t: PageText,
          request: web.Request, description: str = "", preview: dict[str, str] | None = None,
          index: bool = False) -> web.Response:
    page = f"""<!doctype html>
<html lang="{t.language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="{"index" if index else "noindex"}">
<link rel="icon" href="/favicon.ico">
{_meta(description, preview)}
<title>{escape(title)}</title><style>{CSS}</style></head>
<body><header class="top">{SYMBOL_SVG}<div class="brand"><b>CCCP</b><span>{escape(BRAND)}</span></div></header>
<main>
{language_switch(request, t.language)}
{body}
</main>
<footer>{escape(t(FOOTER))}</footer>
</body></html>"""
    return web.Response(
        text=page, status=status, content_type="text/html", charset="utf-8", headers=headers
    )


STATUS = {
    CertificateKind.RETIREMENT: (N_("Retired"), N_("Credits retired for good on behalf of")),
    CertificateKind.PURCHASE: (N_("Valid · purchase"), N_("Carbon credits bought by")),
    CertificateKind.PRODUCT: (
        N_("Valid · CCCP product"),
        N_("Carbon credits received with a CCCP product by"),
    ),
}
REDUCTION = N_("This purchase started a carbon reduction order: {status} ({kg} kg, {date})")
REDUCTION_STATUS = {"recorded": N_("recorded")}


def _reduction_text(reductions, t: PageText) -> str:
    """'This purchase started a carbon reduction order: recorded' (seed claim)."""
    return "<br>".join(
        escape(t(REDUCTION, status=t(REDUCTION_STATUS.get(str(r.status), str(r.status))),
                 kg=t.kg(r.amount_kg), date=f"{r.created_at:%Y-%m-%d}"))
        for r in reductions
    )


SIGNATURE_VALID = N_("Signature valid ✓")
SIGNATURE_INVALID = N_("Signature invalid ✗")
NOT_VALID = N_("Not valid: {reason}")
AND_MORE = N_("and {count} more")
L_PROJECT, L_METHODOLOGY, L_COUNTRY, L_VINTAGE = (
    N_("Project"), N_("Methodology"), N_("Country"), N_("Vintage"))
L_SERIALS, L_ISSUED, L_REDUCTION = N_("Serial numbers"), N_("Issued"), N_("Carbon reduction")
L_CERT_ID, L_KEY = N_("Certificate ID"), N_("Signing key")
L_STANDARD, L_PROJECT_ID, L_RETIREMENT_ID = N_("Standard"), N_("Project ID"), N_("Retirement ID")
FOR_REASON = N_("for “{reason}”")
A_IMAGE, A_JSON, A_KEY, A_REGISTRY = (N_("Download the image (PNG)"),
                                      N_("Download the signed JSON"),
                                      N_("Public key"), N_("In the public registry"))
IMAGE_ALT = N_("Certificate image for {beneficiary}")
CHECK_HEAD = N_("Check it yourself")
CHECK_TEXT = N_(
    "The signature is Ed25519 over exactly these bytes (the payload as JSON with sorted keys "
    "and no spaces, UTF-8), checked against the public key at {key}. Offline:")
L_PAYLOAD, L_SIGNATURE = N_("Signed payload"), N_("Signature (base64url)")


def _signed_text(payload: dict) -> str:
    """The signed bytes as text; a damaged payload that has none is shown escaped."""
    try:
        return signing.canonical_json(payload).decode()
    except (UnicodeEncodeError, TypeError, ValueError):
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=repr)


def _certificate_body(view: CertificateView, verdict: Verdict, reductions=(),
                      t: PageText | None = None) -> str:
    t = t or PageText("en")
    status, lead = (t(text) for text in STATUS[view.kind])
    signature_badge = (
        f'<span class="badge ok">{escape(t(SIGNATURE_VALID))}</span>'
        if verdict.is_valid
        else f'<span class="badge bad">{escape(t(SIGNATURE_INVALID))}</span>'
    )
    why_invalid = (
        "" if verdict.is_valid
        else f'<p class="verdict bad">{escape(t(NOT_VALID, reason=verdict.reason))}</p>'
    )
    serials = view.serial_ranges
    serial_items = "".join(f"<li>{escape(s)}</li>" for s in serials[:SERIALS_INLINE])
    if len(serials) > SERIALS_INLINE:
        rest = "".join(f"<li>{escape(s)}</li>" for s in serials[SERIALS_INLINE:])
        serial_items += (
            f"<li><details><summary>{escape(t(AND_MORE, count=len(serials) - SERIALS_INLINE))}</summary>"
            f'<ul class="serials">{rest}</ul></details></li>'
        )
    rows = [
        (t(L_PROJECT), escape(view.project_name or "—")),
        (t(L_METHODOLOGY), escape(view.methodology or "—")),
        (t(L_COUNTRY), escape(t.country(view.country))),
        *([(t(L_STANDARD), escape(view.standard))] if view.standard else []),
        *([(t(L_PROJECT_ID), f"<code>{escape(view.project_id)}</code>")] if view.project_id else []),
        (t(L_VINTAGE), escape(str(view.vintage or "—"))),
        (t(L_SERIALS), f'<ul class="serials">{serial_items or "<li>—</li>"}</ul>'),
        (t(L_ISSUED), escape(issued_text(view, t.language))),
        *([(t(L_REDUCTION), _reduction_text(reductions, t))] if reductions else []),
        (t(L_CERT_ID), f"<code>{escape(view.id)}</code>"),
        *([(t(L_RETIREMENT_ID),
            f'<a href="{escape("/registry?q=" + quote(view.retirement_id, safe="") + "&lang=" + t.language)}">'
            f"<code>{escape(view.retirement_id)}</code></a>")] if view.retirement_id else []),
        (t(L_KEY), f"<code>{escape(view.key_id)}</code> (Ed25519)"),
    ]
    details = "".join(f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in rows)
    reason = (f'<p class="reason">{escape(t(FOR_REASON, reason=view.reason))}</p>'
              if view.reason else "")
    signed = _signed_text(view.payload)
    cid = escape(view.id)
    # The retirement id opens its look-up: serials, beneficiary and date as the registry has them.
    # The registry opens in the certificate page's language (the certificate's own, or ?lang=).
    registry_href = escape(
        ("/registry?q=" + quote(view.retirement_id, safe="") + "&" if view.retirement_id
         else "/registry?") + f"lang={t.language}"
    )
    return f"""<article class="card">
<div class="status"><span class="badge ok">{status}</span>{signature_badge}</div>
{why_invalid}
<div class="label">{lead}</div>
<h1>{escape(view.beneficiary)}</h1>
<div class="amount">{escape(t.tonnes(view.amount_kg))} t CO₂e
 <small>({escape(t.kg(view.amount_kg))} kg)</small></div>
{reason}
<dl>{details}</dl>
<div class="actions"><a class="primary" href="/c/{cid}.png?download" download>{escape(t(A_IMAGE))}</a>
<a href="/c/{cid}.json?download" download>{escape(t(A_JSON))}</a>
<a href="{PUBLIC_KEY_PATH}" download="cccp-cert.pub">{escape(t(A_KEY))}</a>
<a href="{registry_href}">{escape(t(A_REGISTRY))}</a></div>
</article>
<a class="preview" href="/c/{cid}.png"><img src="/c/{cid}.png" width="1600" height="1131"
 alt="{escape(t(IMAGE_ALT, beneficiary=view.beneficiary))}"></a>
<section class="check card">
<h2>{escape(t(CHECK_HEAD))}</h2>
<p class="note">{escape(t(CHECK_TEXT, key="{key}")).replace("{key}", f'<a href="{PUBLIC_KEY_PATH}">{PUBLIC_KEY_PATH}</a>')}
<code>cccp certs verify {cid}.json --public-key cert.pub</code></p>
<div class="label">{escape(t(L_PAYLOAD))}</div>
<pre>{escape(signed)}</pre>
<div class="label">{escape(t(L_SIGNATURE))}</div>
<code class="sig">{escape(view.signature)}</code>
</section>"""


NF_BADGE = N_("Not found")
NF_HEAD = N_("We could not find this certificate")
NF_TEXT = N_("No CCCP certificate has this address. Check that the link or the code you "
             "scanned is complete: a certificate address ends in {prefix} and an id such as "
             "{example} (or, for certificates issued before 2026-12, 12 letters, digits, "
             "{dash} or {underscore}).")
NF_NOTE = N_("If the certificate was just issued, wait a moment and try again. A "
             "certificate that does not appear here was not issued by CCCP.")


def _with_code(text: str, **codes: str) -> str:
    """A translated text, escaped, with each {name} placeholder shown as <code>value</code>."""
    html = escape(text)
    for name, value in codes.items():
        html = html.replace("{" + name + "}", f"<code>{escape(value)}</code>")
    return html


def _not_found_body(t: PageText) -> str:
    return f"""<article class="card">
<div class="status"><span class="badge bad">{escape(t(NF_BADGE))}</span></div>
<h1>{escape(t(NF_HEAD))}</h1>
<p>{_with_code(t(NF_TEXT), prefix="/c/", example="C4QZ8M1T0E3K9X", dash="-", underscore="_")}</p>
<p class="note">{escape(t(NF_NOTE))}</p>
</article>"""
