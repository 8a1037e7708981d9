"""Service records: recording (claims, back-entries, plugins), confirming and rejecting (corrections:
``timebank.ledger.corrections``).

``record_service`` is the one way to write a record; plugins call it (never the tables). Hours count only once a
record is confirmed by someone other than the volunteer: a coordinator, or the activity's leader.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select, update
from sqlalchemy.exc import IntegrityError

from .. import roles
from ..audit.services import record_audit
from ..clock import now
from ..communities.models import TeamMember
from ..communities.services import active_membership
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..events import after_commit
from ..extensions import db
from ..hooks import dispatch_event, dispatch_events, hooks_for
from ..i18n import N_, _, _l, lazy_ngettext
from ..notifications.services import Minutes, notify
from ..permissions import can
from ..validation import clean_text
from .accounts import LedgerRejected, account, atomic, lock_member, post_transaction
from .categories import ledger_category
from .credits import earn_credits_for
from .models import (
    CONFIRMED,
    MEMBER_SERVICE,
    PENDING,
    REJECTED,
    SERVICE_ISSUED,
    ServiceRecord,
)
from .policy import ledger_policy, round_minutes
from .totals import count_records

MAX_RECORD_MINUTES = 24 * 60
#: The longest typed service (a claim or back-entry) that goes on past midnight. The forms read an end time before
#: the start time as the next day, for night patrols and watches (22:00–06:00); a longer span past midnight is
#: nearly always an end typed before the start (10:00–09:00 would become 23 hours). Twelve hours is where even a
#: provincial platform asks for a higher approval of one person's day (domain notes §1.2, i志愿).
MAX_OVERNIGHT_MINUTES = 12 * 60


@dataclass
class RecordDraft:
    """What a record will say, handed to ``timebank_validate_credit`` before anything is written."""

    community_id: int
    volunteer_id: int
    category: str
    activity_name: str
    started_at: datetime
    ended_at: datetime
    minutes: int
    source: str | None
    is_backfill: bool


def _check_times(started_at, ended_at, minutes, policy, limit_age, overnight_zone=None):
    if started_at is None or ended_at is None or started_at.tzinfo is None or ended_at.tzinfo is None:
        raise ValidationFailed(_l("Enter when the service started and ended."), field="started_at")
    if ended_at <= started_at:
        raise ValidationFailed(_l("The end must be after the start."), field="ended_at")
    if overnight_zone is not None:  # before "already happened": a wrong end time on today's claim is the cause
        check_overnight_span(started_at, ended_at, overnight_zone)
    if ended_at > now() + timedelta(minutes=5):
        raise ValidationFailed(_l("Hours can only be recorded for service that has already happened."),
                               field="ended_at")
    duration = int((ended_at - started_at).total_seconds() // 60)
    if duration > MAX_RECORD_MINUTES:
        raise ValidationFailed(_l("One record can cover at most 24 hours."), field="ended_at")
    if limit_age and started_at < now() - timedelta(days=policy.max_claim_age_days):
        raise ValidationFailed(lazy_ngettext("This is too long ago to be entered here (more than %(num)d day).",
                                             "This is too long ago to be entered here (more than %(num)d days).",
                                             policy.max_claim_age_days), field="started_at")
    if minutes is None:
        # The community's rounding rule; a service shorter than the rounding unit keeps its exact length.
        minutes = round_minutes(duration, policy) or duration
        if minutes <= 0:
            raise ValidationFailed(_l("The service must last more than zero minutes."), field="ended_at")
        return minutes
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Enter a whole number."), field="minutes") from None
    if minutes <= 0:
        raise ValidationFailed(_l("The service must last more than zero minutes."), field="minutes")
    if minutes > duration:
        raise ValidationFailed(_l("The hours cannot be longer than the activity itself."), field="minutes")
    return minutes


def check_overnight_span(started_at, ended_at, zone):
    """Refuse a service that goes on past the midnight after its start (in ``zone``, the community's time zone)
    for longer than ``MAX_OVERNIGHT_MINUTES``. Ending at midnight itself is not past it.

    :raises ValidationFailed: on ``ended_at``, saying how an overnight service is entered.
    """
    midnight = datetime.combine(started_at.astimezone(zone).date() + timedelta(days=1), time(0), zone)
    if ended_at > midnight and ended_at - started_at > timedelta(minutes=MAX_OVERNIGHT_MINUTES):
        raise ValidationFailed(_("The end time is before the start time. A service that goes on past midnight, "
                                 "such as a night patrol from 22:00 to 06:00, can last at most %(limit)s.",
                                 limit=_hours_text(MAX_OVERNIGHT_MINUTES)), field="ended_at")


def _overlapping(community_id, volunteer_id, started_at, ended_at):
    """A live record of this person whose time range overlaps (rejected, voided and corrected ones excluded)."""
    superseded = select(ServiceRecord.corrects_id).where(ServiceRecord.corrects_id.is_not(None))
    return db.session.scalar(
        select(ServiceRecord).where(
            ServiceRecord.community_id == community_id, ServiceRecord.volunteer_id == volunteer_id,
            ServiceRecord.status != REJECTED, ServiceRecord.minutes > 0,
            ServiceRecord.id.not_in(superseded),
            ServiceRecord.started_at < ended_at, ServiceRecord.ended_at > started_at,
        ).limit(1)
    )


def record_service(community, volunteer, *, category, activity_name, started_at, ended_at, minutes=None,
                   place="", content="", organising_unit=None, activity_leader="", leader=None, team=None,
                   recipient="", source=None, evidence_note="", is_backfill=False, actor=None, limit_age=False):
    """Write a pending service record (inside the caller's transaction; use ``atomic()`` around it).

    :raises ValidationFailed: bad input (field named); :raises LedgerRejected: a rule or plugin refused it.
    """
    if roles.RANK.get(getattr(active_membership(volunteer, community), "role", None), -1) < roles.RANK[
            roles.VOLUNTEER]:
        raise ValidationFailed(_l("%(name)s is not a registered volunteer of this community.",
                                  name=volunteer.display_name), field="volunteer")
    if ledger_category(category) is None:
        raise ValidationFailed(_l("Choose one of the options."), field="category")
    policy = ledger_policy(community)
    # Typed times (claims, back-entries) have the overnight limit; check-in, rounds and repair orders take both
    # times from clocks.
    minutes = _check_times(started_at, ended_at, minutes, policy, limit_age,
                           overnight_zone=ZoneInfo(community.timezone) if is_backfill else None)
    activity_name = clean_text(activity_name, "activity_name", 120, required=True)
    if is_backfill:
        evidence_note = clean_text(evidence_note, "evidence_note", 2000, required=True)
    lock_member(community.id, volunteer.id)
    clash = _overlapping(community.id, volunteer.id, started_at, ended_at)
    if clash is not None:
        raise LedgerRejected(_l("This overlaps with “%(activity)s” on %(date)s already recorded for %(name)s.",
                                activity=clash.activity_name, date=clash.activity_date,
                                name=volunteer.display_name), field="started_at")
    draft = RecordDraft(community.id, volunteer.id, category, activity_name, started_at, ended_at, minutes,
                        source, is_backfill)
    reasons = [reason for found in hooks_for(community).timebank_validate_credit(draft=draft, community=community)
               for reason in (found or [])]
    if reasons:
        raise LedgerRejected(_joined(reasons))
    record = ServiceRecord(
        community_id=community.id, volunteer_id=volunteer.id, category=category, source=source,
        activity_name=activity_name, activity_date=started_at.astimezone(ZoneInfo(community.timezone)).date(),
        started_at=started_at, ended_at=ended_at, minutes=minutes, place=clean_text(place, "place", 120),
        content=clean_text(content, "content", 2000), organising_unit=clean_text(
            organising_unit if organising_unit is not None else community.organising_unit, "organising_unit", 120),
        activity_leader=clean_text(activity_leader, "activity_leader", 60), leader_id=getattr(leader, "id", None),
        team_id=getattr(team, "id", None), recipient=clean_text(recipient, "recipient", 120), is_backfill=is_backfill,
        evidence_note=evidence_note or "", created_at=now(), created_by_id=getattr(actor, "id", None),
        on_behalf_of_id=volunteer.id if actor is not None and actor.id != volunteer.id else None, status=PENDING,
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        raise LedgerRejected(_l("These hours have already been recorded.")) from None
    record_audit("ledger.recorded", actor=actor, community=community, target=("record", record.id),
                 detail={"minutes": minutes, "category": category, "backfill": is_backfill})
    return record


# --- Deciding ---------------------------------------------------------------------------------------------------


def can_confirm(actor, record, community):
    """Coordinators confirm any record; a team leader confirms records they lead. Nobody confirms their own."""
    if actor is None or not actor.is_authenticated or actor.id == record.volunteer_id:
        return False
    if can(actor, "ledger.confirm", community, record):
        return True
    membership = active_membership(actor, community)
    if membership is None or not roles.role_at_least(membership.role, roles.TEAM_LEADER):
        return False
    if record.leader_id == actor.id:
        return True
    if record.team_id is not None:
        return db.session.scalar(select(TeamMember.id).where(
            TeamMember.team_id == record.team_id, TeamMember.user_id == actor.id, TeamMember.is_leader.is_(True)
        )) is not None
    return False


def _confirmed_minutes_on(record):
    return int(db.session.scalar(
        select(func.coalesce(func.sum(ServiceRecord.minutes), 0)).where(
            ServiceRecord.community_id == record.community_id, ServiceRecord.volunteer_id == record.volunteer_id,
            ServiceRecord.activity_date == record.activity_date, ServiceRecord.status == CONFIRMED,
            ServiceRecord.id.not_in(select(ServiceRecord.corrects_id).where(ServiceRecord.corrects_id.is_not(None))),
        )
    ) or 0)


def _decide(record, status, actor, note):
    """Move a pending record to ``status``; exactly one of two racing deciders wins."""
    result = db.session.execute(
        update(ServiceRecord).where(ServiceRecord.id == record.id, ServiceRecord.status == PENDING)
        .values(status=status, decided_at=now(), decided_by_id=actor.id, decision_note=note or "")
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise LedgerRejected(_("This entry has already been decided by someone else."))
    db.session.refresh(record)


def post_confirmation(record, community, actor, policy):
    """Credit the minutes (and credits) of a record that has just been confirmed."""
    category = ledger_category(record.category)
    if category is None or not category.counts_hours or record.minutes <= 0:
        return
    member = account(community.id, MEMBER_SERVICE, record.volunteer_id)
    post_transaction(community.id, "service_confirmed",
                     [(account(community.id, SERVICE_ISSUED), -record.minutes), (member, record.minutes)],
                     record=record, actor=actor)
    earn_credits_for(record, policy, actor)


def confirm(record, community, actor, note="", within_transaction=False):
    """Confirm a pending record: its minutes count from now on. Commits unless ``within_transaction``."""
    if not can_confirm(actor, record, community):
        raise PermissionDenied("ledger.confirm", _("You cannot confirm this entry."))
    policy = ledger_policy(community)
    over_cap = _confirmed_minutes_on(record) + record.minutes > policy.daily_cap_minutes
    if over_cap and not can(actor, "ledger.approve_over_cap", community):
        raise PermissionDenied("ledger.approve_over_cap", _(
            "With this entry %(name)s would have more than %(limit)s on %(date)s; a community admin must "
            "confirm it.", name=record.volunteer.display_name, limit=_hours_text(policy.daily_cap_minutes),
            date=record.activity_date.isoformat()))
    if within_transaction:
        _confirm_in_transaction(record, community, actor, note, policy)
    else:
        with atomic():
            _confirm_in_transaction(record, community, actor, note, policy)
    return record


def _confirm_in_transaction(record, community, actor, note, policy):
    _decide(record, CONFIRMED, actor, note)
    post_confirmation(record, community, actor, policy)
    count_records([(record, 1)])
    record_audit("ledger.confirmed", actor=actor, community=community, target=("record", record.id),
                 detail={"minutes": record.minutes})
    notify(record.volunteer, "ledger.confirmed", N_("Your hours for “%(activity)s” were confirmed: %(hours)s."),
           community=community, link=f"/c/{community.slug}/hours/", activity=record.activity_name,
           hours=Minutes(record.minutes))
    after_commit(lambda: announce_confirmed(community, [record]))


def announce_confirmed(community, records):
    """After the commit that confirmed ``records``: ``timebank_hours_confirmed`` for each record, then
    ``timebank_hours_confirmed_batch`` once with all of them (per-person work once per person, not per entry)."""
    ids = [inspect(record).identity[0] for record in records]  # (without loading records a commit expired)
    if dispatch_events("timebank_hours_confirmed", community, [{"entry": record} for record in records]) \
            and len(ids) > 1:
        reload_records(ids)  # a listener that committed expired them: read them back at once, not one by one
    dispatch_event("timebank_hours_confirmed_batch", community, entries=list(records))


def reload_records(ids, chunk=500):
    """Read records (and their volunteers, joined) back into the session in a few queries."""
    for start in range(0, len(ids), chunk):
        db.session.scalars(select(ServiceRecord).where(ServiceRecord.id.in_(ids[start:start + chunk]))).all()


def auto_confirm(record, community, basis):
    """Confirm a pending record without a person deciding, because the community's policy says so for this kind
    of service (e.g. a neighbour-help exchange the recipient confirmed). ``basis`` is recorded as the reason.
    Inside the caller's transaction; the daily limit still applies (above it the record stays pending)."""
    policy = ledger_policy(community)
    if _confirmed_minutes_on(record) + record.minutes > policy.daily_cap_minutes:
        return False
    result = db.session.execute(
        update(ServiceRecord).where(ServiceRecord.id == record.id, ServiceRecord.status == PENDING)
        .values(status=CONFIRMED, decided_at=now(), decided_by_id=None, decision_note=clean_text(basis, "basis", 500))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise LedgerRejected(_("This entry has already been decided by someone else."))
    db.session.refresh(record)
    post_confirmation(record, community, None, policy)
    count_records([(record, 1)])
    record_audit("ledger.auto_confirmed", community=community, target=("record", record.id),
                 detail={"minutes": record.minutes, "basis": basis})
    after_commit(lambda: announce_confirmed(community, [record]))
    return True


def reject(record, community, actor, reason):
    """Reject a pending record with a reason the volunteer reads. Commits."""
    if not can_confirm(actor, record, community):
        raise PermissionDenied("ledger.confirm", _("You cannot decide on this entry."))
    reason = clean_text(reason, "reason", 500, required=True, missing=_("Give a reason; the volunteer will see it."))
    with atomic():
        _decide(record, REJECTED, actor, reason)
        record_audit("ledger.rejected", actor=actor, community=community, target=("record", record.id))
        notify(record.volunteer, "ledger.rejected", N_("Your hours for “%(activity)s” were not confirmed: "
                                                      "%(reason)s"), community=community,
               link=f"/c/{community.slug}/hours/records/{record.id}", activity=record.activity_name, reason=reason)
    return record


def decide_many(community, actor, record_ids, action, reason=""):
    """Confirm or reject several pending records. Coordinators confirm in one set-based transaction
    (``bulk.confirm_many``); team leaders and rejections go one by one. Returns (done, [(record, why)])."""
    if action == "reject":
        reason = clean_text(reason, "reason", 500, required=True,
                            missing=_("Give a reason; the volunteer will see it."))
    records = db.session.scalars(select(ServiceRecord).where(
        ServiceRecord.community_id == community.id, ServiceRecord.id.in_(list(record_ids)[:2000]))
        .order_by(ServiceRecord.activity_date, ServiceRecord.id)).all()
    if action == "confirm" and can(actor, "ledger.confirm", community):
        from .bulk import confirm_many

        with atomic():
            done, skipped = confirm_many(records, community, actor)
        return done, skipped
    done, skipped = [], []
    for record in records:
        try:
            if action == "confirm":
                confirm(record, community, actor)
            else:
                reject(record, community, actor, reason)
            done.append(record)
        except (ValidationFailed, PermissionDenied) as error:
            db.session.rollback()
            skipped.append((record, error.message))
    return done, skipped


def _joined(reasons):
    """The plugins' reasons to refuse a record as one message, kept lazy when they are (``_l()``): the message
    is then stored untranslated where a plugin keeps it (``timebank.stored_text``)."""
    message = reasons[0]
    for reason in reasons[1:]:
        message = _l("%(reasons)s; %(reason)s", reasons=message, reason=reason)
    return message


def _hours_text(minutes):
    from ..i18n import format_minutes

    return format_minutes(minutes)


def record_in(community, record_id):
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.id == record_id,
                                                           ServiceRecord.community_id == community.id))
    if record is None:
        raise NotFound(record_id)
    return record


__all__ = ["LedgerRejected", "record_service", "confirm", "reject", "decide_many"]
