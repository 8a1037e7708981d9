"""A notification's parameters as stored and as read.

A notification is read long after it was sent, by someone who may use another language than the person whose
action sent it. So nothing that depends on the language is formatted when the message is sent: durations, days and
texts of the application are stored raw, with a marker saying what they are, and formatted in the reader's
language when the message is shown (the inbox, a delivery channel).

What a parameter of ``notify()`` becomes in ``Notification.params_json`` (one JSON object):

========================================  =====================================================================
passed as                                 stored as, and shown as
========================================  =====================================================================
``Minutes(90)``                           ``{"minutes": 90}``: ``format_minutes`` ("1 h 30 min", "1小时30分")
a ``datetime.date``                       ``{"date": "2026-11-24"}``: the day in the reader's medium format
                                          ("Nov 24, 2026", "2026年11月24日")
an ``int``                                the number (counts, ``%(num)d`` of a plural message)
``_l("Lunch")``                           ``{"msgid": "Lunch"}``: translated when read
``_l("%(n)d-star volunteer", n=3)``       ``{"msgid": ..., "params": {"n": 3}}`` (its parameters stored alike)
``lazy_ngettext(singular, plural, n)``    ``{"msgid": ..., "plural": ..., "num": n}`` (and ``"params"``)
anything else                             its text, shown as it is (names, titles, reasons people typed)
========================================  =====================================================================

A message sent as ``N_plural(singular, plural)`` keeps its singular msgid in ``Notification.message`` and its
plural msgid under the key ``"_plural"`` of the parameters; its count is the parameter ``num``.

Notifications stored before this (every parameter a string, durations formatted in the sender's language) are
read through :func:`upgrade_legacy`: known messages get their new form, and their durations are parsed back
into minutes, so that they too read in the reader's language.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import LazyString, force_locale, format_date, gettext, ngettext

from .. import i18n
from ..i18n import format_minutes

PLURAL_KEY = "_plural"  # (messages name their placeholders without a leading underscore)


@dataclass(frozen=True)
class Minutes:
    """A duration in whole minutes, for a notification parameter: formatted in the reader's language when read."""

    minutes: int

    def __str__(self):  # (used as text elsewhere: the current language)
        return format_minutes(self.minutes)


# --- Storing ------------------------------------------------------------------------------------------------------


def stored_param(value):
    """The JSON form of one parameter (see the module's table)."""
    if isinstance(value, Minutes):
        return {"minutes": int(value.minutes)}
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):  # (a moment needs a time zone to be shown: send the text you mean)
        return str(value)
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, LazyString):
        return _stored_lazy(value)
    return str(value)


def _stored_lazy(value):
    args, kwargs = value._args, value._kwargs
    if value._func in (i18n._, gettext) and len(args) == 1:
        stored = {"msgid": args[0]}
    elif value._func in (i18n.ngettext, ngettext) and len(args) == 3:
        stored = {"msgid": args[0], "plural": args[1], "num": int(args[2])}
    else:
        return str(value)
    if kwargs:
        stored["params"] = {key: stored_param(item) for key, item in kwargs.items()}
    return stored


def stored_params(message, params):
    """``(msgid, {name: stored value})`` for ``notify``: ``message`` is a msgid or an ``N_plural`` message."""
    stored = {key: stored_param(value) for key, value in params.items()}
    plural = getattr(message, "plural", None)
    if plural is None:
        return message, stored
    if not isinstance(stored.get("num"), int):
        raise ValueError("a message with plural forms needs its count as the int parameter num")
    stored[PLURAL_KEY] = plural
    return message.singular, stored


# --- Reading ------------------------------------------------------------------------------------------------------


def read_param(value):
    """One stored parameter as text (or number) in the current language."""
    if not isinstance(value, dict):
        return value
    if "minutes" in value:
        return format_minutes(value["minutes"])
    if "date" in value:
        return format_date(date.fromisoformat(value["date"]), "medium")
    if "msgid" in value:
        msgid = value["msgid"]  # (not inside the call: the message extractor would take the key for a msgid)
        params = {key: read_param(item) for key, item in (value.get("params") or {}).items()}
        if "plural" in value:
            return ngettext(msgid, value["plural"], _count(value.get("num")), **params)
        return gettext(msgid, **params) if params else gettext(msgid)
    return value


def render(message, params):
    """The message with its stored parameters, in the current language. Raises ``KeyError``, ``ValueError`` or
    ``TypeError`` on a broken message or translation (the caller falls back to the msgid)."""
    params = dict(params)
    plural = params.pop(PLURAL_KEY, None)
    values = {key: read_param(value) for key, value in params.items()}
    if plural is not None:
        num = _count(values.pop("num", 0))
        return ngettext(message, plural, num, **values)
    return gettext(message, **values) if values else gettext(message)


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else int(str(value).strip())


# --- Notifications stored before typed parameters -------------------------------------------------------------------


def _legacy_messages():
    """Old msgid -> (the message that replaced it, a function giving its parameters from the old ones)."""
    from ..ledger.bulk import ENTRIES_CONFIRMED
    from ..ledger.credits import CREDITS_GIVEN

    return {
        "%(n)s of your entries were confirmed: %(hours)s.": (ENTRIES_CONFIRMED, _entries_confirmed),
        "%(name)s gave you %(credits)s time-bank credits.": (CREDITS_GIVEN, _credits_given),
    }


def _entries_confirmed(params):
    params["num"] = _legacy_int(params.pop("n", None))
    return params


def _credits_given(params):
    credits = str(params.get("credits", "")).strip()
    params["num"] = _legacy_int(credits)  # a fraction: the plural form, as in English
    return params


def _legacy_int(value):
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() else 0


#: Parameters that were durations formatted by ``format_minutes`` in the sender's language, by kind.
LEGACY_DURATIONS = {"ledger.confirmed": ("hours",), "ledger.corrected": ("hours",)}


def upgrade_legacy(kind, message, params):
    """``(message, params)`` of a notification in today's stored form: an old msgid is replaced by the one that
    took its place (a plural message), and a duration stored as text is parsed back into minutes when it reads
    as one in any configured language (else it stays the text it was)."""
    durations = LEGACY_DURATIONS.get(kind, ())
    replaced = _legacy_messages().get(message)
    if replaced is None and not any(isinstance(params.get(key), str) for key in durations):
        return message, params
    params = dict(params)
    if replaced is not None:
        new_message, convert = replaced
        message, params = stored_params(new_message, convert(params))
    for key in durations:
        if isinstance(params.get(key), str):
            minutes = parse_legacy_minutes(params[key])
            if minutes is not None:
                params[key] = {"minutes": minutes}
    return message, params


DURATION_MSGIDS = ("%(hours)d h %(minutes)d min", "%(hours)d h", "%(minutes)d min")  # format_minutes's


def parse_legacy_minutes(text):
    """Minutes from a text ``format_minutes`` wrote in any configured language ("1小时30分", "45 min"), or
    ``None``."""
    text = text.strip()
    for pattern in _duration_patterns():
        found = pattern.fullmatch(text)
        if found:
            parts = found.groupdict()
            minutes = int(parts.get("hours") or 0) * 60 + int(parts.get("minutes") or 0)
            return -minutes if parts["sign"] else minutes
    return None


def _duration_patterns():
    """Regular expressions for ``format_minutes``'s texts in every configured language (made once per app)."""
    cached = current_app.extensions.get("timebank_legacy_durations")
    if cached is None:
        texts = list(DURATION_MSGIDS)  # English: the msgids themselves
        for locale in (current_app.config.get("LANGUAGES") or {}):
            with force_locale(locale):
                texts.extend(gettext(msgid) for msgid in DURATION_MSGIDS)
        cached = [_duration_pattern(text) for text in dict.fromkeys(texts)]
        current_app.extensions["timebank_legacy_durations"] = cached
    return cached


def _duration_pattern(template):
    pieces = re.split(r"%\((hours|minutes)\)d", template)
    body = "".join(re.escape(piece) if index % 2 == 0 else rf"(?P<{piece}>\d+)" for index, piece in enumerate(pieces))
    return re.compile(r"(?P<sign>-?)" + body)
