"""Dispatch: a coordinator assigns a qualified volunteer (with the visit time), a qualified volunteer takes an open
request, a volunteer hands a job back. The resident is told who is coming and when."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.errors import PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.i18n import N_, _, ngettext
from timebank.validation import clean_text

from .policy import repair_policy
from .roster import active_member_volunteer, local_day, open_jobs, qualification_problem, roster_entry
from .services import (
    lock_order,
    log_event,
    notify_coordinators,
    notify_requester,
    notify_volunteer,
    require_manage,
    require_status,
    undone_on_refusal,
)
from .vocabulary import (
    ASSIGNED,
    DAY_PART_START,
    EMERGENCY,
    ON_THE_WAY,
    REOPENED,
    SUBMITTED,
)

MAX_DAYS_AHEAD = 30


def visit_time(community, day, at):
    """The visit's moment from a local date and time; ``ValidationFailed`` when it is not a sensible one."""
    if day is None or at is None:
        raise ValidationFailed(_("Enter the date and time of the visit."), field="visit_date")
    moment = datetime.combine(day, at, ZoneInfo(community.timezone))
    if moment < now() - timedelta(hours=1):
        raise ValidationFailed(_("The visit cannot be in the past."), field="visit_date")
    if moment > now() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed(_("Plan the visit within the next 30 days."), field="visit_date")
    return moment


def suggested_visit(order, community, moment=None):
    """A sensible default visit time: soon for an emergency, else the first part of day the resident chose."""
    moment = moment or now()
    zone = ZoneInfo(community.timezone)
    if order.urgency == EMERGENCY or not order.preferred_day_list:
        soon = (moment + timedelta(minutes=30)).astimezone(zone)
        return soon.date(), soon.time().replace(second=0, microsecond=0,
                                                minute=0 if soon.minute < 30 else 30)
    today = local_day(community, moment)
    days = [date.fromisoformat(day) for day in order.preferred_day_list if day >= today.isoformat()]
    part = (order.preferred_part_list or ["am"])[0]
    day = days[0] if days else today + timedelta(days=1)
    return day, DAY_PART_START[part]


def when_text(community, moment):
    """The visit time in the order's history: stored as text, so the same in every language."""
    return f"{moment.astimezone(ZoneInfo(community.timezone)):%Y-%m-%d %H:%M}"


def visit_day_and_time(community, moment):
    """The visit's local day (a date: shown in the reader's language) and time of day, as notification
    parameters."""
    local = moment.astimezone(ZoneInfo(community.timezone))
    return {"day": local.date(), "time": f"{local:%H:%M}"}


#: Messages of older notifications (the day and time as one text, "2026-11-24 09:00"): kept in the catalogue so
#: that they still read translated.
LEGACY_MESSAGES = (N_("New repair job %(number)s: %(address)s, %(when)s."),
                   N_("%(name)s from the repair team will come for %(number)s on %(when)s."))


def _check_volunteer(order, community, volunteer):
    if not active_member_volunteer(community, volunteer):
        raise ValidationFailed(_("Choose an active volunteer of this community."), field="volunteer_id")
    entry = roster_entry(community, volunteer)
    problem = qualification_problem(entry, order.category, repair_policy(community).licensed_categories,
                                    local_day(community))
    if problem is not None:
        raise ValidationFailed(_("%(name)s cannot take this job: %(reason)s", name=volunteer.display_name,
                                 reason=problem), field="volunteer_id")
    return entry


def _new_visit(order):
    """A reopened order goes out again: a fresh visit with its own times, materials and hours."""
    order.visit += 1
    order.started_at = order.finished_at = order.signed_off_at = order.signed_off_by_id = None
    order.work_note = order.referral_note = order.signoff_method = ""
    order.signoff_failures = 0
    order.rating, order.rating_comment, order.rated_at = None, "", None


@undone_on_refusal
def assign(order, community, actor, volunteer, scheduled_at):
    """The coordinator sends a qualified volunteer at ``scheduled_at`` (or changes the volunteer or time before
    the work starts). Commits."""
    require_manage(actor, community)
    lock_order(order)
    require_status(order, SUBMITTED, REOPENED, ASSIGNED, ON_THE_WAY)
    _check_volunteer(order, community, volunteer)
    previous = order.volunteer if order.volunteer_id not in (None, volunteer.id) else None
    if order.status == REOPENED:
        _new_visit(order)
    order.volunteer_id, order.volunteer = volunteer.id, volunteer
    order.scheduled_at, order.assigned_at, order.status = scheduled_at, now(), ASSIGNED
    log_event(order, "assigned", actor, f"{volunteer.display_name} · {when_text(community, scheduled_at)}")
    record_audit("repair_team.assigned", actor=actor, community=community, target=("repair_order", order.id),
                 detail={"volunteer_id": volunteer.id})
    if previous is not None:
        from timebank.notifications.services import notify

        notify(previous, "repair_team.unassigned", N_("Repair %(number)s was given to another volunteer."),
               community=community, number=order.number)
    notify_volunteer(order, community, "assigned", N_("New repair job %(number)s: %(address)s, %(day)s at "
                                                      "%(time)s."), address=order.household.label,
                     **visit_day_and_time(community, scheduled_at))
    notify_requester(order, community, "assigned", N_("%(name)s from the repair team will come for %(number)s "
                                                      "on %(day)s at %(time)s."), name=volunteer.display_name,
                     **visit_day_and_time(community, scheduled_at))
    commit()
    return order


@undone_on_refusal
def claim(order, community, volunteer, scheduled_at):
    """A qualified volunteer takes an open request (not a reopened one: the coordinator decides those), within
    the limit of jobs held at once. Of two volunteers claiming together, one wins. Commits."""
    policy = repair_policy(community)
    if not policy.volunteers_may_claim:
        raise PermissionDenied("repair_team.claim", _("In this community the coordinator assigns every job."))
    entry = roster_entry(community, volunteer)
    if entry is None or not active_member_volunteer(community, volunteer):
        raise PermissionDenied("repair_team.claim", _("Only volunteers on the repair team can take jobs."))
    if not entry.taking_jobs:
        raise ValidationFailed(_("You have paused taking jobs: switch it back on under “My availability”."))
    lock_order(order)
    if order.status != SUBMITTED:
        raise ValidationFailed(_("Someone else has just taken this job."))
    _check_volunteer(order, community, volunteer)
    if open_jobs(community, [volunteer.id])[volunteer.id] >= policy.max_open_jobs:
        raise ValidationFailed(ngettext("You already hold %(num)d job: finish it first.",
                                        "You already hold %(num)d jobs: finish one first.", policy.max_open_jobs))
    order.volunteer_id, order.volunteer = volunteer.id, volunteer
    order.scheduled_at, order.assigned_at, order.status = scheduled_at, now(), ASSIGNED
    log_event(order, "claimed", volunteer, when_text(community, scheduled_at))
    record_audit("repair_team.claimed", actor=volunteer, community=community, target=("repair_order", order.id))
    notify_requester(order, community, "assigned", N_("%(name)s from the repair team will come for %(number)s "
                                                      "on %(day)s at %(time)s."), name=volunteer.display_name,
                     **visit_day_and_time(community, scheduled_at))
    commit()
    return order


@undone_on_refusal
def hand_back(order, community, volunteer, reason):
    """The volunteer cannot go after all: the request waits for someone else; coordinators and the resident are
    told. Commits."""
    reason = clean_text(reason, "reason", 200, required=True, missing=_("Say why, so that the coordinator can "
                                                                        "plan."))
    lock_order(order)
    if order.volunteer_id != volunteer.id:
        raise PermissionDenied("repair_team.job", _("Only the volunteer doing this job can do this."))
    require_status(order, ASSIGNED, ON_THE_WAY)
    name = volunteer.display_name
    order.status, order.volunteer_id, order.volunteer, order.scheduled_at = SUBMITTED, None, None, None
    log_event(order, "handed_back", volunteer, reason)
    record_audit("repair_team.handed_back", actor=volunteer, community=community, target=("repair_order", order.id))
    notify_coordinators(order, community, "handed_back", N_("%(name)s handed repair %(number)s back: %(reason)s"),
                        name=name, reason=reason)
    notify_requester(order, community, "handed_back", N_("The volunteer cannot come for %(number)s after all; the "
                                                         "coordinator is finding someone else."))
    commit()
    return order
