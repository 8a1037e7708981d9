"""Kinds of service that may be recorded in the ledger. Core and plugins declare them through
``timebank_ledger_categories``; the ledger refuses a record whose category nobody declared."""

from dataclasses import dataclass

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


def ledger_categories():
    return current_app.extensions["timebank"].ledger_categories


def ledger_category(code):
    """The category with this code, or ``None``."""
    return ledger_categories().get(code)
