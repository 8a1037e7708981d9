"""Languages, time zones and the shared formatters (durations, dates, masked personal data).

Every user-visible string goes through ``_`` (``gettext``) or ``_l`` (``lazy_gettext``, for strings defined at
import time such as form labels and hook results). Simplified Chinese is the default; English is the second
language. Times are stored in UTC and shown in the community's time zone.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache

from babel import Locale, support
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import (
    Babel,
    Domain,
    LazyString,
    format_date,
    format_datetime,
    format_time,
    get_locale,
    get_timezone,
)
from flask_babel import get_translations as _babel_translations
from flask_login import current_user

from .kept import app_store, remembered

__all__ = ["_", "_l", "ngettext", "lazy_ngettext", "select_locale", "select_timezone", "format_minutes",
           "mask_phone", "mask_name", "format_local_datetime", "format_local_date", "html_lang", "supported_locale",
           "N_", "N_plural", "PluralMessage"]


def translations():
    """The current request's catalogue, for the templates' ``_()``. A page asks a few hundred times on a long list,
    and Flask-Babel's own path costs seven context lookups each time: here the catalogue is kept on ``g`` with
    the locale it belongs to, and found again while that locale object is the current one (``force_locale`` and
    ``flask_babel.refresh`` change it, and so are followed). Python code keeps Flask-Babel's ``gettext``."""
    try:
        app_g = g._get_current_object()
    except RuntimeError:  # outside an application context
        return support.NullTranslations()
    state = app_g.__dict__
    kept = state.get("_timebank_catalogue")
    babel_state = state.get("_flask_babel")
    if kept is not None and babel_state is not None and getattr(babel_state, "babel_locale", None) is kept[0]:
        return kept[1]
    found = _babel_translations()  # selects the locale first when the request has none yet
    state["_timebank_catalogue"] = (get_locale(), found)
    return found


def _(string, **variables):
    """``gettext``: ``string`` in the request's language, formatted with ``variables``. Flask-Babel's own, found
    through :func:`translations` (the same catalogue without its context lookups on each call)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular, plural, num, **variables):
    """Flask-Babel's ``ngettext`` through :func:`translations`: the form for ``num``, which the text may show as
    ``%(num)d``."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def _l(string, **variables):
    """``lazy_gettext``: translated when shown, in the language of that moment (form labels, hook results)."""
    return LazyString(_, string, **variables)


def lazy_ngettext(singular, plural, num, **variables):
    return LazyString(ngettext, singular, plural, num, **variables)


def supported_locale(value):
    """Return ``value`` if it is one of the configured languages, else ``None``."""
    return value if value in current_app.config["LANGUAGES"] else None


def select_locale():
    """The person's saved language, else the one chosen in this browser, else the default (zh_CN)."""
    user = current_user._get_current_object() if request else None  # read once: each use of the proxy looks it up
    if user is not None and user.is_authenticated and supported_locale(user.locale):
        return parsed_locale(user.locale)
    if request and supported_locale(session.get("locale")):
        return parsed_locale(session["locale"])
    return parsed_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


@lru_cache(maxsize=32)
def parsed_locale(name):
    """``babel.Locale`` for a configured language name, parsed once per process (parsing looks through every
    locale Babel knows, a noticeable cost on each page)."""
    return Locale.parse(name)


def select_timezone():
    community = g.get("community") if request else None
    if community is not None and community.timezone:
        return community.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_locale_name():
    """The language of the current request as text (``zh_Hans_CN``, ``en``), or ``""`` outside a request."""
    locale = get_locale()
    return str(locale) if locale is not None else ""


def html_lang():
    """The value for ``<html lang>``: ``zh-CN`` or ``en``. Babel adds the script to Chinese locales
    (``zh_Hans_CN``), which would never match our language list, so only language and territory are kept."""
    locale = get_locale()
    if locale is None:
        return "zh-CN"
    return "-".join(part for part in (locale.language, locale.territory) if part)


def format_minutes(minutes):
    """A duration in whole minutes as words: "1小时30分" / "1 h 30 min"."""
    if minutes is None:
        return ""
    minutes = int(minutes)
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        text = _("%(hours)d h %(minutes)d min", hours=hours, minutes=rest)
    elif hours:
        text = _("%(hours)d h", hours=hours)
    else:
        text = _("%(minutes)d min", minutes=rest)
    return sign + text


def format_local_datetime(value, format="short"):
    """An aware UTC datetime shown in the community's (or default) time zone."""
    return _formatted(format_datetime, value, format) if value is not None else ""


def format_local_time(value, format="short"):
    """The time of day of an aware UTC datetime, in the community's time zone."""
    return _formatted(format_time, value, format) if value is not None else ""


def format_local_date(value, format="medium"):
    return _formatted(format_date, value, format) if value is not None else ""


#: Dates and times a worker keeps formatted (``_formatted``); past this it forgets them all at once.
MAX_FORMATTED = 20_000


def _formatted(formatter, value, format):
    """``formatter(value, format)`` (Flask-Babel's), kept per worker for the value, the format, the language and
    the time zone, which are all the text depends on. A list shows the same few dates and times on row after row
    and page after page (the shift list some forty), and Babel reads the language's pattern and converts the time
    zone on every call."""
    if not has_app_context():
        return formatter(value, format)
    if format == "short" and isinstance(value, datetime) and value.year > 1972:
        # A short date, time, or date and time shows no seconds in any language: the instants of one minute share one
        # entry (the check-in's result page shows the time of a row written a moment ago). Since 1972 every time
        # zone's offset is whole minutes, so the minute shown is that of the minute kept.
        value = value.replace(second=0, microsecond=0)
    return remembered(app_store("timebank_formatted"), (formatter, value, format, get_locale(), get_timezone()),
                      lambda: formatter(value, format), MAX_FORMATTED)


def mask_phone(phone):
    """138****5678: enough to recognise a number, not enough to call it."""
    if not phone:
        return ""
    digits = str(phone)
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) <= 7:
        return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name):
    """张*明 for public lists: first and last character kept; two-character names keep the first."""
    if not name:
        return ""
    name = str(name)
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def N_(message):
    """Mark a string for translation without translating it now (e.g. notification texts stored as msgids)."""
    return message


@dataclass(frozen=True)
class PluralMessage:
    """A message with a singular and a plural msgid, translated later with ``ngettext`` (see :func:`N_plural`)."""

    singular: str
    plural: str


def N_plural(singular, plural):
    """Mark a message with plural forms for translation without translating it now: ``ngettext`` picks the form
    when it is read. For ``notify()``: the count is the ``num`` parameter (Flask-Babel's convention), e.g.
    ``notify(person, kind, N_plural("%(num)d entry was confirmed.", "%(num)d entries were confirmed."), num=3)``.
    The catalogue gets one entry with ``msgid_plural`` (``N_plural`` is one of the extractor's keywords)."""
    return PluralMessage(singular, plural)


def catalogue_folders(locale):
    """Folder names that may hold ``locale``'s catalogue, best first: ``zh_Hans_CN``, ``zh_CN``, ``zh``.

    Babel adds the script to Chinese locales (``zh_CN`` parses as ``zh_Hans_CN``), while catalogues live in the
    gettext-style ``translations/zh_CN/`` that ``pybabel init -l zh_CN`` and translators' tools use.
    """
    names = [str(locale)]
    if locale.territory:
        names.append(f"{locale.language}_{locale.territory}")
    names.append(locale.language)
    return list(dict.fromkeys(names))


class CatalogueDomain(Domain):
    """Flask-Babel's message domain, finding ``zh_CN/`` catalogues (it would look only in ``zh_Hans_CN/`` and
    ``zh/``). Cached per locale *and* set of translation folders, so apps with other plugins do not share."""

    def get_translations(self):
        # Asked for by every ``_()`` of a page (about a hundred): found once per request and language (a
        # ``force_locale`` block, e.g. a notification in the recipient's language, sets another locale object).
        locale = get_locale()
        per_request = g.setdefault("_timebank_translations", {}) if has_request_context() else {}
        found = per_request.get(id(self))
        if found is None or found[0] is not locale:
            found = per_request[id(self)] = (locale, self._find_translations(locale))
        return found[1]

    def _find_translations(self, locale):
        if locale is None:
            return support.NullTranslations()
        directories = tuple(self.translation_directories)
        key = (str(locale), self.domain[0], directories)
        cache = self.get_translations_cache(None)
        if key not in cache:
            translations = support.Translations()
            for index, dirname in enumerate(directories):
                domain = self.domain[0] if len(self.domain) == 1 else self.domain[index]
                catalog = support.Translations.load(dirname, catalogue_folders(locale), domain)
                translations.merge(catalog)
                if hasattr(catalog, "plural"):  # merge() does not copy the plural rule
                    translations.plural = catalog.plural
            cache[key] = translations
        return cache[key]


@lru_cache(maxsize=16)
def _wtforms_catalogue(locale_name):
    from wtforms.i18n import messages_path

    return support.Translations.load(messages_path(), [parsed_locale(locale_name)], domain="wtforms")


class WtformsMessages:
    """WTForms' own messages ("This field is required.") in the request's language. Flask-WTF reads its catalogue
    file again for each request with a form (about 1.5 ms); this finds it once per process and language. Set on
    every request as the ``wtforms_translations`` Flask-WTF looks for; nothing is looked up until a form asks."""

    def ugettext(self, string):
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ungettext(self, singular, plural, n):
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


WTFORMS_MESSAGES = WtformsMessages()


def _share_wtforms_messages():
    request.wtforms_translations = WTFORMS_MESSAGES


class TimebankBabel(Babel):
    """Flask-Babel with :class:`CatalogueDomain` as the default domain, and templates' ``_()`` going through
    :func:`translations` (the same texts, found faster)."""

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        app.before_request(_share_wtforms_messages)
        app.jinja_env.install_gettext_callables(
            gettext=lambda text: translations().ugettext(text),
            ngettext=lambda singular, plural, num: translations().ungettext(singular, plural, num),
            pgettext=lambda context, text: translations().upgettext(context, text),
            npgettext=lambda context, singular, plural, num: translations().unpgettext(context, singular, plural,
                                                                                        num),
            newstyle=True,
        )

    @cached_property
    def domain_instance(self):
        return CatalogueDomain(domain=self.domain)
