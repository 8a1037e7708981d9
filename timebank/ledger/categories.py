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
    #: Decision notes the software writes on records of this kind, as ``{code: _l(text)}``: the record keeps
    #: the code (``auto_confirm(record, community, basis="mutual_aid.confirmed_by_recipient")``), the pages
    #: show the text in the reader's language (``decision_note_text``); the ledger keeps no interface text.
    notes: dict = field(default_factory=dict)
    #: ``{text stored before codes existed: code}``: the ledger is append-only, old notes are read as codes.
    legacy_notes: dict = field(default_factory=dict)


def ledger_categories():
    return current_app.extensions["timebank"].ledger_categories


def ledger_category(code):
    """The category with this code, or ``None``."""
    return ledger_categories().get(code)


def decision_note_text(record):
    """A record's decision note as the reader should see it: a note code (or an old stored text) that the
    record's category declared, in the reader's language; what a person wrote (a reason, a correction) as it
    was written."""
    note = record.decision_note or ""
    category = ledger_category(record.category) if note else None
    if category is None or not (category.notes or category.legacy_notes):
        return note
    code = note
    if note in category.legacy_notes and record.status == "confirmed" and not record.corrects_id:
        code = category.legacy_notes[note]  # (not a reason a person typed, on a rejection or a correction)
    text = category.notes.get(code)
    return str(text) if text is not None else note
