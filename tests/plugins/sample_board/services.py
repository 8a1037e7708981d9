"""What the board does. Views, hook implementations and the CLI call these; they never query themselves."""

from flask import current_app
from sqlalchemy import func, select

from timebank.clock import now
from timebank.errors import ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.hooks import hooks_for
from timebank.i18n import _
from timebank.permissions import require
from timebank.plugin_state import require_enabled
from timebank.settings import get_setting

from .models import SampleBoardBase, SampleBoardNote

PLUGIN = "sample_board"


def create_tables():
    """Create the board's table on the current database (tests; a real plugin ships an Alembic branch)."""
    SampleBoardBase.metadata.create_all(db.engine)


def post_note(community, author, text):
    """Pin a note to the board. Commits. ``ValidationFailed`` for an empty, too long or one-too-many note."""
    require_enabled(PLUGIN, community)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write something first."), field="text")
    if len(text) > 200:
        raise ValidationFailed(_("At most 200 characters."), field="text")
    if note_count(community) >= get_setting(PLUGIN, "max_notes", community):
        raise ValidationFailed(_("The board is full."), field="text")
    note = SampleBoardNote(community_id=community.id, author_id=author.id, text=text, created_at=now())
    db.session.add(note)
    commit()
    return note


def remove_note(community, actor, note_id):
    """Take a note down (moderators only). Commits."""
    require(actor, "sample_board.moderate", community)
    note = db.session.scalar(
        select(SampleBoardNote).where(SampleBoardNote.id == note_id, SampleBoardNote.community_id == community.id)
    )
    if note is not None:
        db.session.delete(note)
        commit()


def notes_in(community):
    return db.session.scalars(
        select(SampleBoardNote).where(SampleBoardNote.community_id == community.id).order_by(SampleBoardNote.id)
    ).all()


def note_count(community, author=None):
    query = select(func.count(SampleBoardNote.id)).where(SampleBoardNote.community_id == community.id)
    if author is not None:
        query = query.where(SampleBoardNote.author_id == author.id)
    return db.session.scalar(query)


def badges_for(note, community):
    """Labels other plugins add through the board's own hook (only plugins on in the community are asked)."""
    return [badge for badges in hooks_for(community).sample_board_note_badges(note=note) for badge in badges]


def excerpt(text, length=20):
    """Jinja filter ``sample_board_excerpt``."""
    text = text or ""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _journal():
    # Per application, like everything else: tests build a fresh app and read what happened to it.
    return current_app.extensions.setdefault("sample_board", {"events": [], "sms": []})


def record_event(name, **details):
    _journal()["events"].append((name, details))


def events():
    return _journal()["events"]


def deliver_sms(notification, recipient, text):
    """The sample notification channel: "sends" an SMS by keeping it in the journal."""
    sender = get_setting(PLUGIN, "sms_sender")
    _journal()["sms"].append({"to": recipient.id, "sender": sender, "text": text})


def sent_sms():
    return _journal()["sms"]
