"""A certificate link shared in a chat previews (Open Graph, Twitter card); downloads download;
the front door, favicon and robots.txt answer."""

from __future__ import annotations

import io
import re

from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from core.certs.service import issue_certificate
from core.settings import load_settings
from web.app import build_web_app


def meta(page: str, attribute: str, name: str) -> str:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', page)
    assert found, f"no {name} on the page"
    return found.group(1)


async def test_a_certificate_page_previews_with_its_png_as_image(client, make_data, signing_key, base_url):
    view = await issue_certificate(make_data(standard="VCS", project_id="MATA"), key=signing_key,
                                   public_base_url=base_url)
    page = await (await client.get(f"/c/{view.id}")).text()
    assert meta(page, "property", "og:image") == f"{base_url}/c/{view.id}.png"  # absolute
    assert meta(page, "property", "og:url") == f"{base_url}/c/{view.id}"
    assert view.beneficiary in meta(page, "property", "og:title")
    assert "0.5 t CO₂e (500 kg) retired for" in meta(page, "property", "og:description")
    assert meta(page, "name", "description") == meta(page, "property", "og:description")
    assert meta(page, "name", "twitter:card") == "summary_large_image"
    assert meta(page, "name", "twitter:image") == f"{base_url}/c/{view.id}.png"
    assert "<dt>Standard</dt><dd>VCS</dd>" in page and "<code>MATA</code>" in page
    assert f"<code>{view.retirement_id}</code>" in page  # the retirement id, linked to its look-up
    assert page.count("<h1>") == 1 and "<main>" in page and '<header class="top">' in page


async def test_downloads_are_downloads_and_the_preview_image_stays_inline(client, make_data, signing_key,
                                                                         base_url):
    view = await issue_certificate(make_data(), key=signing_key, public_base_url=base_url)
    page = await (await client.get(f"/c/{view.id}")).text()
    assert f'href="/c/{view.id}.png?download" download' in page
    assert f'href="/c/{view.id}.json?download" download' in page
    png = await client.get(f"/c/{view.id}.png?download")
    assert png.headers["Content-Disposition"] == f'attachment; filename="cccp-certificate-{view.id}.png"'
    document = await client.get(f"/c/{view.id}.json?download")
    assert document.headers["Content-Disposition"] == f'attachment; filename="cccp-certificate-{view.id}.json"'
    inline = await client.get(f"/c/{view.id}.png")  # what <img> and link previews fetch
    assert inline.headers["Content-Disposition"].startswith("inline;")


async def test_the_front_door_favicon_and_robots(cert_db, tmp_path):
    settings = load_settings(data_dir=tmp_path, database_url="sqlite://:memory:")
    async with TestClient(TestServer(build_web_app(settings))) as client:
        home = await client.get("/")
        assert home.status == 200
        page = await home.text()
        assert "CCCP, the Carbon Credit Consumer Symbol" in page
        assert 'href="/registry"' in page and 'href="/keys/cert.pub"' in page
        assert page.count("<h1>") == 1
        icon = await client.get("/favicon.ico")
        assert icon.status == 200 and icon.content_type == "image/x-icon"
        assert Image.open(io.BytesIO(await icon.read())).format == "ICO"
        robots = await client.get("/robots.txt")
        assert robots.status == 200 and "Disallow: /telegram/" in await robots.text()
        assert "Disallow: /c/" not in await robots.text()  # link previews must reach certificates
