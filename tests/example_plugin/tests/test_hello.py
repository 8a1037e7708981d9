"""Tests of the example plugin, written the way a third-party plugin tests itself: timebank's fixtures, the
plugin installed (``pip install -e .``), switched on per community through the core's service."""

import pytest

from timebank.communities.services import community_by_slug
from timebank.plugin_state import set_plugin_enabled

PAGE = "/c/maple/p/example-hello/"


@pytest.fixture
def member(app, make, auth):
    make.community("maple", "枫林社区")
    make.member("maple", "ann", role="volunteer")
    auth.login("ann")


def switch(app, enabled):
    with app.app_context():
        set_plugin_enabled(community_by_slug("maple"), "example_hello", enabled)


def test_the_plugin_is_found_through_its_entry_point(app):
    info = app.extensions["timebank"].plugins["example_hello"]
    assert info.source == "installed"
    assert info.distribution == "timebank-example-hello" and info.version == "0.1.0"


def test_page_answers_404_until_switched_on(app, client, member):
    assert client.get(PAGE).status_code == 404
    switch(app, True)
    page = client.get(PAGE)
    assert page.status_code == 200 and "Hello, 枫林社区!" in page.text
    switch(app, False)
    assert client.get(PAGE).status_code == 404


def test_nav_item_appears_only_when_on(app, client, member):
    link = f'href="{PAGE}"'
    assert link not in client.get("/c/maple/").text
    switch(app, True)
    assert link in client.get("/c/maple/").text


def test_listed_by_the_cli(app, runner, member):
    switch(app, True)
    assert "example_hello\t0.1.0\tinstalled\ton in: maple" in runner.invoke(args=["plugins", "list"]).output
