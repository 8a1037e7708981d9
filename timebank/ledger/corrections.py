"""Corrections of confirmed service records: a coordinator's correction (a new confirmed record replaces the old
one, reversing postings undo it), a volunteer's request for one, and its decline. The original record is never
changed."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_audit
from ..clock import now
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..events import after_commit
from ..extensions import db
from ..hooks import dispatch_event
from ..i18n import N_, _
from ..notifications.services import Minutes, notify
from ..permissions import can
from ..validation import clean_text
from .accounts import LedgerRejected, atomic, lock_member
from .credits import reverse_record_transactions
from .models import CONFIRMED, PENDING, CorrectionRequest, ServiceRecord
from .policy import ledger_policy
from .records import MAX_RECORD_MINUTES, _decide, post_confirmation
from .totals import count_records


def correct(record, community, actor, minutes, reason, request=None):
    """Correct a confirmed record: a new, confirmed record replaces it and reversing postings undo the old one.
    ``minutes=0`` voids it. Commits. The original record is never changed."""
    if not can(actor, "ledger.correct", community) or actor.id == record.volunteer_id:
        raise PermissionDenied("ledger.correct", _("You cannot correct this entry."))
    reason = clean_text(reason, "reason", 1000, required=True)
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field="minutes") from None
    duration = int((record.ended_at - record.started_at).total_seconds() // 60)
    if minutes < 0 or minutes > duration:
        raise ValidationFailed(_("Enter between 0 and %(max)d minutes (the length of the activity).", max=duration),
                               field="minutes")
    if record.status != CONFIRMED:
        raise ValidationFailed(_("Only confirmed entries can be corrected; decide pending ones instead."))
    if minutes == record.minutes:
        raise ValidationFailed(_("The corrected hours are the same as the recorded ones."), field="minutes")
    policy = ledger_policy(community)
    with atomic():
        lock_member(community.id, record.volunteer_id)
        amended = ServiceRecord(**{column: getattr(record, column) for column in _COPIED}, minutes=minutes,
                                source=None, corrects_id=record.id, correction_reason=reason, created_at=now(),
                                created_by_id=actor.id, status=PENDING)
        try:
            with db.session.begin_nested():
                db.session.add(amended)
        except IntegrityError:
            raise LedgerRejected(_("This entry has already been corrected.")) from None
        reverse_record_transactions(record, actor, reason, request=request)
        _decide(amended, CONFIRMED, actor, reason)
        post_confirmation(amended, community, actor, policy)
        count_records([(record, -1), (amended, 1)])  # the new record replaces the old one in the totals
        if request is not None:
            request.status, request.resolved_at, request.resolved_by_id = "corrected", now(), actor.id
            request.resolution_note = reason
        record_audit("ledger.corrected", actor=actor, community=community, target=("record", record.id),
                     detail={"from": record.minutes, "to": minutes, "new_record": amended.id})
        notify(record.volunteer, "ledger.corrected", N_("Your hours for “%(activity)s” were corrected to "
                                                       "%(hours)s: %(reason)s"), community=community,
               link=f"/c/{community.slug}/hours/records/{amended.id}", activity=record.activity_name,
               hours=Minutes(minutes), reason=reason)
        after_commit(lambda: dispatch_event("timebank_hours_reversed", community, entry=record, reversal=amended))
    return amended


_COPIED = ("community_id", "volunteer_id", "category", "activity_name", "activity_date", "started_at", "ended_at",
           "place", "content", "organising_unit", "activity_leader", "leader_id", "team_id", "recipient",
           "is_backfill", "evidence_note", "on_behalf_of_id")


def request_correction(record, community, user, message, requested_minutes=None):
    """A volunteer asks for one of their records to be corrected. Commits."""
    if record.volunteer_id != user.id:
        raise NotFound(record.id)
    message = clean_text(message, "message", 1000, required=True)
    if requested_minutes not in (None, ""):
        try:
            requested_minutes = int(requested_minutes)
        except (TypeError, ValueError):
            raise ValidationFailed(_("Enter a whole number."), field="requested_minutes") from None
        if requested_minutes < 0 or requested_minutes > MAX_RECORD_MINUTES:
            raise ValidationFailed(_("Enter a number of minutes between 0 and 1440."), field="requested_minutes")
    else:
        requested_minutes = None
    if record.status != CONFIRMED or corrected_by(record) is not None:
        raise ValidationFailed(_("Only confirmed entries that were not corrected yet can be corrected."))
    if db.session.scalar(select(CorrectionRequest.id).where(CorrectionRequest.record_id == record.id,
                                                            CorrectionRequest.status == "open")):
        raise ValidationFailed(_("You have already asked for this entry to be corrected."))
    with atomic():
        request = CorrectionRequest(community_id=community.id, record_id=record.id, requested_by_id=user.id,
                                    requested_minutes=requested_minutes, message=message, created_at=now())
        db.session.add(request)
        db.session.flush()
        record_audit("ledger.correction_requested", actor=user, community=community, target=("record", record.id))
    return request


def decline_request(request, community, actor, reason):
    if not can(actor, "ledger.correct", community):
        raise PermissionDenied("ledger.correct")
    reason = clean_text(reason, "reason", 1000, required=True)
    if request.status != "open":
        raise ValidationFailed(_("This has already been decided."))
    with atomic():
        request.status, request.resolved_at, request.resolved_by_id = "declined", now(), actor.id
        request.resolution_note = reason
        record_audit("ledger.correction_declined", actor=actor, community=community,
                     target=("record", request.record_id))
        notify(request.requested_by, "ledger.correction_declined", N_("Your correction request was declined: "
                                                                       "%(reason)s"), community=community,
               link=f"/c/{community.slug}/hours/records/{request.record_id}", reason=reason)


def latest_correction_request(record):
    """The most recent correction request about ``record`` (open, corrected or declined), or ``None``: what the
    volunteer's record page says about it."""
    return db.session.scalar(select(CorrectionRequest).where(CorrectionRequest.record_id == record.id)
                             .order_by(CorrectionRequest.created_at.desc(), CorrectionRequest.id.desc()).limit(1))


def corrected_by(record):
    """The record that corrected ``record``, or ``None``."""
    return db.session.scalar(select(ServiceRecord).where(ServiceRecord.corrects_id == record.id))


def request_in(community, request_id):
    request = db.session.scalar(select(CorrectionRequest).where(CorrectionRequest.id == request_id,
                                                                CorrectionRequest.community_id == community.id))
    if request is None:
        raise NotFound(request_id)
    return request
