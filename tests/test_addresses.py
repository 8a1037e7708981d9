"""Templates' ``url_for`` (``timebank.addresses``): each worker builds an address once and reuses it; it must be the
address Flask's ``url_for`` builds, whatever the page's community, blueprint and the address the app is served
under, and anything it cannot key safely goes to Flask."""

import pytest
from flask import Flask, g
from sqlalchemy import select

from timebank.addresses import kept_url_for
from timebank.communities.models import Community
from timebank.extensions import db

CASES = [
    ("ledger.my_hours", {}),  # the page's community filled in
    ("ledger.record", {"record_id": 7}),
    ("ledger.history", {"status": "pending", "year": 2026}),  # query arguments
    ("ledger.my_hours", {"community": "oak"}),  # another community, named
    ("static", {"filename": "icons/icon-192.png"}),
    ("home.manifest", {}),
    (".history", {}),  # relative to the page's blueprint
]


@pytest.fixture
def flask_url_for(monkeypatch):
    """Counts the addresses Flask builds, and builds them."""
    built = []
    original = Flask.url_for

    def counted(self, endpoint, **values):
        built.append(endpoint)
        return original(self, endpoint, **values)

    monkeypatch.setattr(Flask, "url_for", counted)
    return built


def page(app, slug, base_url="http://localhost/"):
    """A request context of a ``ledger`` page of community ``slug``, as the app loads it."""
    context = app.test_request_context(f"/c/{slug}/hours/", base_url=base_url)
    context.push()
    g.community = db.session.scalar(select(Community).where(Community.slug == slug))
    return context


def test_the_kept_addresses_are_flasks_for_each_community_and_prefix(app, community, other_community,
                                                                     flask_url_for):
    seen = {}
    for slug in ("maple", "oak"):
        for base_url in ("http://localhost/", "http://localhost/tb/"):
            for round_ in ("first", "kept"):
                context = page(app, slug, base_url)
                try:
                    before = len(flask_url_for)
                    kept = [kept_url_for(endpoint, **values) for endpoint, values in CASES]
                    built = len(flask_url_for) - before
                    expected = [Flask.url_for(app, endpoint, **values) for endpoint, values in CASES]
                finally:
                    context.pop()
                assert kept == expected
                assert built == (len(CASES) if round_ == "first" else 0), (slug, base_url, round_)
                seen[(slug, base_url)] = kept
    assert seen[("maple", "http://localhost/")][0] == "/c/maple/hours/"
    assert seen[("oak", "http://localhost/tb/")][0] == "/tb/c/oak/hours/"
    assert seen[("oak", "http://localhost/")][3] == "/c/oak/hours/"
    assert seen[("maple", "http://localhost/")][2] == "/c/maple/hours/history?status=pending&year=2026"


def test_what_it_cannot_key_goes_to_flask_every_time(app, community, flask_url_for):
    context = page(app, "maple")
    try:
        for _ in range(2):
            assert kept_url_for("ledger.history", status=["pending", "confirmed"]) == \
                "/c/maple/hours/history?status=pending&status=confirmed"  # a list: not hashable
            assert kept_url_for("ledger.my_hours", _external=True) == "http://localhost/c/maple/hours/"
            assert kept_url_for("ledger.my_hours", _anchor="chart") == "/c/maple/hours/#chart"
    finally:
        context.pop()
    assert len(flask_url_for) == 6


def test_an_app_with_other_url_defaults_builds_every_address(app, community, flask_url_for):
    @app.url_defaults
    def add_language(endpoint, values):  # e.g. a plugin's default: the kept addresses could miss it
        return None

    for _ in range(2):
        context = page(app, "maple")
        try:
            kept_url_for("ledger.my_hours")
        finally:
            context.pop()
    assert flask_url_for == ["ledger.my_hours", "ledger.my_hours"]


def test_pages_use_it(app, client, auth, community, flask_url_for):
    auth.login("maple.vol")
    client.get("/c/maple/hours/")
    flask_url_for.clear()
    assert client.get("/c/maple/hours/").status_code == 200
    assert flask_url_for == ["static"]  # only the icon sprite's, built in Python once per request
