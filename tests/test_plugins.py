"""The plugin system: discovery, start-up checks, per-community switches, settings and permissions.

Most tests load the throwaway plugin ``tests/plugins/sample_board`` through ``EXTRA_PLUGINS`` (a realistic
optional plugin that uses every hook); start-up checks build small plugin modules inside the test.
"""

import importlib
import logging
import sys
import tomllib
import types
from pathlib import Path

import pluggy
import pytest
from flask import Blueprint
from sqlalchemy import ForeignKey, MetaData, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from timebank import create_app, hookimpl
from timebank.communities.services import community_by_slug
from timebank.errors import NotEnabled, PermissionDenied, PluginStartupError, ValidationFailed
from timebank.extensions import db
from timebank.hooks import call_each
from timebank.identity.models import User
from timebank.permissions import can
from timebank.plugin_state import CommunityPlugin, is_enabled, require_enabled, set_plugin_enabled
from timebank.plugins import CORE_PLUGINS, HookValidationError, PluginInfo
from timebank.settings import PluginSetting, get_setting, save_settings
from timebank.testing import Factory

HERE = Path(__file__).resolve().parent
TEST_PLUGINS = HERE / "plugins"
EXAMPLE_PLUGIN = HERE / "example_plugin"
SAMPLE = "sample_board"
BOARD_URL = "/c/maple/p/sample-board/"


@pytest.fixture
def app_config(monkeypatch):
    monkeypatch.syspath_prepend(str(TEST_PLUGINS))
    return {"EXTRA_PLUGINS": ["sample_board.plugin"]}


@pytest.fixture
def board(app):
    """The sample board's services, with its table created on the test database."""
    services = importlib.import_module("sample_board.services")
    with app.app_context():
        services.create_tables()
    return services


@pytest.fixture
def build_app(tmp_path, monkeypatch, timebank_database):
    """``build_app(**config)``: an app with its own configuration (start-up tests). ``schema=True`` gives it a
    database with the core tables."""
    monkeypatch.syspath_prepend(str(TEST_PLUGINS))
    built = []

    def _build(schema=False, **config):
        if schema:
            folder = tmp_path / f"db{len(built)}"
            folder.mkdir()
            url = timebank_database.fresh_url(folder)
        else:
            url = f"sqlite:///{tmp_path / f'startup{len(built)}.sqlite3'}"
        settings = {"TESTING": True, "SECRET_KEY": "test", "INSTANCE_PATH": str(tmp_path / "instance"),
                    "SQLALCHEMY_DATABASE_URI": url, "LOAD_ENTRYPOINTS": False, "WTF_CSRF_ENABLED": False,
                    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_STORAGE_URI": "memory://"}
        settings.update(config)
        application = create_app(settings)
        built.append(application)
        return application

    yield _build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def plugin_module(monkeypatch):
    """``plugin_module(name, **attributes)``: an importable module made in the test (gone afterwards)."""

    def _make(name, **attributes):
        module = types.ModuleType(name)
        for key, value in attributes.items():
            setattr(module, key, value)
        monkeypatch.setitem(sys.modules, name, module)
        return module

    return _make


@pytest.fixture
def bundled_dir(tmp_path, monkeypatch):
    """A second folder of bundled plugins (``timebank_plugins.<name>``), so discovery is tested without touching
    the repository's ``plugins/``. Returns ``add(name, source)``."""
    import timebank_plugins

    folder = tmp_path / "bundled"
    folder.mkdir()
    monkeypatch.setattr(timebank_plugins, "__path__", [*timebank_plugins.__path__, str(folder)])
    added = []

    def _add(name, source):
        package = folder / name
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "plugin.py").write_text(source)
        added.append(name)
        importlib.invalidate_caches()

    yield _add
    for name in added:
        for module in [key for key in sys.modules if key == f"timebank_plugins.{name}"
                       or key.startswith(f"timebank_plugins.{name}.")]:
            del sys.modules[module]


def install_fake_distribution(root, monkeypatch, name, version, entry_points, files=None):
    """Write an installed distribution (``<name>-<version>.dist-info`` with METADATA and entry_points.txt, plus
    its modules) into ``root`` and put ``root`` on ``sys.path``, the way pip leaves site-packages."""
    root.mkdir(parents=True, exist_ok=True)
    dist_info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (dist_info / "entry_points.txt").write_text(f"[timebank.plugins]\n{lines}")
    for path, source in (files or {}).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)
    monkeypatch.syspath_prepend(str(root))


@pytest.fixture
def forget_modules(monkeypatch):
    """Modules imported from a test's temporary folder are dropped from ``sys.modules`` afterwards."""
    names = []
    yield names.extend
    for name in names:
        sys.modules.pop(name, None)


def switch(app, slug, enabled, plugin=SAMPLE):
    with app.app_context():
        set_plugin_enabled(community_by_slug(slug), plugin, enabled)


# --- Discovery and load order ----------------------------------------------------------------------------------

PLUGIN_SOURCE = """
from timebank import hookimpl
from timebank.plugins import PluginInfo

PLUGIN = PluginInfo(title={title!r}, version={version!r})


@hookimpl
def timebank_settings():
    return []
"""


def test_plugins_load_in_order_core_bundled_installed_extra(build_app, bundled_dir, tmp_path, monkeypatch,
                                                             forget_modules):
    bundled_dir("fake_bundled", PLUGIN_SOURCE.format(title="Bundled", version=""))
    install_fake_distribution(tmp_path / "site", monkeypatch, "timebank-fake-installed", "2.3.4",
                              {"fake_installed": "tb_fake_installed"},
                              {"tb_fake_installed.py": PLUGIN_SOURCE.format(title="Installed", version="")})
    forget_modules(["tb_fake_installed"])

    app = build_app(PLUGINS=["fake_bundled"], LOAD_ENTRYPOINTS=True, EXTRA_PLUGINS=["sample_board.plugin"])
    system = app.extensions["timebank"]

    core = [name for name, _module in CORE_PLUGINS]
    assert list(system.plugins) == [*core, "fake_bundled", "fake_installed", SAMPLE]
    assert [system.plugins[name].source for name in ("core", "fake_bundled", "fake_installed", SAMPLE)] == [
        "core", "bundled", "installed", "extra"]
    assert system.plugins["fake_bundled"].module_name == "timebank_plugins.fake_bundled.plugin"
    installed = system.plugins["fake_installed"]
    assert (installed.version, installed.distribution) == ("2.3.4", "timebank-fake-installed")
    assert [info.name for info in system.optional_plugins] == ["fake_bundled", "fake_installed", SAMPLE]

    # Setup hooks are called in load order, whatever pluggy's last-registered-first habit.
    with app.app_context():
        callers = [name for name, _result in call_each("timebank_settings") if not system.plugins[name].is_core]
    assert callers == ["fake_bundled", "fake_installed", SAMPLE]


def test_every_bundled_plugin_is_found_when_plugins_is_not_set(build_app, bundled_dir):
    from timebank.plugins import bundled_plugin_names

    bundled_dir("fake_bundled", PLUGIN_SOURCE.format(title="Bundled", version=""))
    app = build_app()
    system = app.extensions["timebank"]
    bundled = [info.name for info in system.plugins.values() if info.source == "bundled"]
    assert "fake_bundled" in bundled
    assert bundled == bundled_plugin_names()
    assert system.plugins["fake_bundled"].version  # bundled plugins carry the core's version


def test_plugins_setting_rejects_an_unknown_bundled_plugin(build_app):
    with pytest.raises(PluginStartupError, match="unknown bundled plugins: no_such_plugin"):
        build_app(PLUGINS=["no_such_plugin"])


def test_each_app_gets_its_own_copy_of_plugin_info(build_app):
    first = build_app(EXTRA_PLUGINS=["sample_board.plugin"])
    second = build_app(EXTRA_PLUGINS=["sample_board.plugin"])
    module = sys.modules["sample_board.plugin"]
    info = first.extensions["timebank"].plugins[SAMPLE]
    assert info is not second.extensions["timebank"].plugins[SAMPLE]
    assert info is not module.PLUGIN
    assert module.PLUGIN.name == ""  # the declaration itself is never filled in


def test_duplicate_name_between_bundled_and_installed_is_a_startup_error(build_app, bundled_dir, tmp_path,
                                                                        monkeypatch, forget_modules):
    bundled_dir("twice", PLUGIN_SOURCE.format(title="Bundled", version=""))
    install_fake_distribution(tmp_path / "site", monkeypatch, "timebank-twice", "1.0", {"twice": "tb_twice_mod"},
                              {"tb_twice_mod.py": PLUGIN_SOURCE.format(title="Installed", version="")})
    forget_modules(["tb_twice_mod"])
    with pytest.raises(PluginStartupError) as raised:
        build_app(PLUGINS=["twice"], LOAD_ENTRYPOINTS=True)
    message = str(raised.value)
    assert "'twice' is used twice" in message
    assert "bundled (timebank_plugins.twice.plugin)" in message
    assert "installed (tb_twice_mod)" in message


def test_duplicate_name_between_installed_and_extra_is_a_startup_error(build_app, tmp_path, monkeypatch,
                                                                      forget_modules):
    install_fake_distribution(tmp_path / "site", monkeypatch, "timebank-board", "1.0",
                              {SAMPLE: "tb_other_board"},
                              {"tb_other_board.py": PLUGIN_SOURCE.format(title="Other", version="")})
    forget_modules(["tb_other_board"])
    with pytest.raises(PluginStartupError, match=r"installed \(tb_other_board\) and by extra \(sample_board"):
        build_app(LOAD_ENTRYPOINTS=True, EXTRA_PLUGINS=["sample_board.plugin"])


def test_disabled_plugins_are_blocked_and_never_imported(build_app, tmp_path, monkeypatch, forget_modules, caplog):
    install_fake_distribution(tmp_path / "site", monkeypatch, "timebank-broken", "0.1", {"broken": "tb_broken"},
                              {"tb_broken.py": "raise RuntimeError('this plugin is broken')\n"})
    forget_modules(["tb_broken"])
    caplog.set_level(logging.INFO, logger="timebank.plugins")

    app = build_app(LOAD_ENTRYPOINTS=True, EXTRA_PLUGINS=["sample_board.plugin"],
                    DISABLED_PLUGINS=["broken", SAMPLE])

    system = app.extensions["timebank"]
    assert "broken" not in system.plugins and SAMPLE not in system.plugins
    assert system.pm.is_blocked("broken") and system.pm.is_blocked(SAMPLE)
    assert "tb_broken" not in sys.modules
    assert "sample_board.index" not in app.view_functions
    assert (SAMPLE, "max_notes") not in system.settings
    assert "sample_board.moderate" not in system.permissions
    assert "sample-board" not in app.cli.commands
    assert "plugin broken is blocked instance-wide" in caplog.text


def test_core_areas_cannot_be_blocked(build_app):
    with pytest.raises(PluginStartupError, match="'core_ledger', a core area"):
        build_app(DISABLED_PLUGINS=["core_ledger"])


def test_a_plugin_that_fails_to_import_stops_the_start_in_tests(build_app, tmp_path, monkeypatch, forget_modules):
    install_fake_distribution(tmp_path / "site", monkeypatch, "timebank-broken", "0.1", {"broken": "tb_broken2"},
                              {"tb_broken2.py": "raise RuntimeError('this plugin is broken')\n"})
    forget_modules(["tb_broken2"])
    with pytest.raises(PluginStartupError, match="'broken' from installed .* could not be imported"):
        build_app(LOAD_ENTRYPOINTS=True)


def test_a_plugin_that_fails_to_import_is_skipped_in_production(build_app, tmp_path, monkeypatch, forget_modules,
                                                               caplog):
    install_fake_distribution(tmp_path / "site", monkeypatch, "timebank-broken", "0.1", {"broken": "tb_broken3"},
                              {"tb_broken3.py": "raise RuntimeError('this plugin is broken')\n"})
    forget_modules(["tb_broken3"])
    app = build_app(TESTING=False, LOAD_ENTRYPOINTS=True, EXTRA_PLUGINS=["sample_board.plugin"])
    assert "broken" not in app.extensions["timebank"].plugins
    assert SAMPLE in app.extensions["timebank"].plugins
    assert "plugin broken from installed (tb_broken3) could not be imported; skipped" in caplog.text


def test_entry_point_plugin_is_discovered_from_an_installed_distribution(build_app, tmp_path, monkeypatch,
                                                                         forget_modules):
    source = PLUGIN_SOURCE.format(title="Weather", version="") + '''

@hookimpl
def timebank_nav_items(user, community):
    return []
'''
    install_fake_distribution(tmp_path / "site", monkeypatch, "timebank-weather", "3.1.0",
                              {"weather": "tb_weather.plugin"},
                              {"tb_weather/__init__.py": "", "tb_weather/plugin.py": source})
    forget_modules(["tb_weather", "tb_weather.plugin"])

    app = build_app(LOAD_ENTRYPOINTS=True)
    info = app.extensions["timebank"].plugins["weather"]
    assert (info.source, info.version, info.distribution) == ("installed", "3.1.0", "timebank-weather")
    assert info.module_name == "tb_weather.plugin" and info.slug == "weather"
    assert not info.default_enabled

    # Without LOAD_ENTRYPOINTS (the test default) installed plugins stay out.
    assert "weather" not in build_app().extensions["timebank"].plugins


def test_the_example_plugin_package_installs_through_its_entry_point(build_app, tmp_path, monkeypatch,
                                                                     forget_modules):
    """tests/example_plugin, installed the way pip would leave it (its pyproject's metadata, its package)."""
    project = tomllib.loads((EXAMPLE_PLUGIN / "pyproject.toml").read_text())["project"]
    entry_points = project["entry-points"]["timebank.plugins"]
    assert entry_points == {"example_hello": "timebank_example_hello.plugin"}
    install_fake_distribution(tmp_path / "site", monkeypatch, project["name"], project["version"], entry_points)
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN))
    forget_modules(["timebank_example_hello", "timebank_example_hello.plugin"])

    app = build_app(schema=True, LOAD_ENTRYPOINTS=True)
    info = app.extensions["timebank"].plugins["example_hello"]
    assert (info.source, info.version, info.distribution) == ("installed", "0.1.0", "timebank-example-hello")
    assert str(info.title) == "Hello" and not info.default_enabled

    make = Factory(app)
    make.community("maple", "枫林社区")
    make.member("maple", "ann", role="volunteer")
    client = app.test_client()
    client.post("/login", data={"username": "ann", "password": "test-pass-123"})
    assert client.get("/c/maple/p/example-hello/").status_code == 404
    switch(app, "maple", True, plugin="example_hello")
    page = client.get("/c/maple/p/example-hello/")
    assert page.status_code == 200
    assert "Hello, 枫林社区!" in page.text
    assert 'href="/c/maple/p/example-hello/"' in client.get("/c/maple/").text


def test_trace_hooks_prints_every_hook_call(build_app, capsys):
    app = build_app(TRACE_HOOKS=True, EXTRA_PLUGINS=["sample_board.plugin"])
    assert app.extensions["timebank"].trace
    err = capsys.readouterr().err
    assert "[hook] timebank_settings -> sample_board" in err
    assert "timebank_startup" in err  # pluggy's own tracing of pm.hook calls


# --- Start-up checks -------------------------------------------------------------------------------------------


def test_misspelled_hook_fails_at_start_and_names_the_plugin(build_app, plugin_module):
    @hookimpl
    def timebank_nav_itmes(user, community):
        return []

    plugin_module("typo_plugin", timebank_nav_itmes=timebank_nav_itmes)
    with pytest.raises(PluginStartupError) as raised:
        build_app(EXTRA_PLUGINS=["typo_plugin"])
    message = str(raised.value)
    assert "plugin 'typo_plugin'" in message and "timebank_nav_itmes" in message
    assert "did you mean timebank_nav_items?" in message
    assert isinstance(raised.value, pluggy.PluginValidationError)  # still pluggy's error, for pluggy-aware tools


def test_hook_asking_for_an_unknown_argument_fails_at_start(build_app, plugin_module):
    @hookimpl
    def timebank_nav_items(user, comunity):
        return []

    plugin_module("argument_typo", timebank_nav_items=timebank_nav_items)
    with pytest.raises(HookValidationError, match="(?s)plugin 'argument_typo'.*comunity"):
        build_app(EXTRA_PLUGINS=["argument_typo"])


def test_undecorated_timebank_function_logs_a_warning(build_app, plugin_module, caplog):
    calls = []

    def timebank_settings():
        calls.append("called")
        return []

    plugin_module("forgetful", timebank_settings=timebank_settings)
    app = build_app(EXTRA_PLUGINS=["forgetful"])
    assert "plugin forgetful: timebank_settings looks like a hook but has no @hookimpl" in caplog.text
    assert "forgetful" in app.extensions["timebank"].plugins
    assert calls == []  # not a hook: never called


class OtherBase(DeclarativeBase):
    metadata = MetaData()  # kept out of db.metadata: these models only exist to be refused


class Note(OtherBase):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)


class PollsVote(OtherBase):
    __tablename__ = "polls_vote"
    id: Mapped[int] = mapped_column(primary_key=True)


class SnoopNote(OtherBase):
    __tablename__ = "snoop_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey(PollsVote.__table__.c.id))


class SnoopOwnNote(OtherBase):
    __tablename__ = "snoop_own_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(User.__table__.c.id))
    parent_id: Mapped[int] = mapped_column(ForeignKey("snoop_own_note.id"))


def models_hook(*models):
    @hookimpl
    def timebank_models():
        return list(models)

    return timebank_models


def test_table_without_the_plugin_prefix_is_refused(build_app, plugin_module):
    plugin_module("prefixless", timebank_models=models_hook(Note))
    with pytest.raises(PluginStartupError, match="plugin prefixless: table 'notes' must start with 'prefixless_'"):
        build_app(EXTRA_PLUGINS=["prefixless"])


def test_foreign_key_to_another_plugins_table_is_refused(build_app, plugin_module):
    plugin_module("polls", timebank_models=models_hook(PollsVote))
    plugin_module("snoop", timebank_models=models_hook(SnoopNote))
    with pytest.raises(PluginStartupError, match="'snoop_note' points at 'polls_vote' of plugin polls"):
        build_app(EXTRA_PLUGINS=["polls", "snoop"])


def test_foreign_keys_to_core_and_own_tables_are_fine(build_app, plugin_module):
    plugin_module("polls", timebank_models=models_hook(PollsVote))
    plugin_module("snoop", timebank_models=models_hook(SnoopOwnNote))
    app = build_app(EXTRA_PLUGINS=["polls", "snoop"])
    assert {"polls", "snoop"} <= set(app.extensions["timebank"].plugins)


def blueprints_hook(*blueprints):
    @hookimpl
    def timebank_blueprints():
        return list(blueprints)

    return timebank_blueprints


def test_blueprint_not_named_after_the_plugin_is_refused(build_app, plugin_module):
    plugin_module("bad_bp", timebank_blueprints=blueprints_hook(Blueprint("notes", __name__)))
    with pytest.raises(PluginStartupError, match="blueprint 'notes' must be named after the plugin"):
        build_app(EXTRA_PLUGINS=["bad_bp"])


@pytest.mark.parametrize("prefix", ["/board", "/c/<community>/p/bad-bp", "/p/bad-bpx", "/p/other"])
def test_blueprint_url_prefix_outside_its_own_p_slug_is_refused(build_app, plugin_module, prefix):
    plugin_module("bad_bp", timebank_blueprints=blueprints_hook(Blueprint("bad_bp", __name__, url_prefix=prefix)))
    with pytest.raises(PluginStartupError, match="plugin bad_bp: url_prefix must start with /p/bad-bp"):
        build_app(EXTRA_PLUGINS=["bad_bp"])


def test_blueprint_with_its_own_p_slug_prefix_is_mounted_as_given(build_app, plugin_module):
    feed = Blueprint("good_bp_feed", __name__, url_prefix="/p/good-bp/feed")
    feed.add_url_rule("/", "index", lambda: "feed")
    plugin_module("good_bp", timebank_blueprints=blueprints_hook(feed))
    app = build_app(EXTRA_PLUGINS=["good_bp"])
    assert app.test_client().get("/p/good-bp/feed/").text == "feed"
    assert app.extensions["timebank"].blueprint_plugins["good_bp_feed"] == "good_bp"


def test_nested_blueprints_are_switched_off_with_their_plugin(build_app, plugin_module):
    parent = Blueprint("nested", __name__)
    child = Blueprint("child", __name__)
    child.add_url_rule("/", "index", lambda community=None: "child page")
    parent.register_blueprint(child, url_prefix="/child")
    plugin_module("nested", timebank_blueprints=blueprints_hook(parent),
                  PLUGIN=PluginInfo(title="Nested", default_enabled=False))
    app = build_app(schema=True, EXTRA_PLUGINS=["nested"])
    make = Factory(app)
    make.community("maple")
    make.member("maple", "ann")
    client = app.test_client()
    client.post("/login", data={"username": "ann", "password": "test-pass-123"})
    assert client.get("/c/maple/p/nested/child/").status_code == 404
    switch(app, "maple", True, plugin="nested")
    assert client.get("/c/maple/p/nested/child/").text == "child page"


def test_a_plugin_command_cannot_replace_a_core_command(build_app, plugin_module):
    import click

    @hookimpl
    def timebank_cli_commands():
        return [click.Group("plugins")]

    plugin_module("usurper", timebank_cli_commands=timebank_cli_commands)
    with pytest.raises(PluginStartupError, match="plugin usurper: command 'plugins' is already provided by core"):
        build_app(EXTRA_PLUGINS=["usurper"])


def declarations_hook(hook_name, *items):
    def implementation():
        return list(items)

    implementation.__name__ = hook_name
    return hookimpl(implementation)


def test_a_permission_declared_by_two_plugins_is_refused(build_app, plugin_module):
    from timebank.permissions import Permission

    plugin_module("copycat", timebank_permissions=declarations_hook(
        "timebank_permissions", Permission("sample_board.moderate", "Moderate", "coordinator")))
    with pytest.raises(PluginStartupError, match="permission 'sample_board.moderate' declared twice: by "
                                                 "sample_board and copycat"):
        build_app(EXTRA_PLUGINS=["sample_board.plugin", "copycat"])


def test_a_ledger_category_declared_by_two_plugins_is_refused(build_app, plugin_module):
    from timebank.ledger.categories import LedgerCategory

    plugin_module("copycat", timebank_ledger_categories=declarations_hook(
        "timebank_ledger_categories", LedgerCategory("sample_board.notice_delivery", "Notices")))
    with pytest.raises(PluginStartupError, match="ledger category 'sample_board.notice_delivery' declared twice"):
        build_app(EXTRA_PLUGINS=["sample_board.plugin", "copycat"])


def test_a_notification_channel_name_taken_by_the_core_is_refused(build_app, plugin_module):
    from timebank.notifications.channels import NotificationChannel

    plugin_module("copycat", timebank_notification_channels=declarations_hook(
        "timebank_notification_channels", NotificationChannel("log", "Log", deliver=print)))
    with pytest.raises(PluginStartupError, match="notification channel 'log' declared twice: by core and copycat"):
        build_app(EXTRA_PLUGINS=["copycat"])


@pytest.mark.parametrize("codes, kind, problem", [
    (["copycat.opened", "copycat.opened"], "number", "audit action 'copycat.opened' declared twice"),
    (["ledger.confirmed"], "number", "plugin copycat: audit action 'ledger.confirmed' must start with 'copycat.'"),
    (["copycat.opened"], "colour", "audit action copycat.opened: detail 'door' has the unknown kind 'colour'"),
])
def test_an_audit_action_that_cannot_be_described_is_refused_at_start(build_app, plugin_module, codes, kind,
                                                                     problem):
    from timebank.audit.vocabulary import AuditAction, AuditDetail

    plugin_module("copycat", timebank_audit_actions=declarations_hook("timebank_audit_actions", *[
        AuditAction(code, "opened a locker", details=(AuditDetail("door", "Door", kind=kind),)) for code in codes]))
    with pytest.raises(PluginStartupError, match=problem):
        build_app(EXTRA_PLUGINS=["copycat"])


@pytest.mark.parametrize("spec, problem", [
    (dict(key="colour", type="colour", default="red"), "unknown type 'colour'"),
    (dict(key="limit", type="int", default=500, max=100), "the default 500 is not valid"),
    (dict(key="size", type="choice", default="xl", choices=[("s", "S"), ("m", "M")]), "the default 'xl'"),
    (dict(key="limit", type="int", default=5, scope="street"), "scope must be 'community' or 'instance'"),
])
def test_a_setting_spec_that_cannot_work_is_refused_at_start(build_app, plugin_module, spec, problem):
    from timebank.settings import SettingSpec

    plugin_module("fussy", timebank_settings=declarations_hook(
        "timebank_settings", SettingSpec(label="Label", **spec)))
    with pytest.raises(PluginStartupError, match=f"setting fussy.{spec['key']}: {problem}"):
        build_app(EXTRA_PLUGINS=["fussy"])


# --- Per-community switches ------------------------------------------------------------------------------------


def page_parts(client, slug="maple"):
    """Which of the board's contributions a member sees on the community's pages."""
    dashboard = client.get(f"/c/{slug}/").text
    return {
        "page": client.get(f"/c/{slug}/p/sample-board/").status_code,
        "nav": f'href="/c/{slug}/p/sample-board/"><svg' in dashboard,
        "card": "On the notice board" in dashboard,
        "task": "Read the notice board" in client.get(f"/c/{slug}/tasks").text,
        "panel": "notes pinned by this member" in client.get(f"/c/{slug}/me").text,
    }


ALL_ON = {"page": 200, "nav": True, "card": True, "task": True, "panel": True}
ALL_OFF = {"page": 404, "nav": False, "card": False, "task": False, "panel": False}


def pin(app, board, text="Water off on Tuesday", slug="maple", username="maple.vol"):
    with app.app_context():
        author = db.session.scalar(select(User).where(User.username == username))
        board.post_note(community_by_slug(slug), author, text)


def test_plugin_is_off_by_default_and_the_admin_page_switches_it(client, auth, community, board, app):
    auth.login("maple.admin")
    assert page_parts(client) == ALL_OFF
    features = client.get("/c/maple/admin/plugins")
    assert "Notice board" in features.text and 'action="/c/maple/admin/plugins/sample_board"' in features.text

    response = client.post("/c/maple/admin/plugins/sample_board", data={"value": "on"})
    assert response.status_code == 302
    pin(app, board)
    assert page_parts(client) == ALL_ON  # the very next request; no restart

    client.post("/c/maple/admin/plugins/sample_board", data={"value": "off"})
    assert page_parts(client) == ALL_OFF
    with app.app_context():
        row = db.session.get(CommunityPlugin, (community_by_slug("maple").id, SAMPLE))
        assert row.enabled is False and row.changed_by_id == community["admin"]


def test_switching_needs_the_plugins_permission(client, auth, community, board):
    auth.login("maple.coord")  # coordinators approve members but do not manage features
    assert client.post("/c/maple/admin/plugins/sample_board", data={"value": "on"}).status_code == 403
    assert client.get(BOARD_URL).status_code == 404


def test_admin_page_refuses_core_and_unknown_plugins(client, auth, community, board):
    auth.login("maple.admin")
    assert client.post("/c/maple/admin/plugins/core_admin", data={"value": "off"}).status_code == 404
    assert client.post("/c/maple/admin/plugins/nope", data={"value": "on"}).status_code == 404


def test_switching_through_the_service_takes_effect_on_the_next_request(app, client, auth, community, board):
    auth.login("maple.vol")
    switch(app, "maple", True)
    pin(app, board)
    assert page_parts(client) == ALL_ON
    switch(app, "maple", False)
    assert page_parts(client) == ALL_OFF
    with app.app_context():
        maple = community_by_slug("maple")
        assert not is_enabled(SAMPLE, maple)
        with pytest.raises(NotEnabled):
            require_enabled(SAMPLE, maple)
        with pytest.raises(NotEnabled):  # the plugin's own services refuse too
            board.post_note(maple, db.session.get(User, community["volunteer"]), "hello")


def test_switching_through_the_cli(app, runner, client, auth, community, board):
    auth.login("maple.vol")
    result = runner.invoke(args=["plugins", "enable", SAMPLE, "--community", "maple"])
    assert result.exit_code == 0, result.output
    assert "sample_board is on in maple." in result.output
    pin(app, board)
    assert page_parts(client) == ALL_ON

    listing = runner.invoke(args=["plugins", "list"]).output.splitlines()
    assert "sample_board\t-\textra\ton in: maple" in listing
    assert any(line.startswith("core\t") and line.endswith("always on") for line in listing)

    result = runner.invoke(args=["plugins", "disable", SAMPLE, "--community", "maple"])
    assert result.exit_code == 0 and "sample_board is off in maple." in result.output
    assert page_parts(client) == ALL_OFF
    assert "sample_board\t-\textra\ton in: (none)" in runner.invoke(args=["plugins", "list"]).output


def test_cli_switch_errors_are_clear(runner, community, board):
    result = runner.invoke(args=["plugins", "enable", "nope", "--community", "maple"])
    assert result.exit_code == 1 and "No optional plugin named 'nope'" in result.output
    result = runner.invoke(args=["plugins", "enable", SAMPLE, "--community", "atlantis"])
    assert result.exit_code == 1 and "No community with the short name 'atlantis'" in result.output
    result = runner.invoke(args=["plugins", "disable", "core", "--community", "maple"])
    assert result.exit_code == 1


def test_event_listeners_are_skipped_where_the_plugin_is_off(app, community, board):
    from timebank.communities.joining import create_member_account

    def add_member(username):
        with app.app_context():
            maple = community_by_slug("maple")
            create_member_account(maple, db.session.get(User, community["coordinator"]), username, username)

    add_member("off.member")
    assert app.extensions.get("sample_board", {}).get("events", []) == []
    switch(app, "maple", True)
    add_member("on.member")
    events = app.extensions["sample_board"]["events"]
    assert [(name, details["community"]) for name, details in events] == [("member_joined", "maple")]


def test_data_survives_a_disable(app, client, auth, community, board):
    auth.login("maple.vol")
    switch(app, "maple", True)
    client.post(BOARD_URL, data={"text": "Lost cat near building 3"})
    switch(app, "maple", False)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(
            importlib.import_module("sample_board.models").SampleBoardNote)) == 1
    switch(app, "maple", True)
    assert "Lost cat near building 3" in client.get(BOARD_URL).text


def test_one_community_on_and_another_off_at_the_same_time(app, client, auth, community, other_community, board):
    switch(app, "maple", True)
    pin(app, board)
    auth.login("maple.admin")
    assert page_parts(client, "maple") == ALL_ON
    auth.logout()
    auth.login("oak.coord")
    assert page_parts(client, "oak") == ALL_OFF
    # The same URL shape for oak answers 404 even though the plugin is on elsewhere.
    assert client.get("/c/oak/p/sample-board/about").status_code == 404
    switch(app, "oak", True)
    assert client.get("/c/oak/p/sample-board/").status_code == 200
    switch(app, "maple", False)
    auth.logout()
    auth.login("maple.admin")
    assert client.get(BOARD_URL).status_code == 404


def test_plugin_cli_refuses_a_community_where_it_is_off(app, runner, community, board):
    result = runner.invoke(args=["sample-board", "count", "--community", "maple"])
    assert result.exit_code == 1 and "The notice board is off in maple." in result.output
    switch(app, "maple", True)
    pin(app, board)
    result = runner.invoke(args=["sample-board", "count", "--community", "maple"])
    assert result.exit_code == 0 and "1 notes on the board of maple" in result.output


# --- Settings --------------------------------------------------------------------------------------------------


def test_settings_resolution_order(app, community, other_community, board):
    with app.app_context():
        maple, oak = community_by_slug("maple"), community_by_slug("oak")
        assert get_setting(SAMPLE, "max_notes", maple) == 20  # the spec's default

        app.config["PLUGIN_SETTINGS"] = {SAMPLE: {"max_notes": 30}}
        assert get_setting(SAMPLE, "max_notes", maple) == 30  # instance/config.py beats the default

        save_settings(SAMPLE, {"max_notes": 40})  # instance row (district admin)
        assert get_setting(SAMPLE, "max_notes", maple) == 40

        save_settings(SAMPLE, {"max_notes": 50}, maple)  # community row
        assert get_setting(SAMPLE, "max_notes", maple) == 50
        assert get_setting(SAMPLE, "max_notes", oak) == 40  # oak still follows the instance
        assert get_setting(SAMPLE, "max_notes") == 40


def test_instance_settings_ignore_community_rows_and_cannot_be_set_by_a_community(app, community, board):
    with app.app_context():
        maple = community_by_slug("maple")
        app.config["PLUGIN_SETTINGS"] = {SAMPLE: {"sms_sender": "FROMCONFIG"}}
        assert get_setting(SAMPLE, "sms_sender", maple) == "FROMCONFIG"
        with pytest.raises(ValidationFailed) as raised:
            save_settings(SAMPLE, {"sms_sender": "MAPLE"}, maple)
        assert raised.value.field == "sms_sender"
        save_settings(SAMPLE, {"sms_sender": "DISTRICT"})
        assert get_setting(SAMPLE, "sms_sender", maple) == "DISTRICT"


@pytest.mark.parametrize("values, field", [
    ({"greeting": "Hi", "max_notes": 500}, "max_notes"),
    ({"greeting": "Hi", "max_notes": "many"}, "max_notes"),
    ({"max_notes": 5, "greeting": "x" * 41}, "greeting"),
    ({"max_notes": 5, "colour": "red"}, "colour"),
    ({"max_notes": 5, "greeting": "see https://example.com"}, "greeting"),  # the spec's own check
])
def test_invalid_setting_values_write_nothing(app, community, board, values, field):
    with app.app_context():
        with pytest.raises(ValidationFailed) as raised:
            save_settings(SAMPLE, values, community_by_slug("maple"))
        assert raised.value.field == field
        db.session.rollback()
        assert db.session.scalar(select(func.count(PluginSetting.id))) == 0


def test_an_invalid_stored_value_falls_back_to_the_next_level(app, community, board, caplog):
    with app.app_context():
        maple = community_by_slug("maple")
        save_settings(SAMPLE, {"max_notes": 50}, maple)
        db.session.execute(PluginSetting.__table__.update().values(value_json="1000"))  # e.g. an older, wider max
        db.session.commit()
        assert get_setting(SAMPLE, "max_notes", maple) == 20
    assert "setting sample_board.max_notes: invalid community maple value ignored" in caplog.text


def test_admin_settings_form_is_generated_and_saves(app, client, auth, community, board):
    switch(app, "maple", True)
    auth.login("maple.admin")
    page = client.get("/c/maple/admin/plugins/sample_board/settings")
    assert page.status_code == 200
    for label in ("Most notes on the board", "Greeting on the card", "Show the board on the home page"):
        assert label in page.text
    assert 'name="max_notes"' in page.text and 'value="20"' in page.text and 'inputmode="numeric"' in page.text
    assert 'name="show_card"' in page.text and "checked" in page.text
    assert 'name="sms_sender"' not in page.text  # instance settings belong to the district admin

    response = client.post("/c/maple/admin/plugins/sample_board/settings",
                           data={"max_notes": "3", "greeting": "Welcome, neighbours", "show_card": "y"})
    assert response.status_code == 302
    with app.app_context():
        maple = community_by_slug("maple")
        assert get_setting(SAMPLE, "max_notes", maple) == 3
        assert get_setting(SAMPLE, "greeting", maple) == "Welcome, neighbours"
    assert "Welcome, neighbours" in client.get("/c/maple/").text

    client.post("/c/maple/admin/plugins/sample_board/settings", data={"max_notes": "3", "greeting": ""})
    assert "On the notice board" not in client.get("/c/maple/").text  # unticked box: show_card is off


def test_admin_settings_form_shows_errors_beside_the_field_and_writes_nothing(app, client, auth, community,
                                                                              board):
    auth.login("maple.admin")
    response = client.post("/c/maple/admin/plugins/sample_board/settings",
                           data={"max_notes": "500", "greeting": "Hi", "show_card": "y"})
    assert response.status_code == 200
    assert 'id="max_notes-error"' in response.text and 'aria-invalid="true"' in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(PluginSetting.id))) == 0


def test_district_admin_edits_instance_settings(app, client, auth, make, community, board):
    make.district_admin()
    auth.login("district")
    page = client.get("/district/plugins/sample_board/settings")
    assert page.status_code == 200 and 'name="sms_sender"' in page.text and 'name="max_notes"' not in page.text
    assert client.post("/district/plugins/sample_board/settings", data={"sms_sender": "MAPLE-TB"}).status_code == 302
    with app.app_context():
        assert get_setting(SAMPLE, "sms_sender") == "MAPLE-TB"


def test_settings_page_of_a_plugin_without_community_settings_is_404(client, auth, community, board):
    auth.login("maple.admin")
    assert client.get("/c/maple/admin/plugins/core/settings").status_code == 404


# --- Permissions -----------------------------------------------------------------------------------------------


class Voter:
    """A throwaway plugin that votes ``vote`` on one permission."""

    def __init__(self, vote, permission="sample_board.moderate"):
        self.vote, self.permission = vote, permission
        self.asked = []

    @hookimpl
    def timebank_permission_allowed(self, user, permission, community, resource):
        if permission != self.permission:
            return None
        self.asked.append((user.username, community.slug, resource))
        return self.vote


def test_permission_veto_rule(app, community, board, register_plugin, make):
    make.district_admin()

    def allowed(username, resource=None):
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == username))
            return can(user, "sample_board.moderate", community_by_slug("maple"), resource)

    # Everybody abstains: the permission's default role decides (coordinator and above; district admins).
    assert [allowed(name) for name in ("maple.vol", "maple.coord", "maple.admin", "district")] == [
        False, True, True, True]

    abstainer = register_plugin(Voter(None), "abstainer")
    granter = register_plugin(Voter(True), "granter")
    assert allowed("maple.vol") and allowed("maple.res")  # any True allows
    assert granter.asked[-1] == ("maple.res", "maple", None) and abstainer.asked

    register_plugin(Voter(False), "vetoer")
    assert [allowed(name) for name in ("maple.vol", "maple.coord", "maple.admin", "district")] == [
        False, False, False, False]  # any False denies, even with a True and even for admins

    switch(app, "maple", False, plugin="vetoer")  # a plugin that is off in the community has no say
    assert allowed("maple.vol") and allowed("maple.coord")


def test_permission_of_a_plugin_is_enforced_by_its_views(app, client, auth, community, board):
    switch(app, "maple", True)
    pin(app, board, "Remove me")
    with app.app_context():
        note_id = board.notes_in(community_by_slug("maple"))[0].id
    auth.login("maple.vol")
    assert client.post(f"{BOARD_URL}{note_id}/remove").status_code == 403
    assert "Remove me" in client.get(BOARD_URL).text
    auth.logout()
    auth.login("maple.coord")
    assert client.post(f"{BOARD_URL}{note_id}/remove").status_code == 302
    assert "Remove me" not in client.get(BOARD_URL).text


def test_anonymous_users_have_no_permissions(app, community, board, register_plugin):
    from flask_login import AnonymousUserMixin

    register_plugin(Voter(True), "granter")
    with app.app_context():
        assert not can(AnonymousUserMixin(), "sample_board.moderate", community_by_slug("maple"))
        with pytest.raises(KeyError, match="unknown permission 'sample_board.typo'"):
            can(db.session.get(User, community["admin"]), "sample_board.typo", community_by_slug("maple"))


def test_require_raises_permission_denied(app, community, board):
    from timebank.permissions import require

    with app.app_context():
        volunteer = db.session.get(User, community["volunteer"])
        with pytest.raises(PermissionDenied) as raised:
            require(volunteer, "sample_board.moderate", community_by_slug("maple"))
        assert raised.value.permission == "sample_board.moderate"
