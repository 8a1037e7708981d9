"""``timebank_api_blueprints``: a plugin's endpoints are mounted, documented, gated like its pages, and refused
at start-up when they break the rules."""

import sys
import types
from pathlib import Path

import pytest

from timebank import create_app, hookimpl
from timebank.api import ApiBlueprint
from timebank.errors import PluginStartupError
from timebank.testing import _base_config

HERE = Path(__file__).resolve().parent
NOTES = "/communities/maple/p/sample-board/notes"


@pytest.fixture
def app_config(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE.parent / "plugins"))
    return {"EXTRA_PLUGINS": ["sample_board.plugin"]}


@pytest.fixture
def board(app):
    import importlib

    services = importlib.import_module("sample_board.services")
    with app.app_context():
        services.create_tables()
    return services


def switch(app, enabled):
    from timebank.communities.services import community_by_slug
    from timebank.plugin_state import set_plugin_enabled

    with app.app_context():
        set_plugin_enabled(community_by_slug("maple"), "sample_board", enabled)


def test_hook_timebank_api_blueprints(app, api, community, other_community, make_token, board):
    volunteer = make_token(community["volunteer"])
    assert api.get(NOTES, volunteer).status_code == 404  # off by default, like its pages
    switch(app, True)
    assert api.get(NOTES, volunteer).json == {"items": []}
    created = api.post(NOTES, volunteer, json={"text": "周六义剪"}, headers={"Idempotency-Key": "n1"})
    assert created.status_code == 201
    assert api.post(NOTES, volunteer, json={"text": "周六义剪"}, headers={"Idempotency-Key": "n1"}).json \
        == created.json
    assert [note["text"] for note in api.get(NOTES, volunteer).json["items"]] == ["周六义剪"]
    assert api.post(NOTES, volunteer, json={"text": ""}).status_code == 422
    assert api.get(NOTES).status_code == 401
    read_only = make_token(community["volunteer"], scopes=("read",))
    assert api.post(NOTES, read_only, json={"text": "x"}).json["code"] == "insufficient_scope"
    assert api.get(NOTES, make_token(other_community["coordinator"])).status_code == 404  # not a member
    document = api.get("/openapi.json").json
    assert "/api/v1/communities/{community}/p/sample-board/notes" in document["paths"]
    listed = api.get("/communities/maple/plugins", volunteer).json["items"]
    assert {"sample_board": "/api/v1/communities/maple/p/sample-board"}.items() <= {
        item["name"]: item["api_path"] for item in listed}.items()
    switch(app, False)
    assert api.get(NOTES, volunteer).status_code == 404


def _plugin(name, blueprint):
    module = types.ModuleType(name)

    @hookimpl
    def timebank_api_blueprints():
        return [blueprint]

    module.timebank_api_blueprints = timebank_api_blueprints
    return module


@pytest.mark.parametrize(("blueprint", "message"), [
    (ApiBlueprint("wrongly_named", __name__), "must be named"),
    (ApiBlueprint("bad_api_api", __name__, url_prefix="/elsewhere"), "must not set url_prefix"),
])
@pytest.mark.database_independent
def test_a_plugin_blueprint_that_breaks_the_rules_stops_the_start(tmp_path, monkeypatch, blueprint, message):
    monkeypatch.setitem(sys.modules, "bad_api", _plugin("bad_api", blueprint))
    with pytest.raises(PluginStartupError, match=message):
        create_app({**_base_config("sqlite://", tmp_path / "instance"), "EXTRA_PLUGINS": ["bad_api"]})


@pytest.mark.database_independent
def test_a_changing_view_without_a_scope_stops_the_start(tmp_path, monkeypatch):
    blueprint = ApiBlueprint("careless_api", __name__)

    @blueprint.route("/things", methods=["POST"])
    @blueprint.response(201)
    def create_thing():
        return {}

    monkeypatch.setitem(sys.modules, "careless", _plugin("careless", blueprint))
    with pytest.raises(PluginStartupError, match="must declare @scope"):
        create_app({**_base_config("sqlite://", tmp_path / "instance"), "EXTRA_PLUGINS": ["careless"]})
