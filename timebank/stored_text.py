"""Messages of the application kept on a row and shown later, in the language of whoever reads them.

A reason kept on a row (why a check-out, a delivery round or a repair gave no hours) is read later, by people who
may use another language than the person whose action wrote it: a volunteer checks out in English, the coordinator
reads the roster in Chinese. So a message of the application is stored untranslated, as its msgid with its
parameters (the JSON form of a notification parameter, ``timebank.notifications.params``), and translated when
it is shown. Pass it lazily: ``_l("Less than %(percent)d%% of the shift on post: no hours.", percent=60)``; a
domain error raised with such a message keeps it (``TimebankError.lazy_message``, see :func:`stored_reason`).

Any other text is stored and shown as it is: a reason a person typed, and the rows written before this, which
hold the message already translated in the language of whoever triggered it.
"""

import json

from flask_babel import LazyString

from .notifications.params import read_param, stored_param

__all__ = ["stored_text", "stored_reason", "shown_text", "text_now"]

_MARK = '{"msgid":'  # how a stored message starts (a text of the application or a person never does)
_ELLIPSIS = "…"


def stored_text(message, limit=None):
    """What to store for ``message``: a lazy message (``_l(...)``, ``lazy_ngettext(...)``) as its msgid and
    parameters, a text as it is. ``limit`` is the column's length: the longest texts among the parameters (a
    name, an activity) are shortened to fit; a message that still does not fit is stored as text."""
    if isinstance(message, LazyString):
        value = stored_param(message)
        if isinstance(value, dict):
            text = _fitting(value, limit)
            if text is not None:
                return text
    text = str(message or "")
    return text[:limit] if limit else text


def stored_reason(error, limit=None):
    """:func:`stored_text` of a domain error's message: the lazy message it was raised with, else its text."""
    return stored_text(getattr(error, "lazy_message", None) or error.message, limit)


def shown_text(stored):
    """A stored text in the current language (the ``stored_text`` filter of the templates)."""
    if not stored or not isinstance(stored, str) or not stored.startswith(_MARK):
        return stored or ""
    try:
        value = json.loads(stored)
    except ValueError:
        return stored
    try:
        return str(read_param(value))
    except (KeyError, ValueError, TypeError):  # a translation with a broken placeholder: the English msgid
        return str(value.get("msgid", stored))


def text_now(message):
    """A lazy message as text in the current language, formatted as it will be shown later (a date as a date)."""
    try:
        return str(read_param(stored_param(message)))
    except (KeyError, ValueError, TypeError):
        return str(message)


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _fitting(value, limit):
    text = _dumps(value)
    if not limit or len(text) <= limit:
        return text
    params = value.get("params") or {}
    texts = [key for key, item in params.items() if isinstance(item, str)]
    while texts and len(text) > limit:
        key = max(texts, key=lambda name: len(params[name]))
        keep = len(params[key]) - (len(text) - limit) - len(_ELLIPSIS)
        if keep < 1:
            params[key] = _ELLIPSIS
            texts.remove(key)
        else:
            params[key] = params[key][:keep] + _ELLIPSIS
        text = _dumps(value)
    return text if len(text) <= limit else None
