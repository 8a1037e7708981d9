"""Core test configuration. The fixtures themselves live in ``timebank.testing`` (a pytest plugin that plugin
packages get too): app, client, runner, auth, make, register_plugin."""

import pytest


@pytest.fixture
def community(make):
    """The community "maple" with a coordinator, a volunteer, a resident and a community admin."""
    make.community("maple", "枫林社区")
    return {
        "slug": "maple",
        "admin": make.member("maple", "maple.admin", role="community_admin", display_name="李主任"),
        "coordinator": make.member("maple", "maple.coord", role="coordinator", display_name="王芳"),
        "volunteer": make.member("maple", "maple.vol", role="volunteer", display_name="陈志强"),
        "resident": make.member("maple", "maple.res", role="resident", display_name="刘洋"),
    }


@pytest.fixture
def other_community(make):
    """A second community, "oak", with its own coordinator and resident."""
    make.community("oak", "橡树社区")
    return {
        "slug": "oak",
        "coordinator": make.member("oak", "oak.coord", role="coordinator", display_name="周强"),
        "resident": make.member("oak", "oak.res", role="resident", display_name="吴敏"),
    }
