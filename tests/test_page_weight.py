"""Page weight (issue 9): each main page, with the CSS and JavaScript it loads, stays under 60 KB compressed in at
most 6 requests, and asks no other host for anything. Sizes and requests only; no timing.

"Compressed" is gzip at level 6, what nginx's ``gzip on`` sends (docs/deployment.md). The requests are those a
browser makes for the page: the document, stylesheets, scripts, images and SVG sprites and icons (the manifest is
fetched only when the web app is installed; it must be self-hosted too). ``make audit`` counts the same requests in
a real Chromium (bench/out/audit.json).
"""

import gzip
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from timebank.demo import DEMO_PASSWORD, load_demo

LIMIT_BYTES = 60 * 1024
LIMIT_REQUESTS = 6


@pytest.fixture
def app_config():
    return {"DEMO_MODE": True}


class Requests(HTMLParser):
    """The addresses a browser fetches for a page (and the ones it would fetch from another host)."""

    def __init__(self):
        super().__init__()
        self.urls = []
        self.later = []  # fetched by the browser only when needed (the manifest: on installing the web app)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if tag == "link" and "manifest" in rel:
            self.later.append(attrs.get("href"))
        elif tag == "link" and {"stylesheet", "icon", "preload", "modulepreload"} & set(rel):
            self.urls.append(attrs.get("href"))
        elif tag in ("script", "img", "iframe", "source", "audio", "video") and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "use" and attrs.get("href"):
            self.urls.append(attrs["href"].split("#")[0])
        elif tag == "image" and attrs.get("href"):
            self.urls.append(attrs["href"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def weigh(client, path, method="GET", data=None):
    response = client.open(path, method=method, data=data)
    assert response.status_code in (200, 400), (path, response.status_code)
    html = response.get_data()
    parser = Requests()
    parser.feed(html.decode())
    addresses = [url for url in dict.fromkeys(parser.urls) if url and not url.startswith("data:")]
    foreign = [url for url in addresses + parser.later if url and (urlsplit(url).netloc or url.startswith("//"))]
    text_bytes = len(gzip.compress(html, 6))
    for url in addresses:
        if url in foreign:
            continue
        asset = client.get(url)
        assert asset.status_code == 200, url
        if url.split("?")[0].endswith((".css", ".js", ".mjs")):
            text_bytes += len(gzip.compress(asset.get_data(), 6))
        asset.close()
    # CSS may pull more in: @import and url() of other hosts count as foreign too.
    return dict(path=path, compressed=text_bytes, requests=1 + len(addresses), foreign=foreign,
                inline_foreign=re.findall(rb"https?://(?!localhost)[^\s\"')]+\.(?:css|js|woff2?)", html))


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo()
    return app


def _log_in(client, username):
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def _pages(app):
    from sqlalchemy import select
    from timebank_plugins.elder_meals.models import Elder
    from timebank_plugins.qr_checkin import tokens
    from timebank_plugins.qr_checkin.models import DutyPost

    from timebank.extensions import db

    with app.app_context():
        post = db.session.scalars(select(DutyPost).where(DutyPost.checkin_policy == "static")).first()
        token = tokens.poster_token(post)
        elder = db.session.scalars(select(Elder)).first()
        return token, elder.id


@pytest.mark.slow  # loads the whole demo community (about half a minute); sizes do not depend on the database
def test_main_pages_are_light_and_self_hosted(demo, client):
    token, elder_id = _pages(demo)
    measured = [weigh(client, "/login")]
    _log_in(client, "volunteer")
    for path in ("/c/xingfuli/", "/c/xingfuli/hours/", "/c/xingfuli/p/qr-checkin/", "/c/xingfuli/p/repair-team/new"):
        measured.append(weigh(client, path))
    measured.append(weigh(client, "/c/xingfuli/p/qr-checkin/my-code"))  # the QR code inside the page
    measured.append(weigh(client, f"/p/qr-checkin/scan/{token}", method="POST", data={}))  # check-in result
    client.post("/logout")
    _log_in(client, "coordinator")
    measured.append(weigh(client, "/c/xingfuli/ledger/queue"))
    # The leader's camera scan: jsQR (51 KB) comes only when the camera is used (66 -> 10 KB).
    measured.append(weigh(client, "/c/xingfuli/p/qr-checkin/scan"))
    measured.append(weigh(client, f"/c/xingfuli/p/elder-meals/elders/{elder_id}/order"))
    # Plugin pages that linked their own stylesheet and script (7 requests) before the core joined them into one.
    for path in ("/c/xingfuli/p/elder-meals/roster", "/c/xingfuli/p/honor-awards/", "/c/xingfuli/p/repair-team/board",
                 "/c/xingfuli/p/mutual-aid/manage"):
        measured.append(weigh(client, path))
    for page in measured:
        assert page["compressed"] <= LIMIT_BYTES, page
        assert page["requests"] <= LIMIT_REQUESTS, page
        assert not page["foreign"] and not page["inline_foreign"], page
