#!/usr/bin/env python3
"""Extract, merge, compile and check the translation catalogues of the core and of every bundled plugin.

Usage (from anywhere; paths are relative to the repository)::

    python tools/translations.py update    # extract the msgids and merge new ones into every catalogue
    python tools/translations.py compile   # write the .mo files next to the .po files (they are committed)
    python tools/translations.py check     # exit 1 listing untranslated, fuzzy, missing or broken entries

One catalogue per area and language (the domain is always ``messages``):

* the core: ``timebank/**.py`` and ``templates/**.html`` -> ``timebank/translations/<locale>/LC_MESSAGES/``;
* each bundled plugin ``plugins/<name>/`` (its .py files, without ``tests/`` and ``migrations/``, and
  ``plugins/<name>/templates/**``) -> ``plugins/<name>/translations/<locale>/LC_MESSAGES/``.

Which files are read, and with which extractor, is ``babel.cfg`` at the repository root; a message belongs to the
area of the file it was found in. The msgids are English, so English needs no catalogue; Simplified Chinese
(``zh_CN``, the default language) must be complete. ``update`` never guesses (no fuzzy matching): a new or
changed msgid arrives untranslated. A msgid that leaves the source is kept as an obsolete (``#~``) entry and its
translation comes back by itself if the very same msgid returns.

After adding or changing strings: ``make translations`` (or ``update`` then ``compile``), translate the new
entries (the command lists them) in the .po file, and run it again so that the .mo files follow.
"""

import argparse
import io
import re
import sys
import tomllib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

#: The repository; the mapping file is ``ROOT / "babel.cfg"``. (Tests point ROOT at a scratch copy.)
ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "messages"
#: Languages that must have a complete catalogue in every area. Other languages found on disk are kept up to date.
REQUIRED_LOCALES = ("zh_CN",)
PROJECT = "timebank"
#: The functions whose string arguments are msgids (Babel's keyword specs).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "N_": None,
    "N_plural": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
#: ``# TRANSLATORS: ...`` comments just above a string reach the translator.
COMMENT_TAGS = ("TRANSLATORS:",)
#: Folders inside a plugin whose files are not part of what users see.
PLUGIN_SKIP_DIRS = {"tests", "migrations", "static", "translations"}
SKIP_DIRS = {"__pycache__", "node_modules", "static", "translations"}
WIDTH = 110  # the project's line length; fewer wrapped lines, easier diffs

# Flask-Babel formats with keyword arguments only (``_("%(n)d min", n=5)``), so the placeholders that matter are
# the named ones; "%%" is an escaped percent sign, and any other "%" is plain text.
NAMED_PLACEHOLDER = re.compile(r"%\((?P<name>[^)]*)\)[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa]")


@dataclass(frozen=True)
class Area:
    """Where one catalogue's strings come from and where the catalogue lives."""

    name: str  # "core" or the plugin's package name
    root: Path  # the folder whose files belong to this area
    translations: Path  # <area>/translations

    def po_path(self, locale):
        return self.translations / locale / "LC_MESSAGES" / f"{DOMAIN}.po"

    def mo_path(self, locale):
        return self.po_path(locale).with_suffix(".mo")

    def locales(self):
        """The required languages and any other language that already has a catalogue here."""
        found = {path.parent.parent.name for path in self.translations.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
        return sorted(found | set(REQUIRED_LOCALES))

    def label(self, path):
        return str(path.relative_to(ROOT))


def core_area():
    return Area("core", ROOT / "timebank", ROOT / "timebank" / "translations")


def plugin_area(name):
    folder = ROOT / "plugins" / name
    return Area(name, folder, folder / "translations")


def bundled_plugins():
    """Names of the plugin packages in ``plugins/`` (folders holding Python files or templates)."""
    folder = ROOT / "plugins"
    if not folder.is_dir():
        return []
    return sorted(
        path.name for path in folder.iterdir()
        if path.is_dir() and not path.name.startswith((".", "_"))
        and ((path / "__init__.py").exists() or (path / "plugin.py").exists() or (path / "templates").is_dir())
    )


def areas():
    return [core_area(), *(plugin_area(name) for name in bundled_plugins())]


# --- Extraction --------------------------------------------------------------------------------------------------


def _mapping():
    path = ROOT / "babel.cfg"
    with path.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, filename=str(path))
    return method_map, options_map


def _area_of(relative_path):
    """The area a file belongs to, from its path relative to the repository ("plugins/<name>/..." or the core)."""
    parts = Path(relative_path).parts
    if len(parts) >= 3 and parts[0] == "plugins":
        return parts[1]
    return "core"


def _directory_filter(top_dirs):
    def keep(dirpath):
        parts = Path(dirpath).resolve().relative_to(ROOT.resolve()).parts
        if not parts:
            return True
        if parts[0] not in top_dirs or parts[-1].startswith(".") or parts[-1] in SKIP_DIRS:
            return False
        # plugins/<name>/tests, plugins/<name>/migrations...: not shown to users
        return not (parts[0] == "plugins" and len(parts) >= 3 and parts[2] in PLUGIN_SKIP_DIRS)

    return keep


def new_template():
    return Catalog(project=PROJECT, domain=DOMAIN, charset="utf-8", fuzzy=False)


def extract():
    """Read the sources once; return ``{area name: template Catalog}`` for every area that has messages.

    The core is always present (possibly empty); a plugin only if it has translatable strings.
    """
    method_map, options_map = _mapping()
    top_dirs = {pattern.split("/", 1)[0] for pattern, _method in method_map}
    templates = {"core": new_template()}
    results = extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True,
        directory_filter=_directory_filter(top_dirs),
    )
    for filename, lineno, message, comments, context in results:
        filename = Path(filename).as_posix()
        area = _area_of(filename)
        if area != "core" and not (ROOT / "plugins" / area).is_dir():
            continue
        catalog = templates.setdefault(area, new_template())
        if isinstance(message, tuple | list) and len(message) == 1:
            message = message[0]
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return templates


# --- Catalogue helpers --------------------------------------------------------------------------------------------


def key_of(message):
    """How a catalogue indexes a message: the (singular) msgid, with its context if any."""
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return (msgid, message.context) if message.context else msgid


def entries(catalog):
    """The real entries of a catalogue (without the header)."""
    return [message for message in catalog if message.id]


def is_translated(message):
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return bool(strings) and all(strings)


def read_catalog(path, locale):
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale, domain=DOMAIN)


def po_bytes(catalog):
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, include_lineno=False, sort_output=True, ignore_obsolete=False,
             include_previous=False)
    return buffer.getvalue()


def mo_bytes(catalog):
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def mo_messages(data):
    """The message dictionary of compiled catalogue bytes: {(msgid, context): msgstr} without the header."""
    catalog = read_mo(io.BytesIO(data))
    return {(message.id if not isinstance(message.id, list) else tuple(message.id), message.context):
            (message.string if not isinstance(message.string, list) else tuple(message.string))
            for message in catalog if message.id}


def _write_if_changed(path, data):
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def placeholders(text):
    """The named placeholders of ``text`` ({"%(name)s", ...}), its number of "%%" and of other (bare) "%"."""
    text = text or ""
    named = frozenset(match.group(0) for match in NAMED_PLACEHOLDER.finditer(text))
    rest = NAMED_PLACEHOLDER.sub("", text)
    escaped = rest.count("%%")
    return named, escaped, rest.replace("%%", "").count("%")


def placeholder_problem(message):
    """A short description if the translation's placeholders differ from the msgid's, else ``None``.

    The translation must use exactly the msgid's named placeholders. If the msgid is a format string (it has
    placeholders or "%%"), a literal percent sign must be written "%%" in the translation too; otherwise a bare
    "%" is allowed only where the msgid has one.
    """
    if not is_translated(message):
        return None
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    expected = [placeholders(msgid) for msgid in ids]  # a plural form may follow the singular or the plural
    # Jinja's newstyle gettext formats every template string, with or without variables.
    is_format = any(named or escaped for named, escaped, _bare in expected) or any(
        filename.endswith((".html", ".txt")) for filename, _lineno in message.locations)
    for string in strings:
        named, escaped, bare = placeholders(string)
        if not any(named == wanted for wanted, _escaped, _bare in expected):
            wanted = sorted(max((item[0] for item in expected), key=len))
            return f"placeholders {sorted(named)} in the translation, {wanted} in the msgid"
        if bare and (is_format or not any(item[2] for item in expected)):
            return f"bare '%' in {string!r}: write it as in the msgid ('%%' in a format string)"
        if escaped and not is_format:
            return f"'%%' in {string!r} would be shown as two percent signs: the msgid is not a format string"
    return None


# --- Commands ----------------------------------------------------------------------------------------------------


def _project_version():
    path = ROOT / "pyproject.toml"
    if not path.exists():
        return ""
    with path.open("rb") as fileobj:
        return tomllib.load(fileobj).get("project", {}).get("version", "")


def _new_catalog(locale):
    created = datetime.now(UTC).replace(second=0, microsecond=0)
    return Catalog(locale=locale, domain=DOMAIN, project=PROJECT, version=_project_version(), charset="utf-8",
                   fuzzy=False, creation_date=created, revision_date=created, msgid_bugs_address="timebank maintainers",
                   language_team=f"{locale} <timebank translators>", last_translator="timebank contributors",
                   header_comment=f"# {locale} translations for {PROJECT}.\n"
                                  f"# Maintained with tools/translations.py; see its docstring.\n#")


def merge(catalog, template):
    """Merge ``template`` into ``catalog`` in place: new msgids untranslated, gone ones obsolete, no guessing."""
    kept_obsolete = OrderedDict(catalog.obsolete)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False)
    kept_obsolete.update(catalog.obsolete)
    active = set()
    for message in entries(catalog):
        key = key_of(message)
        active.add(key)
        old = kept_obsolete.get(key)
        if not is_translated(message) and old is not None and old.id == message.id and is_translated(old):
            message.string = old.string  # the very same msgid came back: so does its translation
            if old.fuzzy:
                message.flags.add("fuzzy")
    catalog.obsolete = OrderedDict(
        sorted(((key, message) for key, message in kept_obsolete.items()
                if key not in active and is_translated(message)), key=lambda item: repr(item[0]))
    )
    catalog.fuzzy = False


def update(verbose=True, only=None):
    """Extract and merge into every catalogue (or only the areas named in ``only``: "core", a plugin's name);
    return {po path: [untranslated entries]}."""
    templates = extract()
    todo = {}
    for area in areas():
        if only and area.name not in only:
            continue
        template = templates.get(area.name)
        for locale in area.locales():
            path = area.po_path(locale)
            if template is None and not path.exists():
                continue  # a plugin without any translatable string needs no catalogue
            catalog = read_catalog(path, locale) if path.exists() else _new_catalog(locale)
            before = {key_of(message) for message in entries(catalog)}
            merge(catalog, template or new_template())
            changed = _write_if_changed(path, po_bytes(catalog))
            missing = [message for message in entries(catalog) if not is_translated(message) or message.fuzzy]
            todo[path] = missing
            if verbose:
                added = len({key_of(message) for message in entries(catalog)} - before)
                state = "updated" if changed else "unchanged"
                print(f"{area.label(path)}: {len(entries(catalog))} entries, {added} new, "
                      f"{len(missing)} to translate ({state})")
                for message in missing:
                    print(f"    {_describe(message)}")
    return todo


def compile_catalogues(verbose=True):
    """Write the .mo file of every .po file whose compiled form differs; return the paths written."""
    written = []
    for area in areas():
        for locale in area.locales():
            path = area.po_path(locale)
            if not path.exists():
                continue
            catalog = read_catalog(path, locale)
            mo_path = area.mo_path(locale)
            if _write_if_changed(mo_path, mo_bytes(catalog)):
                written.append(mo_path)
            if verbose:
                done = sum(1 for message in entries(catalog) if is_translated(message) and not message.fuzzy)
                print(f"{area.label(mo_path)}: {done} of {len(entries(catalog))} entries translated")
    return written


def _describe(message):
    text = message.id if not isinstance(message.id, tuple | list) else " / ".join(message.id)
    return f"{text!r}" + (f" (context {message.context!r})" if message.context else "")


def problems():
    """Everything that is wrong with the catalogues, as {catalogue label: [problem lines]}."""
    templates = extract()
    found = {}
    for area in areas():
        template = templates.get(area.name)
        for locale in area.locales():
            path = area.po_path(locale)
            label = area.label(path)
            lines = []
            if not path.exists():
                if template is not None and entries(template):
                    found[label] = ["catalogue missing: run `python tools/translations.py update`"]
                continue
            catalog = read_catalog(path, locale)
            present = {key_of(message) for message in entries(catalog)}
            for message in entries(template or new_template()):
                if key_of(message) not in present:
                    lines.append(f"not in the catalogue (run update): {_describe(message)}")
            for message in entries(catalog):
                if message.fuzzy:
                    lines.append(f"fuzzy: {_describe(message)}")
                elif not is_translated(message):
                    lines.append(f"untranslated: {_describe(message)}")
                else:
                    problem = placeholder_problem(message)
                    if problem:
                        lines.append(f"placeholders: {_describe(message)}: {problem}")
            if catalog.fuzzy:
                lines.append("the header is marked fuzzy")
            mo_path = area.mo_path(locale)
            if not mo_path.exists():
                lines.append(f"{area.label(mo_path)} missing: run `python tools/translations.py compile`")
            elif mo_messages(mo_path.read_bytes()) != mo_messages(mo_bytes(catalog)):
                lines.append(f"{area.label(mo_path)} is out of date: run `python tools/translations.py compile`")
            if lines:
                found[label] = lines
    return found


def check():
    found = problems()
    for label, lines in found.items():
        print(f"{label}: {len(lines)} problem(s)")
        for line in lines:
            print(f"    {line}")
    if found:
        print("Translate the entries in the .po file(s), then run `make translations` "
              "(tools/translations.py update && compile).")
        return 1
    print("All catalogues are complete and compiled.")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("command", choices=["update", "compile", "check"])
    parser.add_argument("--area", action="append", help="update only this area (core, or a plugin's name); "
                                                        "may be repeated")
    args = parser.parse_args(argv)
    if args.command == "update":
        update(only=set(args.area) if args.area else None)
        return 0
    if args.command == "compile":
        compile_catalogues()
        return 0
    return check()


if __name__ == "__main__":
    sys.exit(main())
