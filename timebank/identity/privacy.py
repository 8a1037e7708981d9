"""Personal information rights (个人信息保护法): a member downloads their own data, and asks for erasure.

Erasure keeps what the law requires — volunteer service records are kept permanently (办法 §4, our retention
rule) — but replaces the person's identifying fields: name, username, phone, password; memberships end; plugins
erase or anonymise their own data through ``timebank_member_erased``.
"""

from datetime import date, datetime

from sqlalchemy import select

from ..audit.services import record_audit
from ..clock import now
from ..communities.models import Community, Membership
from ..errors import PermissionDenied, ValidationFailed
from ..events import after_commit, commit
from ..extensions import db
from ..i18n import N_, _
from ..notifications.services import notify
from ..permissions import can
from ..validation import clean_text


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj, columns):
    return {column: _plain(getattr(obj, column)) for column in columns}


def export_personal_data(user):
    """Everything the installation holds about ``user``, as a JSON-ready dict (core and plugins)."""
    from ..hooks import call_each
    from ..ledger.accounts import member_balances
    from ..ledger.models import ServiceRecord
    from ..notifications.models import Notification

    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    data = {
        "exported_at": now().isoformat(),
        "account": _row(user, ("username", "display_name", "phone", "locale", "elder_mode", "created_at",
                               "last_login_at")),
        "memberships": [
            {**_row(m, ("role", "status", "volunteer_number", "public_consent", "created_at", "decided_at")),
             "community": m.community.name, "household": m.household.label if m.household else None,
             "balances_minutes": member_balances(m.community_id, user.id)}
            for m in memberships],
        "service_records": [
            _row(r, ("id", "activity_name", "activity_date", "started_at", "ended_at", "minutes", "place", "content",
                     "organising_unit", "activity_leader", "category", "status", "decision_note", "is_backfill",
                     "evidence_note", "corrects_id", "created_at", "decided_at"))
            for r in db.session.scalars(select(ServiceRecord).where(ServiceRecord.volunteer_id == user.id)
                                        .order_by(ServiceRecord.activity_date))],
        "notifications": [_row(n, ("kind", "message", "params_json", "created_at", "read_at"))
                          for n in db.session.scalars(select(Notification).where(Notification.recipient_id == user.id))],
    }
    for plugin, section in call_each("timebank_personal_data", user=user):
        data[plugin] = section
    return data


def request_erasure(user, reason):
    """The member asks for their personal data to be erased; the communities' admins are told. Commits."""
    from ..communities.services import staff_of

    reason = clean_text(reason, "reason", 1000)
    record_audit("privacy.erasure_requested", actor=user, target=("user", user.id))
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id,
                                                                  Membership.status == "active")):
        for admin in staff_of(membership.community, minimum="community_admin"):
            notify(admin, "privacy.erasure_requested",
                   N_("%(name)s asks for their personal data to be erased: %(reason)s"),
                   community=membership.community, link=f"/c/{membership.community.slug}/admin/members/{membership.id}",
                   name=user.display_name, reason=reason or "—")
    commit()


def may_erase(actor, user):
    """A district admin, or a community admin of a community the person belongs to (never oneself)."""
    if actor.id == user.id:
        return False
    if actor.is_district_admin:
        return True
    communities = db.session.scalars(select(Community).join(Membership, Membership.community_id == Community.id)
                                     .where(Membership.user_id == user.id)).all()
    return any(can(actor, "members.erase", community) for community in communities)


def erase_member(user, actor, confirm_username):
    """Replace the person's identifying fields, end their memberships, let plugins erase their data. Commits.

    ``confirm_username`` must repeat the username: erasure cannot be undone.
    """
    from ..hooks import dispatch_event

    if not may_erase(actor, user):
        raise PermissionDenied("members.erase", _("Only a community admin of this person's community can erase "
                                                  "their data."))
    if (confirm_username or "").strip().lower() != user.username:
        raise ValidationFailed(_("Type the username to confirm; erasure cannot be undone."), field="confirm_username")
    if user.is_district_admin:
        raise ValidationFailed(_("A district admin account cannot be erased this way."))
    communities = db.session.scalars(select(Community).join(Membership, Membership.community_id == Community.id)
                                     .where(Membership.user_id == user.id)).all()
    user.display_name = _("Erased member %(id)d", id=user.id)
    user.username = f"erased-{user.id}"
    user.phone = None
    user.password_hash = None
    user.disabled = True
    user.session_version += 1
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)):
        membership.status, membership.public_consent = "left", False
        membership.address_note = membership.application_note = ""
        membership.household_id = None
    record_audit("privacy.erased", actor=actor, target=("user", user.id))
    for community in communities:
        after_commit(lambda community=community: dispatch_event("timebank_member_erased", community, user=user))
    commit()
    return user


__all__ = ["export_personal_data", "request_erasure", "erase_member", "may_erase"]
