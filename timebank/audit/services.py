"""Recording and reading the audit log. ``record_audit`` writes in the caller's transaction (same commit).

Every action code recorded here is declared, with the words the audit pages show for it, through the setup hook
``timebank_audit_actions`` (``timebank.audit.vocabulary``).
"""

import functools
import json

from flask import has_request_context, request
from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import selectinload

from ..clock import now
from ..extensions import db
from .models import AuditEvent

#: Detail keys that must never reach the log.
_SECRET_KEYS = {"password", "password_hash", "token", "phone", "secret", "health", "diet"}


def record_audit(action, actor=None, community=None, target=None, on_behalf_of=None, detail=None):
    """Write an audit event in the current transaction (it commits or rolls back with the caller's changes).

    ``target`` is ``(type, id)``. The row is inserted at once by one built statement rather than added to the
    session: an event is never read back or changed in the request that writes it, and a write page then pays for
    one unit-of-work flush (its own records) instead of two (``bench/anatomy.py``, the check-in)."""
    detail = {key: value for key, value in (detail or {}).items() if key not in _SECRET_KEYS}
    target_type, target_id = target if target else ("", "")
    if on_behalf_of is None and has_request_context():
        actor, on_behalf_of = _real_actor(actor)
    db.session.execute(_insert_event(), {
        "created_at": now(),
        "community_id": getattr(community, "id", None),
        "actor_id": getattr(actor, "id", None),
        "on_behalf_of_id": getattr(on_behalf_of, "id", None),
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id),
        "detail_json": json.dumps(detail, ensure_ascii=False, default=str),
        "ip": (request.remote_addr or "")[:45] if has_request_context() else "",
    })


@functools.cache
def _insert_event():
    """Built once; a table insert, so the session does not flush pending objects before it."""
    return insert(AuditEvent.__table__)


def _real_actor(actor):
    """Who really acted, and for whom, while a helper acts for someone (proxy). Services are handed the person
    acted for as their actor; the log names the helper as actor, on behalf of that person."""
    from flask_login import current_user

    from ..identity.proxy import proxied_user

    subject = proxied_user()
    if subject is None or actor is None:
        return actor, None
    if subject.id != getattr(actor, "id", None):
        return actor, subject
    if current_user.is_authenticated and current_user.id != subject.id:
        return current_user._get_current_object(), subject
    return actor, None


def audit_page(community, page=1, per_page=50, action_prefix=None):
    """Events of one community, newest first (``None``: instance-wide events, for district admins)."""
    query = select(AuditEvent)
    if community is not None:
        query = query.where(AuditEvent.community_id == community.id)
    if action_prefix:
        query = query.where(or_(AuditEvent.action == action_prefix, AuditEvent.action.like(action_prefix + ".%")))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(selectinload(AuditEvent.actor), selectinload(AuditEvent.on_behalf_of))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total
