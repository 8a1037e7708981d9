"""Kinds of service that may be recorded in the ledger. Core and plugins declare them through
``timebank_ledger_categories``; the ledger refuses a record whose category nobody declared."""

from dataclasses import dataclass, field

from flask import current_app


@dataclass
class LedgerCategory:
    """``code`` is ``"<plugin>.<kind>"``. ``counts_hours=False`` marks work that records no volunteer hours
    (staff on duty, internal meetings, paid work): it may be listed but never credited."""

    code: str
    label: object
    description: object = ""
    counts_hours: bool = True
    earns_credits: bool = False  # default; a community's policy may change it
    risky: bool = False  # needs insurance on file before hours are accepted
    plugin: str = ""
    #: ``{English text an older version stored as a decision note: _l(text)}``: the ledger is append-only, so
    #: those notes are read translated. Today's notes of the application are stored with
    #: ``timebank.stored_text.stored_text`` (``auto_confirm(record, community, basis=stored_text(_l(...)))``).
    legacy_notes: dict = field(default_factory=dict)


def ledger_categories():
    return current_app.extensions["timebank"].ledger_categories


def ledger_category(code):
    """The category with this code, or ``None``."""
    return ledger_categories().get(code)


def decision_note_text(record):
    """A record's decision note as the reader should see it: a note of the application (``stored_text``, or an
    old English one its category declares in ``legacy_notes``) in the reader's language; what a person wrote (a
    reason, a correction) as it was written."""
    from ..stored_text import shown_text

    note = record.decision_note or ""
    category = ledger_category(record.category) if note else None
    if (category is not None and note in category.legacy_notes and record.status == "confirmed"
            and not record.corrects_id):  # (not a reason a person typed, on a rejection or a correction)
        return str(category.legacy_notes[note])
    return shown_text(note)
