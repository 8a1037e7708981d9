"""The ``timebank`` command line: communities, district admins, plugins, the demo and database upgrades."""

import types

import pytest
from sqlalchemy import func, inspect, select

from timebank.communities.models import Community, Membership, Team
from timebank.extensions import db
from timebank.i18n import _ as gettext
from timebank.identity.models import User


def _counts(app):
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _message(app, msgid, **params):
    """A message as the command line shows it: in the installation's default language."""
    with app.app_context():
        return gettext(msgid, **params)


def _community(app, slug):
    with app.app_context():
        row = db.session.scalar(select(Community).where(Community.slug == slug))
        db.session.expunge_all()
        return row


# --- create-community ------------------------------------------------------------------------------------------


def test_create_community(runner, app):
    result = runner.invoke(args=["create-community", "elm-court", "榆树社区"])
    assert result.exit_code == 0, result.output
    assert "Community elm-court created: /c/elm-court/" in result.output
    row = _community(app, "elm-court")
    assert row.name == "榆树社区" and row.timezone == "Asia/Shanghai" and row.self_registration is True
    assert app.test_client().get("/c/elm-court/join").status_code == 200


def test_create_closed_community_in_another_time_zone(runner, app):
    result = runner.invoke(args=["create-community", "elm", "榆树社区", "--timezone", "Asia/Urumqi", "--closed"])
    assert result.exit_code == 0, result.output
    row = _community(app, "elm")
    assert row.timezone == "Asia/Urumqi" and row.self_registration is False


@pytest.mark.parametrize("args, message", [
    (["create-community", "Bad_Slug", "x"],
     "Use 2–40 lower-case letters, digits and single hyphens, not at the start or end."),
    (["create-community", "maple", "又一个枫林"], "This short name is already taken."),
    (["create-community", "elm", "榆树社区", "--timezone", "Mars/Base"], "Unknown time zone."),
    (["create-community", "elm", "   "], "Enter a name."),
])
def test_create_community_errors(runner, app, community, args, message):
    before = _counts(app)
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert result.output == f"Error: {_message(app, message)}\n"
    assert "Traceback" not in result.output
    assert _counts(app) == before


def test_create_community_needs_arguments(runner, app):
    result = runner.invoke(args=["create-community"])
    assert result.exit_code == 2
    assert "Missing argument" in result.output


# --- create-admin ----------------------------------------------------------------------------------------------


def test_create_admin(runner, app, community):
    result = runner.invoke(args=["create-admin", "--username", "Boss", "--name", "区管理员",
                                 "--password", "strong-pass-123"])
    assert result.exit_code == 0, result.output
    assert "District admin boss created." in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "boss"))
        assert user.is_district_admin and user.display_name == "区管理员"
    client = app.test_client()
    assert client.post("/login", data={"username": "boss", "password": "strong-pass-123"}).status_code == 302
    assert client.get("/district/").status_code == 200
    assert client.get("/c/maple/admin/").status_code == 200


def test_create_admin_prompts_for_missing_values(runner, app):
    result = runner.invoke(args=["create-admin"], input="boss\n区管理员\nstrong-pass-123\nstrong-pass-123\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.is_district_admin).where(User.username == "boss"))


def test_create_admin_password_from_the_environment(runner, app):
    result = runner.invoke(args=["create-admin", "--username", "boss", "--name", "区管理员"],
                           env={"TIMEBANK_ADMIN_PASSWORD": "env-pass-123"})
    assert result.exit_code == 0, result.output
    assert app.test_client().post("/login", data={"username": "boss", "password": "env-pass-123"}
                                  ).status_code == 302


@pytest.mark.parametrize("username, password, message, params", [
    ("boss", "short1", "Use at least %(n)d characters.", {"n": 8}),
    ("boss", "lettersonly", "Use both letters and digits.", {}),
    ("boss", "boss-2024-ok", "The password must not contain the username.", {}),
    ("maple.vol", "strong-pass-123", "This username is already taken. Choose another one.", {}),
    ("x", "strong-pass-123", "Use 3–40 characters: lower-case letters, digits, dot, dash or underscore, starting "
                             "with a letter or digit.", {}),
])
def test_create_admin_errors(runner, app, community, username, password, message, params):
    before = _counts(app)
    result = runner.invoke(args=["create-admin", "--username", username, "--name", "区管理员",
                                 "--password", password])
    assert result.exit_code == 1
    assert result.output == f"Error: {_message(app, message, **params)}\n"
    assert _counts(app) == before


# --- plugins ---------------------------------------------------------------------------------------------------


@pytest.fixture
def extra_plugin(register_plugin):
    register_plugin(types.SimpleNamespace(__name__="cli_test_plugin"), "cli_test_plugin")
    return "cli_test_plugin"


def test_plugins_list(runner, app, community):
    result = runner.invoke(args=["plugins", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    core = [line for line in lines if line.startswith("core\t")]
    assert core and core[0].split("\t")[2:] == ["core", "always on"]
    names = [line.split("\t")[0] for line in lines]
    assert names == list(app.extensions["timebank"].plugins)


def test_plugins_enable_and_disable(runner, app, community, other_community, extra_plugin):
    result = runner.invoke(args=["plugins", "list"])
    assert f"{extra_plugin}\t-\textra\ton in: maple, oak" in result.output
    result = runner.invoke(args=["plugins", "disable", extra_plugin, "--community", "oak"])
    assert result.exit_code == 0, result.output
    assert f"{extra_plugin} is off in oak." in result.output
    assert f"{extra_plugin}\t-\textra\ton in: maple\n" in runner.invoke(args=["plugins", "list"]).output
    runner.invoke(args=["plugins", "disable", extra_plugin, "--community", "maple"])
    assert f"{extra_plugin}\t-\textra\ton in: (none)" in runner.invoke(args=["plugins", "list"]).output
    result = runner.invoke(args=["plugins", "enable", extra_plugin, "--community", "oak"])
    assert result.exit_code == 0 and f"{extra_plugin} is on in oak." in result.output
    assert f"{extra_plugin}\t-\textra\ton in: oak\n" in runner.invoke(args=["plugins", "list"]).output


@pytest.mark.parametrize("args, message", [
    (["plugins", "enable", "no_such_plugin", "--community", "maple"], "No optional plugin named 'no_such_plugin'"),
    (["plugins", "enable", "core", "--community", "maple"], "No optional plugin named 'core'"),
    (["plugins", "enable", "cli_test_plugin", "--community", "nowhere"], "No community with the short name"),
    (["plugins", "enable", "cli_test_plugin", "--community", "Bad Slug"], "No community with the short name"),
])
def test_plugins_switch_errors(runner, app, community, extra_plugin, args, message):
    before = _counts(app)
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert message in result.output
    assert _counts(app) == before


def test_plugins_switch_needs_a_community(runner, app, community, extra_plugin):
    result = runner.invoke(args=["plugins", "enable", extra_plugin])
    assert result.exit_code == 2


# --- demo ------------------------------------------------------------------------------------------------------


def test_demo_refuses_without_demo_mode(runner, app):
    before = _counts(app)
    for args in (["demo"], ["demo", "--if-empty"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert "only loaded in demo mode" in result.output
    assert _counts(app) == before


class TestDemoMode:
    @pytest.fixture
    def app_config(self):
        return {"DEMO_MODE": True}

    @pytest.mark.slow  # the demo's year of ledger entries takes many seconds to load
    def test_demo_loads_once(self, runner, app):
        """One test, because loading the demo (a year of service records) takes a while."""
        from datetime import UTC, datetime

        from timebank.clock import set_clock

        def tests_clock():
            return datetime.now(UTC)

        set_clock(app, tests_clock)
        result = runner.invoke(args=["demo", "--if-empty"])
        assert result.exit_code == 0, result.output
        # Demos write history by moving the clock; afterwards the clock the app had comes back (a test's, here).
        assert app.extensions["timebank"].clock is tests_clock
        assert "Demo community loaded." in result.output
        with app.app_context():
            community = db.session.scalar(select(Community).where(Community.slug == "xingfuli"))
            assert community.name == "幸福里社区"
            numbers = dict(db.session.execute(
                select(User.username, Membership.volunteer_number).join(Membership, Membership.user_id == User.id)
            ).all())
            assert {name: numbers[name] for name in ("admin", "coordinator", "volunteer", "resident", "elder",
                                                      "zhang.ayi")} == {
                "admin": "V00001", "coordinator": "V00002", "volunteer": "V00003", "resident": None, "elder": None,
                "zhang.ayi": None}
            assert db.session.scalar(select(func.count(Team.id))) >= 2
        # A second run changes nothing.
        before = _counts(app)
        assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 1 and "already holds communities" in result.output
        assert _counts(app) == before
        # The demo accounts work.
        client = app.test_client()
        assert client.post("/login", data={"username": "coordinator", "password": "demo-password"}
                           ).status_code == 302
        assert "张阿姨" in client.get("/c/xingfuli/admin/registrations").get_data(as_text=True)
        elder = app.test_client()
        elder.post("/login", data={"username": "elder", "password": "demo-password"})
        assert '<body class="elder' in elder.get("/c/xingfuli/").get_data(as_text=True)

    def test_login_page_shows_the_demo_accounts(self, client):
        assert "demo-password" in client.get("/login").get_data(as_text=True)

    def test_demo_runs_only_on_an_empty_database(self, runner, app, community):
        before = _counts(app)
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 1
        assert "already holds communities" in result.output
        result = runner.invoke(args=["demo", "--if-empty"])
        assert result.exit_code == 0
        assert "demo data not loaded" in result.output
        assert _counts(app) == before


def test_login_page_hides_the_demo_accounts_outside_demo_mode(client):
    assert "demo-password" not in client.get("/login").get_data(as_text=True)


# --- db upgrade ------------------------------------------------------------------------------------------------


class TestDatabaseUpgrade:
    @pytest.fixture
    def app_config(self, tmp_path):
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}

    def test_db_upgrade_builds_the_schema(self, runner, app):
        with app.app_context():
            assert inspect(db.engine).get_table_names() == []
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "Database is at: heads" in result.output
        with app.app_context():
            tables = set(inspect(db.engine).get_table_names())
            db.engine.dispose()
        assert {"alembic_version", "user_account", "community", "membership", "audit_event",
                "notification"} <= tables
        # Idempotent, and the app works on the migrated database.
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert runner.invoke(args=["create-community", "elm", "榆树社区"]).exit_code == 0
        assert app.test_client().get("/c/elm/join").status_code == 200

    def test_db_group_has_the_usual_commands(self, runner):
        result = runner.invoke(args=["db", "--help"])
        assert result.exit_code == 0
        for command in ("upgrade", "downgrade", "current", "history", "migrate"):
            assert command in result.output
