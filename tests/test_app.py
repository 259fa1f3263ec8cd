"""Backline as an installable app: the manifest, the icons, the head of every page, the
service worker and the offline page it keeps."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from backline.accounts.roles import Role
from backline.web import app
from tests.harness import ClientOf
from tests.personas import World, make_person

ICONS = Path(app.__file__).parent / "static" / "backline" / "icons"
STATIC_URL = "/static/"


def static_file(url: str) -> Path:
    """The file behind a static URL (tests run with debug's unhashed names)."""
    assert url.startswith(STATIC_URL), url
    found = finders.find(url.removeprefix(STATIC_URL))
    assert isinstance(found, str), url
    return Path(found)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_manifest_describes_an_installable_app(client: Client, db: None) -> None:
    response = client.get(reverse("manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Backline peer support"
    assert manifest["short_name"] == "Backline"
    assert manifest["start_url"] == reverse("home")
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    sizes = set()
    for icon in manifest["icons"]:
        width, height = png_size(static_file(icon["src"]))
        assert icon["sizes"] == f"{width}x{height}" and icon["type"] == "image/png"
        sizes.add(width)
    assert {192, 512} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])


@pytest.mark.parametrize(
    ("name", "size"), [("icon-192.png", 192), ("icon-512.png", 512), ("apple-touch-icon.png", 180)]
)
def test_each_icon_is_the_size_it_claims(name: str, size: int) -> None:
    assert png_size(ICONS / name) == (size, size)


def test_the_favicon_is_an_svg() -> None:
    root = ET.parse(ICONS / "icon.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 64 64"


def head_of(html: str) -> str:
    return html.split("</head>", 1)[0]


def test_every_page_offers_the_app(client: Client, world: World, client_of: ClientOf) -> None:
    pages = [
        (client.get(reverse("account_login")), ""),  # base.html
        (client.get("/no-such-page/"), ""),  # the error layout
        (client_of(world.peer).get(reverse("home")), " data-signed-in"),
    ]
    for response, signed_in in pages:
        head = head_of(response.content.decode())
        assert f'<link rel="manifest" href="{reverse("manifest")}">' in head
        for colour, scheme in (("#ffffff", "light"), ("#171b22", "dark")):
            theme = f'content="{colour}" media="(prefers-color-scheme: {scheme})"'
            assert f'<meta name="theme-color" {theme}>' in head
        for rel in ("icon", "apple-touch-icon", "stylesheet"):
            href = re.search(rf'<link rel="{rel}" href="([^"]+)"', head)
            assert href and static_file(href[1]).exists(), rel
        worker = f'data-service-worker="{reverse("notify:service_worker")}"'
        assert f'<script src="/static/backline/app.js" {worker}{signed_in} defer>' in head


def test_the_service_worker_serves_for_the_whole_site(client: Client, db: None) -> None:
    response = client.get(reverse("notify:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    source = response.content.decode()
    assert f'var OFFLINE_PAGE = "{reverse("offline")}";' in source
    assert f'startsWith("{STATIC_URL}")' in source  # the offline page's own files
    for event in ("install", "activate", "fetch", "message", "push", "notificationclick"):
        assert f'addEventListener("{event}"' in source


def test_the_offline_page_names_988_and_backlines_eap_line(
    client: Client, db: None, settings: Settings
) -> None:
    settings.BACKLINE_EAP_LINE = "+1 555 010 0999"
    response = client.get(reverse("offline"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are offline" in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
    assert '<a href="tel:+15550100999">+1 555 010 0999</a>' in html
    # the Link header names the files the page needs, which the service worker keeps
    named = re.findall(r"<([^>]+)>; rel=preload; as=(\w+)", response["Link"])
    assert {kind for _, kind in named} == {"style", "script"}
    for url, _ in named:
        assert url in html and static_file(url).exists()


def test_a_signed_in_person_sees_their_agencys_eap_line(
    world: World, client_of: ClientOf, settings: Settings
) -> None:
    settings.BACKLINE_EAP_LINE = "+1 555 010 0999"
    world.agency.eap_line = "+1 555 010 0300"
    world.agency.save()
    html = client_of(world.peer).get(reverse("offline")).content.decode()
    assert "+1 555 010 0300" in html and "+1 555 010 0999" not in html
    assert world.peer.full_name not in html


def test_the_app_files_reach_someone_who_must_still_enrol(world: World) -> None:
    newcomer = make_person("new.peer@harbor.test", "Nia New", world.agency, Role.PEER)
    client = Client()
    client.force_login(newcomer)
    assert client.get(reverse("home"))["Location"] == reverse("security_setup")
    for name in ("manifest", "offline", "notify:service_worker"):
        assert client.get(reverse(name)).status_code == 200, name
