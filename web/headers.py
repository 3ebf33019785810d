"""Security headers on every response the web app sends.

One `on_response_prepare` hook, so pages, JSON, images, static files, the
router's 404 and 405, a 413 and a handler's 500 all carry the same headers:

    Content-Security-Policy    scripts, styles, images and connections from this
                               origin only; inline <style> only by hash; no
                               plugins, no <base>, never framed
    X-Content-Type-Options     nosniff
    X-Frame-Options            DENY (frame-ancestors for browsers without CSP 2)
    Referrer-Policy            same-origin: other sites never learn which
                               certificate or look-up a visitor came from
    Strict-Transport-Security  only when PUBLIC_BASE_URL is https (browsers
                               ignore it over plain http, and a local http
                               run must not teach them to refuse http)
    Server                     "cccp", never the Python and aiohttp versions

The certificate and registry pages keep their CSS inline (a page is one
request, and a saved page keeps its look), so the policy names the SHA-256 of
each inline stylesheet; the pages have no inline script and no style
attributes. The sandbox page loads its script and stylesheet from
/sandbox/static and talks to /sandbox/ws, a same-origin WebSocket.

Not covered: a request aiohttp cannot parse as HTTP is answered by aiohttp
itself, before any application code, with its default Server header.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from aiohttp import web

SERVER = "cccp"
HSTS_MAX_AGE_S = 365 * 24 * 3600  # one year; no includeSubDomains: other hosts are not ours to pin


def style_source(css: str) -> str:
    """The CSP source that allows exactly this inline stylesheet."""
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(inline_styles: Iterable[str] = ()) -> str:
    """The policy for every response; `inline_styles` are the pages' <style> texts."""
    styles = " ".join(["'self'", *(style_source(css) for css in inline_styles)])
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        f"style-src {styles}",
        "img-src 'self'",
        "connect-src 'self'",  # the sandbox page's WebSocket; CSP 3 'self' covers ws: on the same host
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ])


def security_headers(*, inline_styles: Iterable[str] = (), is_https: bool = False) -> dict[str, str]:
    """The headers every response gets (HSTS only for an https site)."""
    headers = {
        "Content-Security-Policy": content_security_policy(inline_styles),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }
    if is_https:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_MAX_AGE_S}"
    return headers


def add_security_headers(
    app: web.Application, *, inline_styles: Iterable[str] = (), is_https: bool = False
) -> None:
    """Send the security headers, and a Server header without versions, on every response of `app`."""
    headers = security_headers(inline_styles=inline_styles, is_https=is_https)

    async def on_response_prepare(_request: web.Request, response: web.StreamResponse) -> None:
        # Set before aiohttp's own setdefault(Server, "Python/x aiohttp/y") runs.
        response.headers["Server"] = SERVER
        for name, value in headers.items():
            response.headers.setdefault(name, value)  # a handler may set its own

    app.on_response_prepare.append(on_response_prepare)
