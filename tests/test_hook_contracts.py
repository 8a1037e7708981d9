"""Contracts between the hookspecs, the documentation, the tests and the bundled plugins (Datasette's
``test_docs.py`` and ``test_plugin_hooks_have_tests``): a hook cannot be added, renamed or changed without its
documentation and its test following."""

import inspect
import re
from pathlib import Path

import pytest
from flask import g, url_for
from flask_login import login_user

from timebank import hookspecs
from timebank.communities.services import community_by_slug
from timebank.extensions import db
from timebank.hooks import collect_items
from timebank.identity.models import User
from timebank.plugin_state import set_plugin_enabled
from timebank.plugins import bundled_plugin_names

ROOT = Path(__file__).resolve().parent.parent
HOOKS_DOC = ROOT / "docs" / "hooks.md"
HEADING = re.compile(r"^## (timebank_\w+)\((.*)\)\s*$", re.M)


def hookspec_functions():
    return {
        name: function for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, "timebank_spec")
    }


HOOKS = sorted(hookspec_functions())


def spec_argnames(function):
    return [name for name in inspect.signature(function).parameters]


def documented_hooks():
    return {name: [arg.strip() for arg in args.split(",") if arg.strip()]
            for name, args in HEADING.findall(HOOKS_DOC.read_text(encoding="utf-8"))}


def doc_section(name):
    text = HOOKS_DOC.read_text(encoding="utf-8")
    start = re.search(rf"^## {name}\(", text, re.M).start()
    following = re.compile(r"^## ", re.M).search(text, start + 3)
    return text[start:following.start() if following else len(text)]


@pytest.mark.database_independent
def test_there_are_hooks():
    assert len(HOOKS) >= 20 and all(name.startswith("timebank_") for name in HOOKS)


@pytest.mark.database_independent
@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_documented_with_its_exact_arguments(name):
    documented = documented_hooks()
    assert name in documented, f"docs/hooks.md has no '## {name}(...)' section"
    assert documented[name] == spec_argnames(hookspec_functions()[name])


@pytest.mark.database_independent
def test_docs_describe_no_hook_that_does_not_exist():
    assert sorted(set(documented_hooks()) - set(HOOKS)) == []


@pytest.mark.database_independent
@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_section_says_what_it_returns_and_who_uses_it(name):
    section = doc_section(name)
    assert "**Returns**" in section and "**Used by**" in section and "```python" in section
    if hookspec_functions()[name].timebank_spec.get("firstresult"):
        assert "first non-None" in section
    if hookspec_functions()[name].timebank_spec.get("historic"):
        assert "historic" in section.lower()


@pytest.mark.database_independent
@pytest.mark.parametrize("name", HOOKS)
def test_every_hookspec_has_a_docstring(name):
    doc = inspect.getdoc(hookspec_functions()[name]) or ""
    assert len(doc) > 40, f"{name} needs a docstring (what, when, parameters, return value)"
    assert ":return:" in doc
    for argument in spec_argnames(hookspec_functions()[name]):
        assert f":param {argument}:" in doc, f"{name}: document the parameter {argument}"
    if hookspec_functions()[name].timebank_spec.get("firstresult"):
        assert "first non-None" in doc


@pytest.mark.database_independent
def test_hook_tests():
    """Every hook has a test named ``test_hook_<hook name>`` under tests/ or a bundled plugin's tests/."""
    sources = [*ROOT.joinpath("tests").rglob("*.py"), *ROOT.joinpath("plugins").glob("*/tests/**/*.py")]
    tested = set()
    for path in sources:
        tested.update(re.findall(r"^\s*def test_hook_(timebank_\w+)\(", path.read_text(encoding="utf-8"), re.M))
    assert sorted(set(HOOKS) - tested) == []


def test_check_pending_passes_with_every_bundled_plugin(app):
    system = app.extensions["timebank"]
    assert set(bundled_plugin_names()) <= set(system.plugins)
    system.pm.check_pending()  # raises PluginValidationError for an implementation without a spec


def test_bundled_plugin_tables_carry_the_plugin_prefix(app):
    from timebank.hooks import call_each

    system = app.extensions["timebank"]
    with app.app_context():
        for plugin, models in call_each("timebank_models"):
            if not system.plugins[plugin].is_core:
                assert all(model.__tablename__.startswith(plugin + "_") for model in models), plugin


def test_every_nav_item_and_task_endpoint_resolves(app, community, make):
    """With every optional plugin on, for a community admin and a district admin, every NavItem and TaskItem
    that a loaded plugin returns builds a URL."""
    district = make.district_admin()
    system = app.extensions["timebank"]
    with app.app_context():
        maple = community_by_slug("maple")
        for info in system.optional_plugins:
            set_plugin_enabled(maple, info.name, True)
    checked = 0
    for user_id in (community["admin"], community["volunteer"], district):
        with app.test_request_context("/c/maple/"):
            g.community = community_by_slug("maple")
            user = db.session.get(User, user_id)
            login_user(user)
            for hook in ("timebank_nav_items", "timebank_tasks"):
                for item in collect_items(hook, g.community, user=user):
                    assert url_for(item.endpoint, **item.url_kwargs), (item.plugin, item.endpoint)
                    checked += 1
    assert checked > 0


def test_unknown_template_slot_raises_in_tests(app):
    from flask import render_template_string

    with app.test_request_context():
        with pytest.raises(KeyError, match="unknown template slot 'nowhere'"):
            render_template_string("{{ slot('nowhere') }}")
        app.config["TESTING"] = False  # in production a misspelled slot renders nothing instead of a 500
        try:
            assert render_template_string("[{{ slot('nowhere') }}]") == "[]"
        finally:
            app.config["TESTING"] = True


@pytest.mark.database_independent
def test_template_slots_are_declared_and_used():
    """Every ``slot('name')`` in a template is declared in TEMPLATE_SLOTS, and every declared slot is offered."""
    used = set()
    for folder in (ROOT / "templates", *ROOT.joinpath("plugins").glob("*/templates")):
        for path in folder.rglob("*.html"):
            used.update(re.findall(r"""slot\(\s*['"](\w+)['"]""", path.read_text(encoding="utf-8")))
    assert used <= set(hookspecs.TEMPLATE_SLOTS), sorted(used - set(hookspecs.TEMPLATE_SLOTS))
    assert set(hookspecs.TEMPLATE_SLOTS) <= used, sorted(set(hookspecs.TEMPLATE_SLOTS) - used)
