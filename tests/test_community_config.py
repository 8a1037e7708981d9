"""The plugin switches and the stored settings of a page are read in one statement (``timebank.community_config``),
and a change made during a request is read again by the rest of that request."""

from flask import g
from sqlalchemy import select

from timebank.communities.models import Community
from timebank.extensions import db
from timebank.plugin_state import enabled_plugin_names, set_plugin_enabled
from timebank.settings import save_settings, settings_for
from timebank.testing import statements_during


def _maple():
    return db.session.scalar(select(Community).where(Community.slug == "maple"))


def test_a_page_reads_the_switches_and_the_settings_in_one_statement(app, client, community, auth):
    auth.login("maple.vol")
    client.get("/c/maple/hours/")
    seen = statements_during(lambda: client.get("/c/maple/hours/"), app)
    config = [s for s in seen if "community_plugin" in s or "plugin_setting" in s]
    assert len(config) == 1, config
    assert "community_plugin" in config[0] and "plugin_setting" in config[0]


def test_the_community_value_wins_over_the_instance_value_and_a_switched_off_plugin_is_off(app, community):
    with app.test_request_context("/c/maple/"):
        maple = _maple()
        save_settings("qr_checkin", {"checkin_early_minutes": 20})  # the district's default
        save_settings("qr_checkin", {"late_after_minutes": 9}, maple)
        set_plugin_enabled(maple, "repair_team", False)
    with app.test_request_context("/c/maple/"):
        g.community = maple = _maple()
        seen = statements_during(lambda: (settings_for("qr_checkin", maple), enabled_plugin_names(maple)), app)
        settings = settings_for("qr_checkin", maple)
        assert settings["checkin_early_minutes"] == 20 and settings["late_after_minutes"] == 9
        assert "repair_team" not in enabled_plugin_names(maple) and "qr_checkin" in enabled_plugin_names(maple)
        assert len(seen) == 1, seen


def test_a_change_during_a_request_is_read_again(app, community):
    with app.test_request_context("/c/maple/"):
        g.community = maple = _maple()
        assert "repair_team" in enabled_plugin_names(maple)
        assert settings_for("qr_checkin", maple)["late_after_minutes"] == 5
        set_plugin_enabled(maple, "repair_team", False)
        save_settings("qr_checkin", {"late_after_minutes": 12}, maple)
        assert "repair_team" not in enabled_plugin_names(maple)
        assert settings_for("qr_checkin", maple)["late_after_minutes"] == 12


def test_outside_a_community_page_and_outside_a_request(app, community, other_community):
    with app.test_request_context("/"):
        maple = _maple()
        save_settings("qr_checkin", {"late_after_minutes": 7}, maple)
    with app.app_context():  # a command: no request, no page community
        maple = _maple()
        oak = db.session.scalar(select(Community).where(Community.slug == "oak"))
        assert settings_for("qr_checkin", maple)["late_after_minutes"] == 7
        assert settings_for("qr_checkin", oak)["late_after_minutes"] == 5
        assert "qr_checkin" in enabled_plugin_names(oak)
    with app.test_request_context("/c/oak/"):  # another community than the page's
        g.community = db.session.scalar(select(Community).where(Community.slug == "oak"))
        assert settings_for("qr_checkin", _maple())["late_after_minutes"] == 7
        assert settings_for("qr_checkin", g.community)["late_after_minutes"] == 5
