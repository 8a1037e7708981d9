"""One test per core hook, ``test_hook_<hook name>`` (``tests/test_hook_contracts.py`` checks that none is missing).

Each test exercises the hook the way the core really calls it: through a page, a service, the CLI or the event
dispatcher. The plugin under test is ``tests/plugins/sample_board`` (loaded through ``EXTRA_PLUGINS``) or a
throwaway plugin registered for one test with ``register_plugin``.
"""

import importlib
import logging
import re
import sys
import types
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from markupsafe import Markup
from sqlalchemy import func, inspect, select

from timebank import create_app, hookimpl
from timebank.clock import now
from timebank.communities.services import community_by_slug
from timebank.errors import ValidationFailed
from timebank.events import after_commit, commit
from timebank.extensions import db
from timebank.hooks import call_each, dispatch_event
from timebank.identity.models import User
from timebank.plugin_state import set_plugin_enabled
from timebank.ui import Asset, Card, NavItem, Panel, Snippet, TaskItem

HERE = Path(__file__).resolve().parent
SAMPLE = "sample_board"
BOARD_URL = "/c/maple/p/sample-board/"


@pytest.fixture
def app_config(request, monkeypatch):
    """The sample board, plus the throwaway plugin modules a test asks for with
    ``@pytest.mark.parametrize("app_config", [{"name": {attributes}}], indirect=True)``."""
    monkeypatch.syspath_prepend(str(HERE / "plugins"))
    extra = []
    for name, attributes in getattr(request, "param", {}).items():
        module = types.ModuleType(name)
        module.__dict__.update(attributes)
        monkeypatch.setitem(sys.modules, name, module)
        extra.append(name)
    return {"EXTRA_PLUGINS": ["sample_board.plugin", *extra]}


@pytest.fixture
def board(app):
    services = importlib.import_module("sample_board.services")
    with app.app_context():
        services.create_tables()
    return services


def switch(app, enabled, plugin=SAMPLE, slug="maple"):
    with app.app_context():
        set_plugin_enabled(community_by_slug(slug), plugin, enabled)


def user_named(username):
    return db.session.scalar(select(User).where(User.username == username))


def pin(app, board, text="Water off on Tuesday", username="maple.vol", slug="maple"):
    with app.app_context():
        return board.post_note(community_by_slug(slug), user_named(username), text).id


def journal(app, kind="events"):
    return app.extensions.get(SAMPLE, {}).get(kind, [])


# --- Setup hooks -----------------------------------------------------------------------------------------------


@hookimpl
def sample_board_note_badges(note):
    return ["urgent"] if "water" in note.text.lower() else []


@pytest.mark.parametrize("app_config", [{"badge_giver": {"sample_board_note_badges": sample_board_note_badges}}],
                         indirect=True)
def test_hook_timebank_addhooks(app, client, auth, community, board, register_plugin):
    pm = app.extensions["timebank"].pm
    # sample_board added its own hookspec before check_pending(), so badge_giver's implementation of it was
    # accepted at start-up (it would be "unknown hook" otherwise).
    assert pm.hook.sample_board_note_badges.spec is not None
    switch(app, True)
    pin(app, board, "Water off on Tuesday")
    pin(app, board, "Choir practice")
    auth.login("maple.vol")
    assert client.get(BOARD_URL).text.count('<span class="tag">urgent</span>') == 0  # badge_giver is off here
    switch(app, True, plugin="badge_giver")
    assert client.get(BOARD_URL).text.count('<span class="tag">urgent</span>') == 1

    # Historic: a plugin registered after start-up still receives the call and can add hookspecs.
    specs = types.ModuleType("late_specs")

    def late_question(value):
        """A hook added late."""

    specs.late_question = pluggy_spec(late_question)

    class Late:
        @hookimpl
        def timebank_addhooks(self, pluginmanager):
            pluginmanager.add_hookspecs(specs)

    register_plugin(Late(), "late")
    assert pm.hook.late_question.spec is not None


def pluggy_spec(function):
    import pluggy

    return pluggy.HookspecMarker("timebank")(function)


def test_hook_timebank_models(app, board):
    models = importlib.import_module("sample_board.models")
    system = app.extensions["timebank"]
    with app.app_context():
        declared = dict(call_each("timebank_models"))
    assert declared[SAMPLE] == [models.SampleBoardNote]
    assert system.plugin_for_module(models.SampleBoardNote.__module__).name == SAMPLE
    for plugin, classes in declared.items():
        if not system.plugins[plugin].is_core:
            assert all(model.__tablename__.startswith(plugin + "_") for model in classes)


@pytest.mark.database_independent
def test_hook_timebank_migration_dirs(tmp_path, monkeypatch):
    """The plugin's own Alembic branch is upgraded with the core by ``timebank db upgrade``."""
    monkeypatch.syspath_prepend(str(HERE / "plugins"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                      "LOAD_ENTRYPOINTS": False, "EXTRA_PLUGINS": ["sample_board.plugin"]})
    versions = HERE / "plugins" / "sample_board" / "migrations" / "versions"
    assert (SAMPLE, str(versions.resolve())) in app.extensions["timebank"].migration_dirs

    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        inspector = inspect(db.engine)
        columns = {column["name"] for column in inspector.get_columns("sample_board_note")}
        assert columns == {"id", "community_id", "author_id", "text", "created_at"}
        assert {key["referred_table"] for key in inspector.get_foreign_keys("sample_board_note")} == {
            "community", "user_account"}
        heads = set(db.session.scalars(db.text("SELECT version_num FROM alembic_version")))
        assert "0001sample_board" in heads and len(heads) >= 2  # the core's head and the plugin's
        db.session.remove()
        db.engine.dispose()


def test_hook_timebank_blueprints(app, client, auth, community, other_community, board):
    with app.test_request_context():
        from flask import url_for

        assert url_for("sample_board.index", community="maple") == BOARD_URL
    auth.login("maple.vol")
    assert client.get(BOARD_URL).status_code == 404  # off by default (PluginInfo.default_enabled=False)
    assert client.get(BOARD_URL + "about").status_code == 404  # even its public page
    switch(app, True)
    assert client.get(BOARD_URL).status_code == 200
    assert "Nothing pinned yet." in client.get(BOARD_URL).text
    auth.logout()
    assert client.get(BOARD_URL).status_code == 302  # members only: log in first
    assert "/login" in client.get(BOARD_URL).headers["Location"]
    assert client.get(BOARD_URL + "about").status_code == 200  # a view marked @public
    auth.login("oak.coord")
    assert client.get(BOARD_URL).status_code == 404  # not a member of maple


def test_hook_timebank_cli_commands(app, runner, community, board):
    help_text = runner.invoke(args=["sample-board", "--help"]).output
    assert "count" in help_text and "The sample notice board." in help_text
    assert runner.invoke(args=["sample-board", "count", "--community", "maple"]).exit_code == 1
    switch(app, True)
    pin(app, board)
    pin(app, board, "Second note")
    result = runner.invoke(args=["sample-board", "count", "--community", "maple"])
    assert result.exit_code == 0 and result.output.strip() == "2 notes on the board of maple"
    result = runner.invoke(args=["sample-board", "count", "--community", "atlantis"])
    assert result.exit_code == 1 and "No community with the short name 'atlantis'" in result.output


def test_hook_timebank_settings(app, client, auth, community, board):
    from timebank.settings import get_setting, setting_specs

    system = app.extensions["timebank"]
    spec = system.settings[(SAMPLE, "max_notes")]
    assert (spec.plugin, spec.scope, spec.default, spec.max) == (SAMPLE, "community", 20, 100)
    with app.app_context():
        assert [s.key for s in setting_specs(SAMPLE, "instance")] == ["sms_sender"]
        assert [s.key for s in setting_specs(SAMPLE, "community")] == ["max_notes", "greeting", "show_card"]
    # The plugin's services read the value: a board limited to one note refuses the second.
    auth.login("maple.admin")
    switch(app, True)
    client.post("/c/maple/admin/plugins/sample_board/settings", data={"max_notes": "1", "show_card": "y"})
    with app.app_context():
        assert get_setting(SAMPLE, "max_notes", community_by_slug("maple")) == 1
    client.post(BOARD_URL, data={"text": "first"})
    page = client.post(BOARD_URL, data={"text": "second"})
    assert "The board is full." in page.text and 'id="text-error"' in page.text
    assert 'href="/c/maple/admin/plugins/sample_board/settings"' in client.get("/c/maple/admin/plugins").text


def test_hook_timebank_permissions(app, community, board):
    from timebank.permissions import can, get_permission

    with app.app_context():
        permission = get_permission("sample_board.moderate")
        assert (permission.plugin, permission.default_role) == (SAMPLE, "coordinator")
        maple = community_by_slug("maple")
        assert [can(user_named(name), "sample_board.moderate", maple)
                for name in ("maple.res", "maple.vol", "maple.coord", "maple.admin")] == [False, False, True, True]


def test_hook_timebank_ledger_categories(app, community, board):
    from timebank.ledger.accounts import atomic
    from timebank.ledger.categories import ledger_category
    from timebank.ledger.models import ServiceRecord
    from timebank.ledger.records import record_service

    with app.app_context():
        category = ledger_category("sample_board.notice_delivery")
        assert category.plugin == SAMPLE and str(category.label) == "Delivering printed notices"
        assert category.counts_hours
        maple, volunteer = community_by_slug("maple"), user_named("maple.vol")
        end = now() - timedelta(hours=1)
        with atomic():  # the ledger accepts the plugin's category...
            record = record_service(maple, volunteer, category="sample_board.notice_delivery",
                                    activity_name="Notices for building 3", started_at=end - timedelta(minutes=60),
                                    ended_at=end)
        assert record.category == "sample_board.notice_delivery" and record.minutes > 0
        with pytest.raises(ValidationFailed) as raised, atomic():  # ...and refuses codes nobody declared
            record_service(maple, volunteer, category="sample_board.typo", activity_name="Typo",
                           started_at=end - timedelta(hours=3), ended_at=end - timedelta(hours=2))
        assert raised.value.field == "category"
        assert db.session.scalar(select(func.count(ServiceRecord.id))) == 1


@hookimpl
def locker_audit_actions():
    from timebank.audit.vocabulary import AuditAction, AuditDetail

    return [AuditAction("parcel_lockers.locker_opened", "opened a parcel locker", target="Locker", details=(
        AuditDetail("door", "Door", kind="number"), AuditDetail("minutes", kind="minutes"),
        AuditDetail("forced", "by force", kind="flag"), AuditDetail("courier", kind="user")))]


@pytest.mark.parametrize("app_config", [{"parcel_lockers": {"timebank_audit_actions": locker_audit_actions}}],
                         indirect=True)
def test_hook_timebank_audit_actions(app, client, auth, community, board):
    from timebank.audit.services import record_audit

    action = app.extensions["timebank"].audit_actions["parcel_lockers.locker_opened"]
    assert action.plugin == "parcel_lockers"
    assert app.extensions["timebank"].audit_actions["ledger.confirmed"].plugin == "core"
    with app.test_request_context():
        maple = community_by_slug("maple")
        record_audit("parcel_lockers.locker_opened", actor=user_named("maple.coord"), community=maple,
                     target=("parcel_lockers_locker", 12),
                     detail={"door": 3, "minutes": 95, "forced": True, "courier": community["volunteer"]})
        commit()
    auth.login("maple.admin")
    auth.use_language("en")
    switch(app, False, plugin="parcel_lockers")  # switched off here: its past entries still read in words
    page = client.get("/c/maple/admin/audit").text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "opened a parcel locker · Door: 3 · 1 h 35 min · by force · 陈志强" in text
    assert "Locker #12" in text and "王芳" in text
    assert 'data-action="parcel_lockers.locker_opened"' in page and "<code>parcel_lockers" not in page


@hookimpl
def failing_channels():
    from timebank.notifications.channels import NotificationChannel

    def deliver(notification, recipient, text):
        raise ConnectionError("SMS gateway down")

    return [NotificationChannel("broken_sms", "Broken SMS", deliver=deliver)]


@pytest.mark.parametrize("app_config", [{"failing_channel": {"timebank_notification_channels": failing_channels}}], indirect=True)
def test_hook_timebank_notification_channels(app, community, board, caplog):
    from timebank.i18n import N_
    from timebank.notifications.services import notify

    system = app.extensions["timebank"]
    assert system.notification_channels["sample_board_sms"].plugin == SAMPLE
    app.config["NOTIFICATION_CHANNELS"] = ["broken_sms", "sample_board_sms", "missing"]
    with app.app_context():
        volunteer = user_named("maple.vol")
        notify(volunteer, "sample_board.pinned", N_("A note for %(name)s"), community=community_by_slug("maple"),
               name="陈志强")
        assert journal(app, "sms") == []  # nothing leaves before the commit
        commit()
    assert journal(app, "sms") == [{"to": community["volunteer"], "sender": "TIMEBANK", "text": "A note for 陈志强"}]
    assert "notification channel broken_sms (plugin failing_channel) failed" in caplog.text
    assert "notification channel missing is configured but no plugin provides it" in caplog.text


def test_hook_timebank_startup(app, board):
    with app.test_request_context():
        from flask import render_template_string

        rendered = render_template_string("{{ text|sample_board_excerpt(10) }}", text="Water is off all Tuesday")
    assert rendered == "Water is…"
    assert app.jinja_env.filters["sample_board_excerpt"] is board.excerpt


# --- UI hooks --------------------------------------------------------------------------------------------------


class NavPlugin:
    def __init__(self, *items):
        self.items = list(items)

    @hookimpl
    def timebank_nav_items(self, user, community):
        return list(self.items)


def side_nav(html):
    return re.search(r'<nav class="side-nav".*?</nav>', html, re.S).group(0)


def test_hook_timebank_nav_items(app, client, auth, community, board, register_plugin):
    switch(app, True)
    # Same order as the board's item (40): ties are broken by plugin name, never by registration order.
    register_plugin(NavPlugin(NavItem("Zeta service", "home.tasks", order=40)), "zeta")
    register_plugin(NavPlugin(NavItem("Alpha service", "home.tasks", order=40),
                              NavItem("My profile", "communities.member", order=5,
                                      url_kwargs={"user_id": community["volunteer"]}, badge=3)), "alpha")
    auth.login("maple.vol")
    nav = side_nav(client.get("/c/maple/").text)
    positions = [nav.index(label) for label in ("My profile", "Alpha service", "Notice board", "Zeta service")]
    assert positions == sorted(positions)
    assert f'href="/c/maple/members/{community["volunteer"]}"' in nav
    assert '<span class="badge">3</span>' in nav
    switch(app, False, plugin="alpha")
    nav = side_nav(client.get("/c/maple/").text)
    assert "Alpha service" not in nav and "My profile" not in nav and "Zeta service" in nav


class CardPlugin:
    @hookimpl
    def timebank_dashboard_cards(self, user, community):
        return [Card(title="Elder card", template="sample_board/panel.html", context={"count": 7}, elder=True,
                     order=1)]


def test_hook_timebank_dashboard_cards(app, client, auth, community, board, register_plugin):
    switch(app, True)
    pin(app, board)
    register_plugin(CardPlugin(), "elder_cards")
    auth.login("maple.vol")
    home = client.get("/c/maple/").text
    assert "On the notice board" in home and "1 notes pinned" in home  # title and context from the plugin
    assert home.index("Elder card") < home.index("On the notice board")  # order 1 before order 30
    assert re.search(r'<section class="card card-full"[^>]*>\s*<h2[^>]*>On the notice board</h2>', home)
    with app.app_context():
        user_named("maple.vol").elder_mode = True
        db.session.commit()
    elder_home = client.get("/c/maple/").text
    assert "Elder card" in elder_home and "7 notes pinned" in elder_home
    assert "On the notice board" not in elder_home  # not marked elder=True: left off the simple home screen


class PanelWitness:
    def __init__(self):
        self.calls = []

    @hookimpl
    def timebank_profile_panels(self, profile_user, viewer, community):
        self.calls.append((profile_user.username, viewer.username, community.slug))
        return [Panel(title="Witness panel", template="sample_board/panel.html", context={"count": 0})]


def test_hook_timebank_profile_panels(app, client, auth, community, board, register_plugin):
    switch(app, True)
    pin(app, board)
    pin(app, board, "Another", username="maple.res")
    witness = register_plugin(PanelWitness(), "witness")
    auth.login("maple.coord")
    page = client.get(f"/c/maple/members/{community['volunteer']}").text
    assert "Notes pinned" in page and "1 notes pinned by this member" in page
    assert "Witness panel" in page
    assert witness.calls == [("maple.vol", "maple.coord", "maple")]


class TaskPlugin:
    @hookimpl
    def timebank_tasks(self, user, community):
        return [TaskItem(label="Deliver meals", endpoint="home.dashboard", count=5, urgent=True, order=1,
                         detail="Before 11:30")]


def tasks_badge(html):
    tab = re.search(r'<a href="/c/maple/tasks"[^>]*>.*?</a>', html, re.S).group(0)
    badge = re.search(r'<span class="badge">(\d+)</span>', tab)
    return int(badge.group(1)) if badge else 0


def test_hook_timebank_tasks(app, client, auth, community, board, register_plugin):
    auth.login("maple.vol")
    before = tasks_badge(client.get("/c/maple/").text)
    switch(app, True)
    pin(app, board)
    pin(app, board, "Second")
    page = client.get("/c/maple/tasks").text
    assert "Read the notice board" in page and f'href="{BOARD_URL}"' in page
    assert tasks_badge(page) == before + 2
    register_plugin(TaskPlugin(), "meals")
    page = client.get("/c/maple/tasks").text
    assert tasks_badge(page) == before + 7
    assert page.index("Deliver meals") < page.index("Read the notice board")
    assert "Before 11:30" in page


class SlotPlugin:
    def __init__(self, result, slot="home_top"):
        self.result, self.slot = result, slot
        self.contexts = []

    @hookimpl
    def timebank_template_slot(self, slot, context):
        if slot != self.slot:
            return None
        self.contexts.append(dict(context))
        return self.result


def test_hook_timebank_template_slot(app, client, auth, community, board, register_plugin):
    register_plugin(SlotPlugin(Markup('<b class="from-b">bold</b>')), "b_markup")
    register_plugin(SlotPlugin('<i class="from-a">plain</i>'), "a_text")
    register_plugin(SlotPlugin(Snippet('<u class="from-z">first</u>', order=10)), "z_snippet")
    register_plugin(SlotPlugin(Snippet("<s>quoted</s>", markup=False)), "c_escaped_snippet")
    profile = register_plugin(SlotPlugin(Markup('<p class="from-profile">hi</p>'), slot="profile_bottom"), "p")
    auth.login("maple.vol")
    home = client.get("/c/maple/").text
    assert '<b class="from-b">bold</b>' in home  # Markup: inserted as is
    assert "&lt;i class=&#34;from-a&#34;&gt;plain&lt;/i&gt;" in home and '<i class="from-a">' not in home  # str
    assert "&lt;s&gt;quoted&lt;/s&gt;" in home  # Snippet(markup=False): escaped
    # Order: (order, plugin): z_snippet (10), then a_text, b_markup, c_escaped_snippet (50 each, by name).
    positions = [home.index(text) for text in ("from-z", "from-a", "from-b", "quoted")]
    assert positions == sorted(positions)

    page = client.get(f"/c/maple/members/{community['volunteer']}").text
    assert '<p class="from-profile">hi</p>' in page
    context = profile.contexts[-1]
    assert context["profile_user"].id == community["volunteer"] and context["community"].slug == "maple"
    assert context["user"].id == community["volunteer"]  # the user itself, usable after the request

    switch(app, False, plugin="b_markup")
    assert "from-b" not in client.get("/c/maple/").text

    with app.test_request_context():
        from flask import render_template_string

        with pytest.raises(KeyError, match="unknown template slot 'home_tpo'"):
            render_template_string("{{ slot('home_tpo') }}")


class AssetPlugin:
    def __init__(self):
        self.communities = []

    @hookimpl
    def timebank_asset_urls(self, community):
        self.communities.append(getattr(community, "slug", None))
        return [Asset("/static/sample.css"), Asset("/static/sample.js", kind="js", module=True)]


def test_hook_timebank_asset_urls(app, client, auth, community, board, register_plugin):
    assets = register_plugin(AssetPlugin(), "assets")
    auth.login("maple.vol")
    page = client.get("/c/maple/").text
    assert '<link rel="stylesheet" href="/static/sample.css">' in page
    assert '<script src="/static/sample.js" defer type="module"></script>' in page
    assert assets.communities and set(assets.communities) == {"maple"}
    # Outside a community only the core is asked: an optional plugin has no community to be switched on in.
    assets.communities.clear()
    assert "/static/sample.css" not in client.get("/account").text
    assert assets.communities == []
    switch(app, False, plugin="assets")
    assert "/static/sample.css" not in client.get("/c/maple/").text


# --- Identity and permissions ----------------------------------------------------------------------------------


class PinLogin:
    """Elders log in with a four-digit PIN; ``maple.res`` is refused outright (e.g. a lost phone)."""

    @hookimpl
    def timebank_authenticate(self, username, password):
        if username == "maple.res":
            return False
        if username == "maple.vol" and password == "1234":
            return user_named(username)
        return None


def test_hook_timebank_authenticate(app, client, auth, community, register_plugin):
    def logged_in():
        return client.get("/c/maple/me").status_code == 200

    register_plugin(PinLogin(), "pin_login")
    response = auth.login("MAPLE.VOL ", "1234")  # the plugin gets the normalised username
    assert response.status_code == 302 and logged_in()  # the plugin answered before the built-in check
    auth.logout()

    response = auth.login("maple.res")  # the right password, but the plugin said False: refused
    assert response.status_code == 200 and 'role="alert"' in response.text
    assert not logged_in()

    assert auth.login("maple.coord").status_code == 302 and logged_in()  # None: the built-in check decides
    auth.logout()
    assert auth.login("maple.coord", "1234").status_code == 200  # a PIN is not a password for others


class Voter:
    def __init__(self, vote):
        self.vote = vote
        self.asked = []

    @hookimpl
    def timebank_permission_allowed(self, user, permission, community, resource):
        if not permission.startswith("sample_board."):
            return None
        self.asked.append((user.username, permission, getattr(community, "slug", None), resource))
        return self.vote


def test_hook_timebank_permission_allowed(app, community, board, register_plugin):
    """The veto rule itself is tested in test_plugins.py; here: what a voter is asked, and when."""
    from timebank.permissions import can

    granter = register_plugin(Voter(True), "granter")
    with app.app_context():
        maple, resident = community_by_slug("maple"), user_named("maple.res")
        assert can(resident, "sample_board.moderate", maple, resource="note 7")
        assert granter.asked == [("maple.res", "sample_board.moderate", "maple", "note 7")]
        # District-wide questions (no community): optional plugins have no say.
        assert not can(resident, "sample_board.moderate", None)
        assert len(granter.asked) == 1
    switch(app, False, plugin="granter")
    with app.app_context():
        assert not can(user_named("maple.res"), "sample_board.moderate", community_by_slug("maple"))
    assert len(granter.asked) == 1


def test_hook_timebank_member_joined(app, community, board, register_plugin, caplog):
    from timebank.communities.joining import create_member_account

    class Broken:
        @hookimpl
        def timebank_member_joined(self, user):
            raise RuntimeError("welcome SMS failed")

    register_plugin(Broken(), "broken_welcome")
    switch(app, True)
    with app.app_context():
        maple, coordinator = community_by_slug("maple"), user_named("maple.coord")
        membership = create_member_account(maple, coordinator, "wang.nainai", "王奶奶")
        assert membership.user.username == "wang.nainai"  # committed despite the failing listener
    events = journal(app)
    assert [name for name, _details in events] == ["member_joined"]
    assert events[0][1]["community"] == "maple" and events[0][1]["role"] == "resident"
    assert "plugin broken_welcome failed while handling timebank_member_joined" in caplog.text
    assert "welcome SMS failed" in caplog.text

    with app.app_context(), pytest.raises(ValidationFailed):  # a rolled-back membership announces nothing
        create_member_account(community_by_slug("maple"), user_named("maple.coord"), "wang.nainai", "重名")
    assert len(journal(app)) == 1


# --- Ledger events ---------------------------------------------------------------------------------------------


class MinutesCap:
    def __init__(self, limit):
        self.limit = limit
        self.drafts = []

    @hookimpl
    def timebank_validate_credit(self, draft, community):
        self.drafts.append((draft.category, draft.minutes, community.slug))
        if draft.minutes > self.limit:
            return [f"At most {self.limit} minutes per delivery."]
        return []


def test_hook_timebank_validate_credit(app, community, board, register_plugin):
    from timebank.ledger.accounts import LedgerRejected, atomic
    from timebank.ledger.models import ServiceRecord
    from timebank.ledger.records import record_service

    cap = register_plugin(MinutesCap(60), "meal_cap")

    def record(minutes_long, hours_ago):
        finish = now() - timedelta(days=1, hours=hours_ago)
        with atomic():
            return record_service(community_by_slug("maple"), user_named("maple.vol"), category="ledger.other",
                                  activity_name="Meal delivery", started_at=finish - timedelta(minutes=minutes_long),
                                  ended_at=finish)

    with app.app_context():
        with pytest.raises(LedgerRejected, match="At most 60 minutes per delivery."):
            record(90, 0)
        assert db.session.scalar(select(func.count(ServiceRecord.id))) == 0  # refused: nothing written
        assert record(60, 3).minutes == 60
        assert [(category, slug) for category, _m, slug in cap.drafts] == [("ledger.other", "maple")] * 2
    switch(app, False, plugin="meal_cap")  # switched off in maple: not asked any more
    with app.app_context():
        assert record(90, 6).minutes == 90
    assert len(cap.drafts) == 2


def test_hook_timebank_validate_credit_reasons_stay_untranslated_for_later_readers(app, community, register_plugin):
    """Reasons given as lazy messages (``_l``) refuse the record in the refused person's language, and are kept
    untranslated (joined) for a reason stored on a row, read later in another language."""
    from flask_babel import force_locale

    from timebank.i18n import _l
    from timebank.ledger.accounts import LedgerRejected, atomic
    from timebank.ledger.records import record_service
    from timebank.stored_text import shown_text, stored_reason

    class Rule:
        def __init__(self, reason):
            self.reason = reason

        @hookimpl
        def timebank_validate_credit(self, draft, community):
            return [self.reason]

    register_plugin(Rule(_l("The service must last more than zero minutes.")), "first_rule")
    register_plugin(Rule(_l("These hours have already been recorded.")), "second_rule")
    with app.test_request_context(), force_locale("en"), pytest.raises(LedgerRejected) as refused:
        finish = now() - timedelta(days=1)
        with atomic():
            record_service(community_by_slug("maple"), user_named("maple.vol"), category="ledger.other",
                           activity_name="Meal delivery", started_at=finish - timedelta(hours=1), ended_at=finish)
    assert refused.value.message == ("These hours have already been recorded.; The service must last more than "
                                     "zero minutes.")  # (pluggy asks the plugin registered last first)
    with app.test_request_context():
        stored = stored_reason(refused.value, 200)
        with force_locale("zh_CN"):
            assert shown_text(stored) == "这些时长已经记录过了。；服务时长必须大于0分钟。"


def listener(hook_name, fail=False):
    """A throwaway plugin with one implementation of an event hook; ``.calls`` records what it received."""
    plugin = types.SimpleNamespace(calls=[])

    def handle(entry, community):
        plugin.calls.append((entry, community.slug))
        if fail:
            raise RuntimeError("listener exploded")

    setattr(plugin, hook_name, hookimpl(handle))
    return plugin


class FlushFailure:
    """A listener whose own write fails at flush: the next listener must still get a usable session."""

    @hookimpl
    def timebank_hours_confirmed(self, entry, community):
        db.session.add(User(username=None, display_name="broken", created_at=now()))
        db.session.flush()


class Writer:
    """A listener that writes (and commits) its own row."""

    @hookimpl
    def timebank_hours_confirmed(self, entry, community):
        from timebank.audit.services import record_audit

        record_audit("writer.saw_entry", community=community, target=("entry", entry.id))
        db.session.commit()


def test_hook_timebank_hours_confirmed(app, community, board, register_plugin, caplog):
    from timebank.audit.models import AuditEvent

    switch(app, True)
    register_plugin(listener("timebank_hours_confirmed", fail=True), "a_failing")
    register_plugin(FlushFailure(), "b_flush_failure")
    register_plugin(Writer(), "c_writer")
    working = register_plugin(listener("timebank_hours_confirmed"), "d_working")
    entry = SimpleNamespace(id=41, minutes=90, category="sample_board.notice_delivery")
    with app.app_context():
        maple = community_by_slug("maple")
        after_commit(lambda: dispatch_event("timebank_hours_confirmed", maple, entry=entry))
        assert working.calls == []  # queued until the transaction commits
        commit()
        assert working.calls == [(entry, "maple")]  # still ran after two failures
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "writer.saw_entry")) == 1
    assert [name for name, _details in journal(app)] == ["hours_confirmed"]
    assert journal(app)[0][1]["entry"] is entry
    assert "plugin a_failing failed while handling timebank_hours_confirmed" in caplog.text
    assert "plugin b_flush_failure failed while handling timebank_hours_confirmed" in caplog.text

    with app.app_context():  # a rolled-back transaction fires nothing
        maple = community_by_slug("maple")  # (begins the transaction)
        after_commit(lambda: dispatch_event("timebank_hours_confirmed", maple, entry=entry))
        db.session.rollback()
        commit()
    assert len(working.calls) == 1


def test_hook_timebank_hours_reversed(app, community, other_community, board, register_plugin):
    register_plugin(listener("timebank_hours_reversed"), "auditor")
    switch(app, True)  # on in maple only
    entry, reversal = SimpleNamespace(id=1, minutes=120), SimpleNamespace(id=2, minutes=90, reason="typo")
    with app.app_context():
        for slug in ("maple", "oak"):
            community_obj = community_by_slug(slug)
            after_commit(lambda c=community_obj: dispatch_event("timebank_hours_reversed", c, entry=entry,
                                                                reversal=reversal))
        commit()
    events = journal(app)
    assert [(name, details["community"]) for name, details in events] == [("hours_reversed", "maple")]
    assert events[0][1]["entry"] is entry and events[0][1]["reversal"] is reversal


def test_dispatch_event_logs_with_the_plugin_name(app, community, register_plugin, caplog):
    register_plugin(listener("timebank_hours_confirmed", fail=True), "noisy")
    caplog.set_level(logging.ERROR, logger="timebank.hooks")
    with app.app_context():
        dispatch_event("timebank_hours_confirmed", community_by_slug("maple"), entry=SimpleNamespace(id=1))
    # bundled plugins' listeners may fail on the fake entry too: each failure is logged on its own
    record = next(r for r in caplog.records if r.name == "timebank.hooks" and "noisy" in r.getMessage())
    assert record.getMessage() == "plugin noisy failed while handling timebank_hours_confirmed"
    assert record.exc_info[0] is RuntimeError


def test_events_wait_for_the_outer_commit_and_vanish_with_a_rolled_back_savepoint(app, community, register_plugin):
    from timebank.audit.services import record_audit

    working = register_plugin(listener("timebank_hours_confirmed"), "working")

    def queue(community_obj, entry_id):
        after_commit(lambda: dispatch_event("timebank_hours_confirmed", community_obj, entry=entry_id))

    with app.app_context():
        maple = community_by_slug("maple")
        queue(maple, "before the savepoint")
        with db.session.begin_nested():  # released: its work waits for the real commit
            record_audit("test.savepoint", community=maple)
            queue(maple, "inside a released savepoint")
        try:
            with db.session.begin_nested():
                queue(maple, "inside a failed savepoint")
                raise ValueError("give up on this part")
        except ValueError:
            pass
        assert working.calls == []
        commit()
        assert [entry for entry, _slug in working.calls] == ["before the savepoint", "inside a released savepoint"]

        working.calls.clear()
        maple = community_by_slug("maple")
        with db.session.begin_nested():
            queue(maple, "released, but the outer transaction rolls back")
        db.session.rollback()
        commit()
        assert working.calls == []


def test_hook_timebank_demo_data(app, runner, register_plugin, monkeypatch):
    """``timebank demo`` asks every plugin on in the demo community for its demo data, after the core's."""
    import timebank.ledger.demo

    monkeypatch.setattr(timebank.ledger.demo, "load_demo_ledger", lambda community, users: None)  # a year: slow
    app.config["DEMO_MODE"] = True
    received = []

    class DemoPlugin:
        @hookimpl
        def timebank_demo_data(self, community, users):
            received.append((community.slug, sorted(users)))

    register_plugin(DemoPlugin(), "demo_plugin")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert received == [("xingfuli", ["admin", "coordinator", "elder", "resident", "volunteer"])]
    with app.app_context():
        from timebank_plugins.qr_checkin.models import DutyPost

        names = set(db.session.scalars(db.select(DutyPost.name)))
    assert "北门岗亭" in names  # the bundled plugin's own demo data came through the same hook
