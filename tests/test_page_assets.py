"""One stylesheet and one script per page (``timebank.assets``, hook ``timebank_page_assets``)."""

import re
from pathlib import Path

import pytest

from timebank import hookimpl
from timebank.assets import YEAR, collect_page_assets
from timebank.communities.services import community_by_slug
from timebank.errors import PluginStartupError
from timebank.plugin_state import set_plugin_enabled
from timebank.ui import PageAsset

LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
SCRIPT = re.compile(r'<script src="([^"]+)"')


class FilesPlugin:
    def __init__(self, folder, kinds=("css", "js")):
        self.folder = folder
        self.kinds = kinds
        (folder / "notes.css").write_text(".notes-pin { color: #123456; }\n")
        (folder / "notes.js").write_text('(function () { "use strict"; window.notesLoaded = true; })()\n')

    @hookimpl
    def timebank_page_assets(self):
        return [PageAsset(self.folder / f"notes.{kind}", kind=kind) for kind in self.kinds]


@pytest.fixture
def notes(app, tmp_path, register_plugin):
    plugin = register_plugin(FilesPlugin(tmp_path), "notes")
    with app.app_context():
        collect_page_assets(app.extensions["timebank"])
    yield plugin
    app.extensions["timebank"].pm.unregister(name="notes")
    with app.app_context():
        collect_page_assets(app.extensions["timebank"])


def switch(app, plugin, enabled, slug="maple"):
    with app.app_context():
        set_plugin_enabled(community_by_slug(slug), plugin, enabled)


def page_assets(html):
    """``(stylesheets, scripts)`` a page links, with ``&amp;`` decoded."""
    return ([url.replace("&amp;", "&") for url in LINK.findall(html)],
            [url.replace("&amp;", "&") for url in SCRIPT.findall(html)])


def test_hook_timebank_page_assets(app, client, auth, community, notes):
    auth.login("maple.vol")
    stylesheets, scripts = page_assets(client.get("/c/maple/").text)
    assert len(stylesheets) == 1 and len(scripts) == 1, (stylesheets, scripts)
    assert re.fullmatch(r"/assets/[0-9a-f]{16}\.css\?with=(\w+,)*notes(,\w+)*", stylesheets[0]), stylesheets
    css = client.get(stylesheets[0])
    assert css.status_code == 200 and css.mimetype == "text/css"
    # The core's rules first, then the plugins' in load order: a plugin's rule wins over the core's at equal weight.
    assert 0 < css.text.index("body.elder") < css.text.index(".notes-pin { color: #123456; }")
    assert css.headers["Cache-Control"] == f"public, max-age={YEAR}, immutable"
    js = client.get(scripts[0])
    assert js.status_code == 200 and js.mimetype == "text/javascript"
    assert js.text.index("data-autosubmit") < js.text.index("window.notesLoaded = true")

    # Switched off: not in the community's bundle any more, at a new address (a browser's copy is not reused).
    switch(app, "notes", False)
    stylesheets_off, _scripts = page_assets(client.get("/c/maple/").text)
    assert "notes" not in stylesheets_off[0] and stylesheets_off[0] != stylesheets[0]
    assert ".notes-pin" not in client.get(stylesheets_off[0]).text
    # Outside a community only the core's files (an optional plugin has no community to be on in).
    switch(app, "notes", True)
    outside, _scripts = page_assets(client.get("/account").text)
    assert "?with=" not in outside[0] and ".notes-pin" not in client.get(outside[0]).text


def test_a_plugin_file_that_is_missing_or_of_an_unknown_kind_stops_start_up(app, tmp_path, register_plugin):
    class Missing:
        @hookimpl
        def timebank_page_assets(self):
            return [PageAsset(tmp_path / "nowhere.css")]

    class WrongKind:
        @hookimpl
        def timebank_page_assets(self):
            (tmp_path / "font.woff2").write_bytes(b"\0")
            return [PageAsset(tmp_path / "font.woff2", kind="font")]

    system = app.extensions["timebank"]
    with app.app_context():
        register_plugin(Missing(), "missing")
        with pytest.raises(PluginStartupError, match="plugin missing: page asset .*nowhere.css does not exist"):
            collect_page_assets(system)
        system.pm.unregister(name="missing")
        register_plugin(WrongKind(), "wrongkind")
        with pytest.raises(PluginStartupError, match="plugin wrongkind: page asset kind must be 'css' or 'js'"):
            collect_page_assets(system)
        system.pm.unregister(name="wrongkind")
        collect_page_assets(system)


def test_a_bundle_address_from_before_a_change_gets_todays_content_not_to_be_kept(app, client, community, notes):
    current, _scripts = page_assets(client.get("/login").text)
    stale = re.sub(r"/assets/[0-9a-f]{16}", "/assets/0123456789abcdef", current[0])
    response = client.get(stale)
    assert response.status_code == 200 and response.text == client.get(current[0]).text
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_bundle_is_answered_304_when_the_browser_has_it(client, community):
    stylesheet = page_assets(client.get("/login").text)[0][0]
    first = client.get(stylesheet)
    again = client.get(stylesheet, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("query", ["?with=nosuchplugin", "?with=qr_checkin,qr_checkin", "?with=../app",
                                   "?with=core", "?with=" + "x" * 5000, "?with=qr_checkin%00"])
def test_a_bundle_of_unknown_or_repeated_plugins_is_not_found(client, community, query):
    assert client.get("/assets/0123456789abcdef.css" + query).status_code in (400, 404)
    assert client.get("/assets/0123456789abcdef.js" + query).status_code in (400, 404)


def test_a_bundle_address_of_another_kind_or_with_empty_names_is_handled(client, community):
    assert client.get("/assets/0123456789abcdef.woff2").status_code == 404
    assert client.get("/assets/0123456789abcdef.css?with=,").status_code == 200  # empty names are ignored


def test_the_files_of_a_plugin_are_joined_in_load_order_whatever_the_address_says(app, client, community):
    forward = client.get("/assets/x.css?with=qr_checkin,repair_team").text
    backward = client.get("/assets/x.css?with=repair_team,qr_checkin").text
    assert forward == backward
    assert forward.index("/* qr_checkin: qr_checkin.css */") < forward.index("/* repair_team: repair_team.css */")


def test_a_process_keeps_a_bounded_number_of_bundles(app, client, community, monkeypatch):
    from timebank import assets

    monkeypatch.setattr(assets, "MAX_KEPT", 2)
    system = app.extensions["timebank"]
    system.bundles.clear()
    for names in ("qr_checkin", "repair_team", "mutual_aid", "qr_checkin,mutual_aid"):
        assert client.get(f"/assets/x.css?with={names}").status_code == 200
    assert len(system.bundles) == 2
    assert "mutual_aid: mutual_aid.css" in client.get("/assets/x.css?with=mutual_aid").text  # built, not kept


def test_in_debug_mode_a_changed_file_gets_a_new_address(app, client, community, notes):
    app.debug = True
    first = page_assets(client.get("/login").text)[0][0]
    assert "notes" not in first  # the login page is outside any community: the core's files only
    with app.test_request_context("/c/maple/"):
        from flask import g

        from timebank.assets import bundle

        before = bundle("css", ("notes",))
        (notes.folder / "notes.css").write_text(".notes-pin { color: #654321; }\n")
        after = bundle("css", ("notes",))
        g.pop("_timebank_bundle_urls", None)
    assert before.digest != after.digest and b"#654321" in after.body
    app.debug = False
    (notes.folder / "notes.css").write_text(".notes-pin { color: #000000; }\n")
    with app.test_request_context("/c/maple/"):
        from timebank.assets import bundle

        assert bundle("css", ("notes",)) is after  # in production a bundle is built once per process


def test_every_plugin_page_links_one_stylesheet_and_one_script_that_carry_its_own_rules(app, client, auth, community):
    """The pages that used to link their plugin's own stylesheet and script (7 requests on a first visit)."""
    for plugin in ("qr_checkin", "repair_team", "honor_awards", "mutual_aid", "elder_meals"):
        switch(app, plugin, True)
    auth.login("maple.admin")
    pages = {"/c/maple/p/qr-checkin/": "qr_checkin", "/c/maple/p/repair-team/": "repair_team",
             "/c/maple/p/honor-awards/": "honor_awards", "/c/maple/p/elder-meals/": "elder_meals",
             "/c/maple/p/mutual-aid/": "mutual_aid"}
    for path, plugin in pages.items():
        page = client.get(path)
        assert page.status_code == 200, path
        stylesheets, scripts = page_assets(page.text)
        assert len(stylesheets) == 1 and len(scripts) == 1, (path, stylesheets, scripts)
        assert f"/* {plugin}: {plugin}.css */" in client.get(stylesheets[0]).text, path
        assert "data-kiosk" in client.get(scripts[0]).text  # qr_checkin's script is on in maple


def test_a_qr_code_page_outside_any_community_still_has_its_plugins_stylesheet(app, client, auth, community):
    switch(app, "qr_checkin", True)
    auth.login("maple.vol")
    page = client.get("/p/qr-checkin/scan/not-a-token")
    assert page.status_code == 400
    stylesheet = page_assets(page.text)[0][0]
    assert "with=qr_checkin" in stylesheet and "qr_checkin: qr_checkin.css" in client.get(stylesheet).text


# --- A plugin's rules reach only its own markup --------------------------------------------------------------------

CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
CSS_RULE = re.compile(r"([^{}]+)\{[^{}]*\}")
CLASS = re.compile(r"\.([A-Za-z][\w-]*)")


def css_selectors(text):
    text = re.sub(r"@media[^{]*\{", "", CSS_COMMENT.sub("", text))  # a media block's rules count like the others
    return [one.strip() for selectors in CSS_RULE.findall(text) for one in selectors.split(",") if one.strip()]


def template_classes(folder):
    found = set()
    for path in Path(folder).rglob("*.html"):
        for value in re.findall(r'class="([^"]*)"', path.read_text(encoding="utf-8")):
            found |= set(re.findall(r"[A-Za-z][\w-]*", re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", value)))
    return found


def test_every_rule_of_a_plugins_stylesheet_names_a_class_of_its_own(app):
    """Joined into every page, a plugin's stylesheet must not restyle the core's markup or another plugin's: each
    selector names at least one class that neither the core (app.css, templates) nor another plugin uses. Shared
    patterns (a choice drawn as a card) belong in app.css."""
    system = app.extensions["timebank"]
    files = {}
    for plugin, kind, path, core in system.page_assets:
        if kind == "css":
            files.setdefault("core" if core else plugin, []).append(path)
    selectors = {owner: [one for path in paths for one in css_selectors(path.read_text(encoding="utf-8"))]
                 for owner, paths in files.items()}
    classes = {owner: set().union(*(set(CLASS.findall(one)) for one in found)) for owner, found in selectors.items()}
    folders = {owner: Path(paths[0]).parent.parent for owner, paths in files.items() if owner != "core"}
    used = {owner: template_classes(folder) for owner, folder in folders.items()}
    used["core"] = template_classes(Path(app.template_folder))
    assert len(folders) >= 5, folders
    strays = []
    for owner in folders:
        elsewhere = set().union(*(classes[other] | used[other] for other in classes if other != owner))
        own = classes[owner] - elsewhere
        strays += [f"{owner}: {one}" for one in selectors[owner] if not set(CLASS.findall(one)) & own]
    assert strays == []
