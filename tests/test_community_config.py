"""The plugin switches and the stored settings of a page are read in one statement (``timebank.community_config``),
kept by the worker while the community's ``config_version`` holds, and a change made during a request is read again
by the rest of that request."""

from flask import g
from sqlalchemy import select, update

from timebank.communities.models import Community
from timebank.extensions import db
from timebank.plugin_state import enabled_plugin_names, set_plugin_enabled
from timebank.settings import save_settings, settings_for
from timebank.testing import statements_during


def _maple():
    return db.session.scalar(select(Community).where(Community.slug == "maple"))


def _config_reads(statements):
    return [s for s in statements if "community_plugin" in s or "plugin_setting" in s]


def test_a_page_reads_the_switches_and_the_settings_in_one_statement_and_the_worker_keeps_them(app, client, community,
                                                                                                auth):
    auth.login("maple.vol")
    app.extensions.pop("timebank_config", None)  # a worker's first page in the community
    config = _config_reads(statements_during(lambda: client.get("/c/maple/hours/"), app))
    assert len(config) == 1, config
    assert "community_plugin" in config[0] and "plugin_setting" in config[0]
    assert _config_reads(statements_during(lambda: client.get("/c/maple/hours/"), app)) == []  # kept: no statement


def test_every_worker_reads_a_change_again_on_its_next_page(app, client, community, auth):
    """Another worker (here: another request) changes a switch or a setting: the version read with the community
    has changed, so this worker's next page reads the configuration again and shows the change."""
    auth.login("maple.coord")
    assert client.get("/c/maple/p/repair-team/").status_code == 200
    with app.test_request_context("/"):
        set_plugin_enabled(_maple(), "repair_team", False)
    seen = statements_during(lambda: client.get("/c/maple/p/repair-team/"), app)
    assert len(_config_reads(seen)) == 1
    assert client.get("/c/maple/p/repair-team/").status_code == 404
    with app.test_request_context("/"):
        set_plugin_enabled(_maple(), "repair_team", True)
    assert client.get("/c/maple/p/repair-team/").status_code == 200


def test_any_orm_change_of_a_switch_or_a_setting_changes_the_version(app, community, other_community):
    """Not only the services: a row the ORM inserts, updates or deletes (a fixture, a command, a plugin's own
    code). An instance setting changes every community's version, a community's setting or switch only its own."""
    from timebank.clock import now
    from timebank.plugin_state import CommunityPlugin
    from timebank.settings import PluginSetting

    def versions():
        db.session.expire_all()
        return {c.slug: c.config_version for c in db.session.scalars(select(Community))}

    def change(make_the_change, changed):
        before = versions()
        make_the_change()
        db.session.commit()
        after = versions()
        assert {slug for slug in after if after[slug] != before[slug]} == changed

    with app.app_context():
        maple_id = _maple().id
        start = versions()
        assert 0 not in start.values() and len(set(start.values())) == 2  # a new community starts at a random one
        change(lambda: db.session.add(PluginSetting(plugin_name="qr_checkin", scope_key=f"community:{maple_id}",
                                                    community_id=maple_id, key="late_after_minutes",
                                                    value_json="8")), {"maple"})
        change(lambda: db.session.add(PluginSetting(plugin_name="qr_checkin", scope_key="instance", community_id=None,
                                                    key="checkin_early_minutes", value_json="25")), {"maple", "oak"})
        change(lambda: db.session.add(CommunityPlugin(community_id=maple_id, plugin_name="repair_team",
                                                      enabled=False, changed_at=now())), {"maple"})
        change(lambda: setattr(db.session.get(CommunityPlugin, (maple_id, "repair_team")), "enabled", True),
               {"maple"})
        change(lambda: db.session.delete(db.session.get(CommunityPlugin, (maple_id, "repair_team"))), {"maple"})
        change(lambda: _maple().__setattr__("name", "枫林"), set())  # the community's own fields: no new version


def test_a_restored_backup_cannot_bring_back_a_version_a_worker_keeps(app, client, community, auth):
    """The version is a random value, not a count: a worker that kept the configuration after a change must not
    take it for the configuration of a restored backup changed once (a count would be back at the same number)."""
    from sqlalchemy import delete

    from timebank.plugin_state import CommunityPlugin

    auth.login("maple.coord")
    with app.app_context():
        before = _maple().config_version
    with app.test_request_context("/"):
        set_plugin_enabled(_maple(), "repair_team", False)
    assert client.get("/c/maple/p/repair-team/").status_code == 404  # kept: the plugin off
    with app.app_context():  # the backup from before the change comes back (restored, not through the ORM)
        db.session.execute(delete(CommunityPlugin))
        db.session.execute(update(Community).where(Community.slug == "maple").values(config_version=before))
        db.session.commit()
    with app.test_request_context("/"):
        save_settings("qr_checkin", {"late_after_minutes": 9}, _maple())  # one change after the restore
    assert client.get("/c/maple/p/repair-team/").status_code == 200  # the plugin is on again


def test_what_a_worker_keeps_for_one_community_never_answers_for_another(app, client, community, other_community,
                                                                         auth):
    with app.test_request_context("/"):
        set_plugin_enabled(_maple(), "repair_team", False)
    auth.login("maple.coord")
    assert client.get("/c/maple/p/repair-team/").status_code == 404
    auth.login("oak.coord")
    assert client.get("/c/oak/p/repair-team/").status_code == 200
    auth.login("maple.coord")
    assert client.get("/c/maple/p/repair-team/").status_code == 404
    with app.app_context():
        assert set(app.extensions["timebank_config"]) == set(db.session.scalars(select(Community.id)))  # both kept
    with app.test_request_context("/c/oak/"):
        g.community = oak = db.session.scalar(select(Community).where(Community.slug == "oak"))
        assert "repair_team" in enabled_plugin_names(oak) and "repair_team" not in enabled_plugin_names(_maple())


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
