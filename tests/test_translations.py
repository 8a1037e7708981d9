"""The translation catalogues: complete, in step with the source, compiled, placeholders intact; zh_CN by default.

If a test here fails after you added or changed a user-visible string: run ``make translations`` (that is,
``python tools/translations.py update`` then ``compile``), translate the new entries in the .po file it names,
and run it again so that the .mo file follows.
"""

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
FIX = "Run `make translations`, translate the new entries in the .po file, then run it again."


def _load_tool():
    spec = importlib.util.spec_from_file_location("timebank_translations_tool", ROOT / "tools" / "translations.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


def _catalogues():
    """Every catalogue on disk: the core's and those of the bundled plugins (any language)."""
    core = sorted((ROOT / "timebank" / "translations").glob("*/LC_MESSAGES/messages.po"))
    plugins = sorted((ROOT / "plugins").glob("*/translations/*/LC_MESSAGES/messages.po"))
    return core + plugins


CATALOGUES = _catalogues()
CATALOGUE_IDS = [str(path.relative_to(ROOT)) for path in CATALOGUES]


def _read_po(path):
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=path.parent.parent.name)


def _entries(catalog):
    return [message for message in catalog if message.id]


def _describe(message):
    return repr(message.id if isinstance(message.id, str) else tuple(message.id))


def _key(message):
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return (msgid, message.context)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The msgids of the current source, per area, written to and read back from .pot files in a temp dir."""
    folder = tmp_path_factory.mktemp("pot")
    result = {}
    for area, template in tool.extract().items():
        path = folder / f"{area}.pot"
        with path.open("wb") as fileobj:
            write_po(fileobj, template)
        with path.open("rb") as fileobj:
            result[area] = read_po(fileobj)
    return result


@pytest.mark.database_independent
def test_core_has_a_simplified_chinese_catalogue():
    assert tool.core_area().po_path("zh_CN") in CATALOGUES


@pytest.mark.database_independent
@pytest.mark.parametrize("path", CATALOGUES, ids=CATALOGUE_IDS)
def test_catalogue_is_complete(path):
    """(a) No untranslated and no fuzzy entry."""
    catalog = _read_po(path)
    assert not catalog.fuzzy, f"{path.relative_to(ROOT)}: the header is marked fuzzy"
    untranslated = [_describe(m) for m in _entries(catalog) if not tool.is_translated(m)]
    fuzzy = [_describe(m) for m in _entries(catalog) if m.fuzzy]
    assert not untranslated and not fuzzy, (
        f"{path.relative_to(ROOT)}: untranslated {untranslated}, fuzzy {fuzzy}. {FIX}")


@pytest.mark.database_independent
def test_every_extracted_msgid_is_in_its_catalogue(extracted):
    """(b) A string added to the code or a template without updating the catalogue fails here, by name."""
    problems = []
    for area_name, template in extracted.items():
        area = tool.core_area() if area_name == "core" else tool.plugin_area(area_name)
        wanted = {_key(message): message for message in _entries(template)}
        for locale in tool.REQUIRED_LOCALES:
            path = area.po_path(locale)
            if not path.exists():
                if wanted:
                    problems.append(f"{path.relative_to(ROOT)} is missing")
                continue
            present = {_key(message) for message in _entries(_read_po(path))}
            missing = [_describe(message) for key, message in wanted.items() if key not in present]
            if missing:
                problems.append(f"{path.relative_to(ROOT)} lacks {len(missing)} msgid(s): {', '.join(missing)}")
    assert not problems, "\n".join([*problems, FIX])


@pytest.mark.database_independent
@pytest.mark.parametrize("path", CATALOGUES, ids=CATALOGUE_IDS)
def test_compiled_catalogue_matches_its_source(path, tmp_path):
    """(c) The committed .mo holds exactly what compiling the .po gives (so `pip install .` needs no build)."""
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(ROOT)} is missing: run `python tools/translations.py compile`"
    fresh = tmp_path / "messages.mo"
    with fresh.open("wb") as fileobj:
        write_mo(fileobj, _read_po(path))

    def messages(file):
        with file.open("rb") as fileobj:
            catalog = read_mo(fileobj)
        return {_key(m): (m.string if isinstance(m.string, str) else tuple(m.string)) for m in _entries(catalog)}

    committed, expected = messages(mo_path), messages(fresh)
    stale = sorted({repr(key[0]) for key in committed.keys() ^ expected.keys()}
                   | {repr(key[0]) for key in committed.keys() & expected.keys() if committed[key] != expected[key]})
    assert not stale, (f"{mo_path.relative_to(ROOT)} is out of date ({len(stale)} entries differ, e.g. "
                       f"{', '.join(stale[:10])}): run `python tools/translations.py compile`")


NAMED = re.compile(r"%\((\w+)\)[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa])")
SAMPLE = {"d": 3, "i": 3, "o": 3, "u": 3, "x": 3, "X": 3, "c": 65, "e": 1.5, "E": 1.5, "f": 1.5, "F": 1.5,
          "g": 1.5, "G": 1.5, "s": "x", "r": "x", "a": "x"}


@pytest.mark.database_independent
@pytest.mark.parametrize("path", CATALOGUES, ids=CATALOGUE_IDS)
def test_translations_keep_the_placeholders(path):
    """(d) Every translation uses exactly its msgid's %(name)s placeholders and can be formatted like it."""
    problems = []
    for message in _entries(_read_po(path)):
        if not tool.is_translated(message):
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = [{match.group(0) for match in NAMED.finditer(msgid)} for msgid in ids]
        values = {m.group(1): SAMPLE[m.group(2)] for msgid in ids for m in NAMED.finditer(msgid)}
        # Flask-Babel formats when it is given variables; Jinja's newstyle gettext formats every template string.
        formatted = bool(values) or "%%" in "".join(ids) or any(
            filename.endswith(".html") for filename, _lineno in message.locations)
        for string in strings:
            found = {match.group(0) for match in NAMED.finditer(string)}
            if found not in wanted:
                problems.append(f"{_describe(message)} -> {string!r}: placeholders {sorted(found)}, "
                                f"expected {sorted(wanted[-1])}")
                continue
            if formatted:
                try:
                    string % values
                except (KeyError, ValueError, TypeError) as error:
                    problems.append(f"{_describe(message)} -> {string!r} cannot be formatted: {error}")
        problem = tool.placeholder_problem(message)
        if problem and not any(line.startswith(_describe(message)) for line in problems):
            problems.append(f"{_describe(message)}: {problem}")
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


def test_pages_are_in_simplified_chinese_by_default_and_english_on_request(client, auth):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "登录" in page
    assert "Log in" not in page

    auth.use_language("en")
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert "登录" not in page


def test_durations_are_formatted_in_chinese(app):
    from timebank.i18n import format_minutes

    with app.test_request_context("/"):
        assert format_minutes(90) == "1小时30分"
        assert format_minutes(120) == "2小时"
        assert format_minutes(45) == "45分钟"


def test_wtforms_own_messages_follow_the_request_language(app):
    """WTForms' built-in messages come in the person's language, from a catalogue read once per process."""
    from flask import request, session
    from flask_babel import refresh
    from flask_wtf import FlaskForm
    from wtforms import IntegerField, StringField
    from wtforms.validators import DataRequired, Length

    from timebank.i18n import WTFORMS_MESSAGES

    class Form(FlaskForm):
        class Meta:
            csrf = False

        number = IntegerField()
        name = StringField(validators=[DataRequired(), Length(min=3)])

    def errors(data, language=None):
        with app.test_request_context("/", method="POST", data=data):
            app.preprocess_request()
            assert request.wtforms_translations is WTFORMS_MESSAGES  # not Flask-WTF's catalogue read per request
            if language:
                session["locale"] = language
                refresh()
            form = Form()
            form.validate()
            return form.errors

    assert errors({"number": "x"}) == {"number": ["不是有效的整数。"], "name": ["该字段是必填字段。"]}
    assert errors({"number": "4", "name": "ab"}) == {"name": ["字段长度必须至少 3 个字符。"]}
    assert errors({"number": "x", "name": "ab"}, "en") == {
        "number": ["Not a valid integer value."], "name": ["Field must be at least 3 characters long."]}
    assert errors({"number": "x"}) == {"number": ["不是有效的整数。"], "name": ["该字段是必填字段。"]}


# --- The tool itself, on a scratch repository with a bundled plugin -------------------------------------------------


def _scratch_repository(root):
    (root / "babel.cfg").write_text((ROOT / "babel.cfg").read_text(encoding="utf-8"), encoding="utf-8")
    files = {
        "timebank/__init__.py": "",
        "timebank/views.py": 'from flask_babel import gettext as _\n\nTEXT = _("Core hello")\n',
        "templates/page.html": "<p>{{ _('Core page %(n)d', n=2) }}</p>\n",
        "plugins/__init__.py": "",
        "plugins/repairs/__init__.py": "",
        "plugins/repairs/plugin.py": 'from timebank.i18n import _l, ngettext\n\nTITLE = _l("Repairs")\n'
                                     'def count(n):\n    return ngettext("%(num)d order", "%(num)d orders", n)\n',
        "plugins/repairs/templates/repairs/list.html": "<h1>{{ _('Repair requests') }}</h1>\n",
        "plugins/repairs/tests/test_repairs.py": 'from timebank.i18n import _\n\n_("Only in a test")\n',
        "plugins/quiet/__init__.py": "",
        "plugins/quiet/plugin.py": "VALUE = 1\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


@pytest.mark.database_independent
def test_tool_gives_each_bundled_plugin_its_own_catalogue(tmp_path, monkeypatch, capsys):
    _scratch_repository(tmp_path)
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    tool.update(verbose=False)

    core = _read_po(tmp_path / "timebank/translations/zh_CN/LC_MESSAGES/messages.po")
    plugin_po = tmp_path / "plugins/repairs/translations/zh_CN/LC_MESSAGES/messages.po"
    plugin = _read_po(plugin_po)
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in _entries(core)} == {"Core hello", "Core page %(n)d"}
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in _entries(plugin)} == {
        "Repairs", "%(num)d order", "Repair requests"}
    assert not (tmp_path / "plugins/quiet/translations").exists()  # no strings, no catalogue
    assert tool.check() == 1
    assert "untranslated: 'Repair requests'" in capsys.readouterr().out

    for message in _entries(plugin):
        message.string = ("%(num)d 个工单",) if message.pluralizable else {"Repairs": "维修",
                                                                        "Repair requests": "报修"}[message.id]
    plugin_po.write_bytes(tool.po_bytes(plugin))
    for message in _entries(core):
        message.string = {"Core hello": "你好", "Core page %(n)d": "第%(n)d页"}[message.id]
    (tmp_path / "timebank/translations/zh_CN/LC_MESSAGES/messages.po").write_bytes(tool.po_bytes(core))
    assert tool.check() == 1  # not compiled yet
    tool.compile_catalogues(verbose=False)
    assert tool.check() == 0
    with (plugin_po.with_suffix(".mo")).open("rb") as fileobj:
        assert read_mo(fileobj).get("Repair requests").string == "报修"

    # A string removed from the source and put back keeps its translation; a new one arrives untranslated.
    views = tmp_path / "timebank/views.py"
    views.write_text('from flask_babel import gettext as _\n\nTEXT = _("Core hi")\n', encoding="utf-8")
    tool.update(verbose=False)
    views.write_text('from flask_babel import gettext as _\n\nTEXT = _("Core hello")\nNEW = _("Core new")\n',
                     encoding="utf-8")
    tool.update(verbose=False)
    core = _read_po(tmp_path / "timebank/translations/zh_CN/LC_MESSAGES/messages.po")
    assert core.get("Core hello").string == "你好"
    assert core.get("Core new").string == ""
    assert not any(m.fuzzy for m in _entries(core))


@pytest.mark.database_independent
def test_placeholder_check_catches_broken_translations():
    from babel.messages.catalog import Message

    def problem(msgid, string, locations=()):
        return tool.placeholder_problem(Message(msgid, string, locations=list(locations)))

    assert problem("%(n)d min", "%(n)d分钟") is None
    assert problem("%(n)d min", "%（n)d分钟") is not None
    assert problem("Act on behalf of %(name)s", "代办") is not None
    assert problem("%(hours)d h", "%(hours)d小时%(minutes)d分") is not None
    assert problem("Minimum attendance (% of the shift)", "最低出勤比例（%）") is None
    assert problem("Page %(page)d", "第%(page)d页，100%") is not None
    assert problem("Saved.", "已保存 100%", [("templates/a.html", None)]) is not None


@pytest.mark.database_independent
def test_a_msgid_means_the_same_in_every_catalogue():
    """Catalogues are merged with the core's last: a plugin cannot re-translate a core string (its translation
    would be silently ignored, and "Home" must stay the tab bar's 首页). Use a distinct msgid instead."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "tools"))
    try:
        import translations as tool
    finally:
        sys.path.pop(0)
    core_path = root / "timebank" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    core = {message.id: message.string for message in tool.read_catalog(core_path, "zh_CN") if message.id}
    clashes = []
    for path in sorted((root / "plugins").glob("*/translations/zh_CN/LC_MESSAGES/messages.po")):
        for message in tool.read_catalog(path, "zh_CN"):
            if message.id and message.id in core and message.string and message.string != core[message.id]:
                clashes.append(f"{path.relative_to(root)}: {message.id!r} is {message.string!r}, "
                               f"the core says {core[message.id]!r}")
    assert not clashes, "\n".join(clashes)


def test_python_gettext_gives_what_flask_babel_gives_in_each_language(app):
    """``timebank.i18n``'s ``_``, ``ngettext`` and their lazy forms read the request's kept catalogue; they must say
    exactly what Flask-Babel's own functions say, also inside ``force_locale`` and in a plugin's message."""
    import flask_babel

    from timebank import i18n

    singular, plural = "%(num)d star", "%(num)d stars"
    with app.test_request_context():
        lazy = i18n._l("Hours waiting for confirmation")
        lazy_plural = i18n.lazy_ngettext(singular, plural, 2)
        for locale in ("zh_CN", "en", "zh_CN"):
            with flask_babel.force_locale(locale):
                for msgid in ("Hours waiting for confirmation", "Repair board", "My hours"):
                    assert i18n._(msgid) == flask_babel.gettext(msgid)
                assert i18n._("%(hours)d h", hours=3) == flask_babel.gettext("%(hours)d h", hours=3)
                for num in (1, 2):
                    assert i18n.ngettext(singular, plural, num) == flask_babel.ngettext(singular, plural, num)
                assert str(lazy) == flask_babel.gettext("Hours waiting for confirmation")
                assert lazy.__html__() == str(lazy)
                assert str(lazy_plural) == flask_babel.ngettext(singular, plural, 2)
        with flask_babel.force_locale("zh_CN"):
            assert i18n._("Repair board") != "Repair board"  # a plugin's message, translated
    assert i18n._("My hours") == "My hours"  # outside any application: the text itself


def test_dates_and_times_are_formatted_as_flask_babel_does_for_each_language_and_time_zone(app, monkeypatch):
    """Each worker keeps the dates and times it formatted (``i18n._formatted``): the key must hold everything the
    text depends on. The same instant in two communities' time zones and two languages, as Flask-Babel says it."""
    from datetime import UTC, date, datetime
    from types import SimpleNamespace

    import flask_babel
    from flask import g

    from timebank import i18n

    moment = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)  # 07:30 on the 20th in Shanghai, 05:30 in Urumqi
    seen = set()
    for zone in ("Asia/Shanghai", "Asia/Urumqi", "Asia/Shanghai"):
        with app.test_request_context():
            g.community = SimpleNamespace(timezone=zone)
            for locale in ("zh_CN", "en"):
                with flask_babel.force_locale(locale):
                    shown = (i18n.format_local_datetime(moment), i18n.format_local_time(moment),
                             i18n.format_local_date(moment), i18n.format_local_date(date(2026, 11, 20), "long"),
                             i18n.format_local_time(moment, "HH:mm"))
                    assert shown == (flask_babel.format_datetime(moment, "short"),
                                     flask_babel.format_time(moment, "short"), flask_babel.format_date(moment, "medium"),
                                     flask_babel.format_date(date(2026, 11, 20), "long"),
                                     flask_babel.format_time(moment, "HH:mm"))
                    seen.add((zone, locale, shown[4]))
    assert {time for _zone, _locale, time in seen} == {"07:30", "05:30"}
    assert len(seen) == 4
    with app.test_request_context():
        monkeypatch.setattr(i18n, "MAX_FORMATTED", 2)
        app.extensions["timebank_formatted"].clear()
        for minute in (1, 2, 3):
            i18n.format_local_time(moment.replace(minute=minute))
        assert len(app.extensions["timebank_formatted"]) == 1  # forgotten all at once when full


def test_instants_of_one_minute_share_a_kept_short_time_and_seconds_still_show(app):
    """A short time shows no seconds, so the instants of one minute are kept as one entry (a check-in's result page
    shows a time written a moment ago); a format that shows seconds keeps each instant apart."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    import flask_babel
    from flask import g

    from timebank import i18n

    with app.test_request_context():
        g.community = SimpleNamespace(timezone="Asia/Shanghai")
        app.extensions.pop("timebank_formatted", None)
        for locale in ("zh_CN", "en"):
            with flask_babel.force_locale(locale):
                for second, micro in ((0, 0), (17, 250), (59, 999_999)):
                    moment = datetime(2026, 11, 24, 0, 5, second, micro, tzinfo=UTC)
                    assert i18n.format_local_datetime(moment) == flask_babel.format_datetime(moment, "short")
                    assert i18n.format_local_time(moment) == flask_babel.format_time(moment, "short")
                    assert i18n.format_local_date(moment, "short") == flask_babel.format_date(moment, "short")
                    assert i18n.format_local_time(moment, "medium") == flask_babel.format_time(moment, "medium")
        kept = app.extensions["timebank_formatted"]
        assert sum(1 for key in kept if key[2] == "short") == 2 * 3  # a datetime, a time, a date per language
        assert sum(1 for key in kept if key[2] == "medium") == 2 * 3  # each instant apart: seconds show
        with flask_babel.force_locale("en"):
            assert i18n.format_local_time(datetime(2026, 11, 24, 0, 5, 59, tzinfo=UTC), "medium").startswith("8:05:59")
