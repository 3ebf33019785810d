"""Security headers on every kind of response the web app sends, pages and errors alike."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer
from telegram.ext import Application

from core.purchases.certificates import certify_retirement
from core.settings import load_settings
from sandbox.botapi import BotApiServer
from sandbox.page import SandboxPage
from tests.purchases.conftest import make_shop
from tests.purchases.test_buying import buy
from web import certs, registry
from web.app import MAX_UPDATE_BYTES, WEBHOOK_PATH, build_web_app

TOKEN = "123456:HEADERS-TEST"
SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
UPDATE = {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"},
                                      "from": {"id": 7, "is_bot": False, "first_name": "A"}, "text": "hi"}}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
REQUIRED_CSP = (
    "default-src 'none'", "script-src 'self'", "img-src 'self'", "connect-src 'self'",
    "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'",
)


@dataclass
class Site:
    client: TestClient
    certificate_id: str
    retirement_id: str
    project_code: str


async def open_site(db, tmp_path, *, public_base_url: str = "http://127.0.0.1:8080"):
    """The web app as `cccp sandbox` serves it: webhook on, the sandbox page mounted."""
    settings = load_settings(
        bot_token=TOKEN, data_dir=tmp_path, database_url=db, public_base_url=public_base_url,
        webhook_url="https://bot.example/telegram/webhook", webhook_secret=SECRET["X-Telegram-Bot-Api-Secret-Token"],
    )
    app = build_web_app(settings, Application.builder().token(TOKEN).updater(None).build())
    server = BotApiServer(TOKEN)
    server.mount(app)
    SandboxPage(server).add_routes(app)
    shop = await make_shop()
    result = await buy(shop, 500, retire_for="Zoë")
    certificate = await certify_retirement(
        result.retirement, signing_key=app[certs.CERT_KEY], public_base_url=public_base_url
    )
    return app, Site(None, certificate.id, result.retirement.id, shop.project.code)


@pytest.fixture
async def site(db, tmp_path):
    app, site = await open_site(db, tmp_path)
    async with TestClient(TestServer(app)) as client:
        site.client = client
        yield site


def requests_of_every_kind(site: Site) -> list[tuple[str, str, dict, int]]:
    """(method, path, extra request arguments, expected status)."""
    cid, rid = site.certificate_id, site.retirement_id
    return [
        ("GET", "/healthz", {}, 200),
        ("GET", f"/c/{cid}", {}, 200),
        ("GET", f"/c/{cid}.json", {}, 200),
        ("GET", f"/c/{cid}.png", {}, 200),
        ("GET", "/c/AAAAAAAAAAAA", {}, 404),
        ("GET", "/keys/cert.pub", {}, 200),
        ("GET", "/registry", {}, 200),
        ("GET", f"/registry?q={rid}", {}, 200),
        ("GET", f"/registry/lookup.json?q={rid}", {}, 200),
        ("GET", f"/registry/projects/{site.project_code}", {}, 200),
        ("GET", "/registry/no/such/page", {}, 404),
        ("GET", "/metrics", {}, 200),
        ("GET", "/sandbox", {}, 200),
        ("GET", "/sandbox/static/chat.js", {}, 200),
        ("GET", "/no-such-page", {}, 404),
        ("GET", WEBHOOK_PATH, {}, 405),
        ("POST", WEBHOOK_PATH, {"json": UPDATE}, 401),
        ("POST", WEBHOOK_PATH, {"json": UPDATE, "headers": SECRET}, 200),
        ("POST", WEBHOOK_PATH, {"data": b"[]", "headers": SECRET}, 400),
        ("POST", WEBHOOK_PATH, {"data": b"[" * 100_000, "headers": SECRET}, 400),
        ("POST", WEBHOOK_PATH, {"data": b"x" * (MAX_UPDATE_BYTES + 1), "headers": SECRET}, 413),
    ]


def header_problems(response, *, is_https: bool = False) -> list[str]:
    problems = []
    for name, value in SECURITY_HEADERS.items():
        if response.headers.get(name) != value:
            problems.append(f"{name}: {response.headers.get(name)!r}")
    csp = response.headers.get("Content-Security-Policy", "")
    problems += [f"CSP lacks {d}" for d in REQUIRED_CSP if d not in csp.split("; ")]
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"CSP allows unsafe sources: {csp}")
    if response.headers.get("Server") != "cccp":
        problems.append(f"Server: {response.headers.get('Server')!r}")
    hsts = response.headers.get("Strict-Transport-Security")
    if is_https and hsts != "max-age=31536000":
        problems.append(f"no HSTS on an https site: {hsts!r}")
    if not is_https and hsts is not None:
        problems.append(f"HSTS on a plain http site: {hsts!r}")
    return problems


async def test_every_kind_of_response_carries_the_security_headers(site):
    problems = []
    for method, path, kwargs, status in requests_of_every_kind(site):
        async with site.client.request(method, path, **kwargs) as response:
            assert response.status == status, (method, path, await response.text())
            problems += [f"{method} {path}: {p}" for p in header_problems(response)]
    assert problems == []


async def test_a_handler_that_fails_still_answers_with_the_headers(site, monkeypatch):
    async def broken() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(registry.registry, "list_project_totals", broken)
    response = await site.client.get("/registry")
    assert response.status == 500
    assert header_problems(response) == []


async def test_the_server_header_names_no_version(site):
    response = await site.client.get("/healthz")
    assert response.headers["Server"] == "cccp"
    assert not re.search(r"\d|python|aiohttp", response.headers["Server"], re.IGNORECASE)


async def test_an_https_site_sends_strict_transport_security(db, tmp_path):
    app, site = await open_site(db, tmp_path, public_base_url="https://cccp.example")
    async with TestClient(TestServer(app)) as client:
        for path in ("/healthz", f"/c/{site.certificate_id}", "/registry", "/no-such-page"):
            response = await client.get(path)
            assert header_problems(response, is_https=True) == [], path


def style_sources(csp: str) -> list[str]:
    [directive] = [d for d in csp.split("; ") if d.startswith("style-src ")]
    return directive.split()[1:]


async def test_the_pages_inline_styles_are_allowed_by_hash_and_nothing_else_is_inline(site):
    cid, rid = site.certificate_id, site.retirement_id
    for path in (f"/c/{cid}", "/c/AAAAAAAAAAAA", "/registry", f"/registry?q={rid}",
                 f"/registry?q=CCCP-{site.project_code}-2023-1-10", f"/registry/projects/{site.project_code}",
                 "/registry/nothing", "/sandbox"):
        response = await site.client.get(path)
        page = await response.text()
        allowed = style_sources(response.headers["Content-Security-Policy"])
        for css in re.findall(r"<style>(.*?)</style>", page, re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in allowed, f"{path}: its <style> is not in the policy"
        assert not re.search(r"<script(?![^>]*\ssrc=)", page), f"{path}: inline script"
        assert not re.search(r"\sstyle=", page), f"{path}: a style attribute"
        assert not re.search(r"\son[a-z]+=", page), f"{path}: an inline event handler"
