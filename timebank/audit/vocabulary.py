"""What the audit log's entries say: the words for every action code, declared by the area or plugin that records it.

Whoever calls ``record_audit`` declares its action codes through the setup hook ``timebank_audit_actions``: a
label (a verb phrase, "confirmed service hours"), what the target is ("service record") and how each detail reads
(minutes as a duration, a flag as a word). The audit pages then read an event as "<who> <label> · <details>" and
its object as "<target> #<id>" (a person, team, community or feature by its name).

An action that nobody declares (its plugin was removed, or is newer than this list) shows its code and its details
as they are: the log never fails to show an event. A plugin switched off in a community still describes its past
actions there (setup hooks are asked for every installed plugin).
"""

import json
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..i18n import _, format_local_date, format_minutes

#: How a detail's value is shown (``AuditDetail.kind``).
DETAIL_KINDS = (
    "text",  # as it is (or its label in ``choices``); a list is joined with "、"
    "number",  # a count
    "id",  # "#606"
    "minutes",  # a duration: "2小时" / "2 h"
    "credits",  # time-bank credits kept as minutes: 90 → "1.5"
    "yuan",  # an amount in fen: 1250 → "¥12.50"
    "date",  # an ISO date ("2026-11-20") in the reader's language
    "flag",  # the label alone when the value is true ("in bulk"), nothing when false
    "yesno",  # "<label>: yes/no"
    "user",  # a user id, shown as the person's name
    "ledger_category",  # a ledger category code, shown as its label
    "ledger_note",  # a decision note code that a ledger category declares, shown as its words
    "setting",  # setting keys of the plugin that is the event's target, shown as their labels
    "hidden",  # kept in the log, not shown (internal keys)
)


@dataclass
class AuditDetail:
    """How one key of an event's details reads. ``label`` comes before the value ("Role: Volunteer"); without a
    label the value stands alone ("2 h"). ``choices`` maps stored values to their words (for ``text`` values)."""

    key: str
    label: object = ""
    kind: str = "text"
    choices: dict | None = None


@dataclass
class AuditAction:
    """One action code of the audit log (``"<area or plugin>.<what happened>"``) and how it reads.

    ``label`` is a lazy translatable verb phrase that follows the person's name ("confirmed service hours");
    ``target`` names the kind of object the event's target is ("Service record"), shown as "Service record #606";
    ``details`` lists the detail keys the action records, in the order they are shown."""

    code: str
    label: object
    target: object = ""
    details: tuple = ()
    plugin: str = ""


@dataclass
class AuditEntry:
    """An event as the audit pages show it."""

    event: object
    label: str  # the action's words, or its code when nobody declares it
    known: bool
    details: list  # texts, in order
    target: str  # "Service record #606", a name, or ""
    community: str = ""  # the community's name (on the district's log)

    @property
    def code(self):
        return self.event.action


def audit_actions():
    """Every declared action, by code."""
    return current_app.extensions["timebank"].audit_actions


def detail_of(event):
    """The event's details as a dict (an unreadable value reads as no details)."""
    try:
        detail = json.loads(event.detail_json or "{}")
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


def describe_events(events, with_community=False):
    """``AuditEntry`` for each event, in order. The names of the people, memberships, teams and communities the
    events mention take one small query per kind, whatever the number of events."""
    actions = audit_actions()
    details = [detail_of(event) for event in events]
    names = _Names(events, details, actions, with_community)
    entries = []
    for event, detail in zip(events, details, strict=True):
        action = actions.get(event.action)
        entries.append(AuditEntry(
            event=event,
            label=str(action.label) if action else event.action,
            known=action is not None,
            details=_detail_texts(action, detail, event, names),
            target=_target_text(action, event, names),
            community=names.community(event.community_id) if with_community and event.community_id else "",
        ))
    return entries


# --- Details ----------------------------------------------------------------------------------------------------


def _detail_texts(action, detail, event, names):
    declared = {item.key: item for item in action.details} if action else {}
    texts = []
    for item in (action.details if action else ()):
        if item.key in detail:
            text = _declared_text(item, detail[item.key], event, names)
            if text:
                texts.append(text)
    for key, value in detail.items():  # keys the declaration does not know (or an unknown action): as they are
        if key not in declared:
            value = _plain(value)
            if value:
                texts.append(_("%(label)s: %(value)s", label=key, value=value))
    return texts


def _declared_text(item, value, event, names):
    if item.kind == "hidden":
        return ""
    if item.kind == "flag":
        return str(item.label) if value else ""
    value = _value_text(item, value, event, names)
    if value == "":
        return ""
    return _("%(label)s: %(value)s", label=item.label, value=value) if item.label else value


def _value_text(item, value, event, names):
    kind = item.kind
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, dict):  # not what any kind holds: shown as it is
        return _plain(value)
    try:
        if kind == "yesno":
            return _yes_no(value)
        if kind == "minutes":
            return format_minutes(int(value))
        if kind == "credits":
            from ..ledger.credits import format_credits

            return format_credits(int(value))
        if kind == "yuan":
            fen = int(value)
            return f"{'-' if fen < 0 else ''}¥{abs(fen) // 100}.{abs(fen) % 100:02d}"
        if kind == "id":
            return f"#{value}"
        if kind == "date":
            return format_local_date(date.fromisoformat(str(value)))
        if kind == "user":
            return names.user(value) or f"#{value}"
        if kind == "ledger_category":
            return _joined(value, _ledger_category_label)
        if kind == "ledger_note":
            return str(_ledger_note_label(value))
        if kind == "setting":
            return _joined(value, lambda key: _setting_label(event.target_id, key))
        choices = item.choices or {}
        return _joined(value, lambda one: choices.get(one, _plain(one)))
    except (TypeError, ValueError):
        return _plain(value)  # a value of another shape than declared: shown as it is


def _joined(value, word):
    values = value if isinstance(value, list | tuple) else [value]
    return "、".join(str(word(one)) for one in values if one not in (None, ""))


def _plain(value):
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, list | tuple):
        return "、".join(_plain(one) for one in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_plain(one)}" for key, one in value.items())
    return "" if value is None else str(value)


def _yes_no(value):
    return _("yes") if value else _("no")


def _ledger_category_label(code):
    from ..ledger.categories import ledger_category

    category = ledger_category(code)
    return category.label if category is not None else code


def _ledger_note_label(note):
    """A decision note in the reader's language: stored by ``stored_text``, or an old English one a category
    declares in ``legacy_notes``; a note a person wrote as it is."""
    from ..ledger.categories import ledger_categories
    from ..stored_text import shown_text

    for category in ledger_categories().values():
        if note in category.legacy_notes:
            return category.legacy_notes[note]
    return shown_text(note)


def _setting_label(plugin, key):
    spec = current_app.extensions["timebank"].settings.get((plugin, key))
    return spec.label if spec is not None else key


# --- Targets ----------------------------------------------------------------------------------------------------

def _target_text(action, event, names):
    if not event.target_id:
        return ""
    name = names.target(event.target_type, event.target_id)
    if name:
        return name
    if action is not None and action.target:
        return _("%(what)s #%(id)s", what=action.target, id=event.target_id)
    return f"{event.target_type} {event.target_id}".strip()


class _Names:
    """The names the events mention, looked up once per kind of object."""

    def __init__(self, events, details, actions, with_community):
        wanted = {kind: set() for kind in ("user", "membership", "team", "community")}
        for event, detail in zip(events, details, strict=True):
            if event.target_type in wanted and event.target_id:
                wanted[event.target_type].add(event.target_id)
            if with_community and event.community_id:
                wanted["community"].add(event.community_id)
            action = actions.get(event.action)
            for item in (action.details if action else ()):
                if item.kind == "user" and isinstance(detail.get(item.key), int | str):
                    wanted["user"].add(detail[item.key])
        self.found = {kind: _look_up(kind, _ids(ids)) for kind, ids in wanted.items()}

    def user(self, user_id):
        return self._get("user", user_id)

    def community(self, community_id):
        return self._get("community", community_id)

    def target(self, target_type, target_id):
        if target_type == "plugin":
            info = current_app.extensions["timebank"].plugins.get(target_id)
            return str(info.title) if info is not None else ""
        return self._get(target_type, target_id) if target_type in self.found else ""

    def _get(self, kind, key):
        try:
            return self.found[kind].get(int(key), "")
        except (TypeError, ValueError):
            return ""


def _ids(values):
    ids = set()
    for value in values:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            continue
    return ids


def _look_up(kind, ids):
    """{id: name} of the ``kind`` objects with these ids: one query, none when there are no ids."""
    if not ids:
        return {}
    from ..communities.models import Community, Membership, Team
    from ..identity.models import User

    if kind == "user":
        query = select(User.id, User.display_name).where(User.id.in_(ids))
    elif kind == "membership":
        query = select(Membership.id, User.display_name).join(User, User.id == Membership.user_id).where(
            Membership.id.in_(ids))
    elif kind == "team":
        query = select(Team.id, Team.name).where(Team.id.in_(ids))
    else:
        query = select(Community.id, Community.name).where(Community.id.in_(ids))
    return dict(db.session.execute(query).all())
