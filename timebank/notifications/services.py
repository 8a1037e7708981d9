"""Posting notifications (one service for core and plugins) and reading the inbox."""

import functools
import json
import logging

from flask import current_app, g, has_app_context
from flask_babel import force_locale
from sqlalchemy import bindparam, func, insert, select, update

from ..clock import now
from ..events import after_commit, commit
from ..extensions import db
from .models import Notification
from .params import Minutes, render, stored_params, upgrade_legacy

__all__ = ["Minutes", "notify", "notify_many", "render_text", "unread_count", "unread_on_this_page",
           "unread_column", "keep_unread", "inbox_page", "notification_of", "mark_read"]

logger = logging.getLogger(__name__)


def notify(recipient, kind, message, community=None, link="", **params):
    """Put a message in ``recipient``'s inbox (in the caller's transaction) and deliver it through the
    configured channels after commit.

    :param kind: a code such as ``"membership.approved"`` or ``"qr_checkin.reminder"``.
    :param message: an untranslated msgid marked with ``N_()``; ``params`` fill its ``%(name)s`` placeholders.
        A message with plural forms is marked with ``N_plural(singular, plural)`` and counts the int parameter
        ``num``.
    :param link: a path inside this site to open when the message is tapped.

    The message is read later, by the recipient, in the language they use then: nothing that depends on the
    language is formatted here. A duration is passed as ``Minutes(90)``, a day as a ``datetime.date``, a count as
    an ``int``, a text of the application as ``_l("Lunch")`` (or ``_l("%(n)d-star volunteer", n=3)``): each is
    stored raw and formatted or translated when the message is read (``params.py`` has the whole list). Other
    values (names, titles, reasons people typed) are stored as text and shown as they are.
    """
    message, stored = stored_params(message, params)
    notification = Notification(
        recipient_id=recipient.id, community_id=getattr(community, "id", None), kind=kind, message=message,
        params_json=json.dumps(stored, ensure_ascii=False), link=link or "", created_at=now(),
    )
    db.session.add(notification)
    _forget_unread(recipient.id)
    after_commit(lambda: _deliver(notification, recipient))
    return notification


def notify_many(kind, message, messages, community=None, link=""):
    """``notify`` for many recipients at once (a bulk confirmation's one message per volunteer): one INSERT for
    all of them, delivered through the configured channels after commit.

    :param messages: ``[(recipient, params), ...]``; ``params`` fill the placeholders of ``message`` as in
        ``notify`` (typed the same way: ``Minutes``, dates, counts, ``_l()``).
    """
    if not messages:
        return
    moment = now()
    recipients = {recipient.id: recipient for recipient, _params in messages}
    for recipient_id in recipients:
        _forget_unread(recipient_id)
    rows = []
    for recipient, params in messages:
        msgid, stored = stored_params(message, params)
        rows.append(dict(recipient_id=recipient.id, community_id=getattr(community, "id", None), kind=kind,
                         message=msgid, params_json=json.dumps(stored, ensure_ascii=False), link=link or "",
                         created_at=moment, read_at=None))
    ids = db.session.scalars(insert(Notification).returning(Notification.id), rows).all()
    if current_app.config.get("NOTIFICATION_CHANNELS"):
        after_commit(lambda: _deliver_many(sorted(ids), recipients))


def _deliver_many(ids, recipients, chunk=500):
    from ..identity.models import User

    for start in range(0, len(ids), chunk):
        notifications = db.session.scalars(select(Notification).where(Notification.id.in_(ids[start:start + chunk]))
                                           .order_by(Notification.id)).all()
        db.session.scalars(select(User).where(User.id.in_(  # the recipients as they are after the commit, at once
            sorted({notification.recipient_id for notification in notifications})))).all()
        for notification in notifications:
            _deliver(notification, recipients[notification.recipient_id])


def render_text(notification):
    """The notification's text in the current language (durations, days and the application's texts in it too)."""
    try:
        message, params = upgrade_legacy(notification.kind, notification.message,
                                         json.loads(notification.params_json or "{}"))
        return render(message, params)
    except (KeyError, ValueError, TypeError):  # a translation with a broken placeholder must not break the inbox
        return notification.message


def _deliver(notification, recipient):
    system = current_app.extensions["timebank"]
    for name in current_app.config.get("NOTIFICATION_CHANNELS") or []:
        channel = system.notification_channels.get(name)
        if channel is None:
            logger.warning("notification channel %s is configured but no plugin provides it", name)
            continue
        try:
            with force_locale(recipient.locale):
                text = render_text(notification)
            channel.deliver(notification, recipient, text)
        except Exception:
            logger.exception("notification channel %s (plugin %s) failed", name, channel.plugin)


def unread_count(user):
    return db.session.scalar(_unread_count(), {"recipient_id": user.id})


@functools.cache
def _unread_count():
    """Built once: the bell of every page outside a community asks it."""
    return _unread_of(bindparam("recipient_id"))


def _unread_of(recipient_id):
    return select(func.count(Notification.id)).where(Notification.recipient_id == recipient_id,
                                                     Notification.read_at.is_(None))


#: ``g`` key: ``(user_id, number)``, the unread count of the person the request's bell is for.
UNREAD = "_timebank_unread"


def unread_column():
    """The unread count of the person in the bind parameter ``visitor_id`` as a column: the first statement of a
    community page reads it with the community and the person (``communities.services.with_visitor``), so the bell
    costs no statement of its own. ``keep_unread`` keeps what it read."""
    return _unread_of(bindparam("visitor_id")).scalar_subquery().label("unread")


def keep_unread(user_id, number):
    """Keep ``number`` as ``user_id``'s unread count for the rest of the request (see ``unread_on_this_page``)."""
    if has_app_context():
        g.setdefault(UNREAD, {})[user_id] = number


def unread_on_this_page(user):
    """The number on the bell: ``user``'s unread count as read with the page's first statement (``unread_column``),
    else counted now, once per request. A new message for ``user`` or one marked read in this request forgets it,
    so a page that changes the messages and then renders shows the new number."""
    kept = g.setdefault(UNREAD, {})
    if user.id not in kept:
        kept[user.id] = unread_count(user)
    return kept[user.id]


def _forget_unread(user_id):
    if has_app_context():
        g.get(UNREAD, {}).pop(user_id, None)


def inbox_page(user, page=1, per_page=30):
    query = select(Notification).where(Notification.recipient_id == user.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return rows, total


def notification_of(user, notification_id):
    """One of ``user``'s notifications, or ``None`` (another person's notification is not found)."""
    return db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.recipient_id == user.id)
    )


def mark_read(user, notification_id=None):
    """Mark one notification (or all of them) read. Commits."""
    query = update(Notification).where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    db.session.execute(query.values(read_at=now()))
    _forget_unread(user.id)
    commit()
