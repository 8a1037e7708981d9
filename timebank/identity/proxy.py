"""Acting on behalf of someone (代办): a coordinator works for an elder who has no phone.

While a proxy session is on, ``current_subject()`` is the elder, the layout shows a banner, and every audit event
records the coordinator as actor and the elder as "on behalf of". A proxy session is bound to one community.
"""

from flask import g, session
from flask_login import current_user

from .. import roles
from ..audit.services import record_audit
from ..errors import PermissionDenied, ValidationFailed
from ..events import commit
from ..extensions import db
from ..i18n import _
from ..permissions import can, require
from .models import User

_KEY = "timebank_proxy"


def start_proxy(actor, subject, community):
    """Begin acting for ``subject`` in ``community``. Commits the audit event."""
    from ..communities.services import active_membership

    require(actor, "members.act_for", community)
    membership = active_membership(subject, community)
    if membership is None:
        raise PermissionDenied("members.act_for")
    if subject.id == actor.id:
        raise ValidationFailed(_("You cannot act on your own behalf."))
    if roles.role_at_least(membership.role, roles.COORDINATOR):
        raise PermissionDenied("members.act_for", _("Staff accounts cannot be used on someone's behalf."))
    session[_KEY] = {"user_id": subject.id, "community_id": community.id}
    record_audit("proxy.started", actor=actor, community=community, target=("user", subject.id),
                 on_behalf_of=subject)
    commit()


def end_proxy(actor):
    data = session.pop(_KEY, None)
    if data:
        from ..communities.models import Community

        # Recorded in the same community (and for the same person) as "proxy.started".
        record_audit("proxy.ended", actor=actor, community=db.session.get(Community, data["community_id"]),
                     target=("user", data["user_id"]), on_behalf_of=db.session.get(User, data["user_id"]))
        commit()


def proxied_user():
    """The person the current user acts for in the current community, or ``None``."""
    data = session.get(_KEY)
    community = g.get("community")
    if not data or community is None or data.get("community_id") != community.id:
        return None
    if not current_user.is_authenticated:
        return None
    if "_timebank_proxied" not in g:
        from ..communities.services import active_membership

        g._timebank_proxied = None  # while checking (permission hooks may ask who the subject is)
        subject = db.session.get(User, data["user_id"])
        # Checked on every request: a coordinator who lost the role, or a member who left, ends the proxy session.
        if subject is None or active_membership(subject, community) is None or not can(
                current_user, "members.act_for", community):
            subject = None
        g._timebank_proxied = subject
    return g._timebank_proxied


def proxy_session_community_id():
    data = session.get(_KEY)
    return data.get("community_id") if data else None


def current_subject():
    """Whom the current request acts for: the proxied member, else the logged-in user."""
    return proxied_user() or current_user
