"""A volunteer's claim of hours served (补录 by the volunteer): the rules shared by the web page and the API."""

from ..errors import PermissionDenied
from ..i18n import _
from .accounts import atomic
from .policy import ledger_policy
from .records import record_service


def claim_hours(community, volunteer, actor, *, category, activity_name, started_at, ended_at, minutes=None,
                place="", content="", activity_leader="", evidence_note=""):
    """Record a pending claim of ``volunteer`` (``actor`` is who typed it: the volunteer or a helper). Commits.

    :raises PermissionDenied: claims are off in the community, or the person is not a registered volunteer.
    :raises ValidationFailed: bad input (the field is named); ``LedgerRejected``: a rule or plugin refused it.
    """
    from .plugin import is_volunteer

    if not ledger_policy(community).claims_enabled:
        raise PermissionDenied("ledger.claim", _("This community records hours only through check-in and "
                                                 "coordinators."))
    if not is_volunteer(volunteer, community):
        raise PermissionDenied("ledger.claim", _("Only registered volunteers record service hours. Ask your "
                                                 "community's coordinator if you want to volunteer."))
    with atomic():
        return record_service(
            community, volunteer, category=category, activity_name=activity_name, started_at=started_at,
            ended_at=ended_at, minutes=minutes, place=place, content=content, activity_leader=activity_leader,
            evidence_note=evidence_note, is_backfill=True, actor=actor, limit_age=True)
