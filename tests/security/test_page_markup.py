"""Markup every page must get right, on every GET page of the site with real objects (the world of the security
tests), as the district admin, a volunteer and a resident."""

import pytest

from .conftest import client_for
from .matrix import get_paths
from .pages import repeated_ids


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}  # as in production: each form carries its hidden token


def test_no_page_gives_two_elements_the_same_id(app, world):
    """A page with a form per row (a team's members, the duty posts, the canteen roster) repeated the hidden CSRF
    field's ``id="csrf_token"`` (and a button form's ``id="value"``) on every row: invalid HTML, and assistive
    technology that follows ids (a label's ``for``, ``aria-labelledby``) can land on the wrong element."""
    paths = get_paths(app, world)
    seen, repeated = 0, {}
    for username in ("district", "a.vol", "a.res"):
        client = client_for(app, username)
        for path in paths:
            response = client.get(path)
            if response.status_code == 200 and response.mimetype == "text/html":
                seen += 1
                found = repeated_ids(response.get_data(as_text=True))
                if found:
                    repeated[(username, path)] = found
            response.close()
    assert seen > 150  # the walk read the site (199 pages when written)
    assert repeated == {}
