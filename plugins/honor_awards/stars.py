"""Star volunteers (星级志愿者), fed by the ledger: when a volunteer's confirmed hours cross a star threshold (ledger
policy, default 100/300/600/1000/1500 hours), they become a candidate of the year's star round and go on the
day's star notice; when that notice has run for the policy's working days (default 5) without an open
objection, the star is granted.

A volunteer is a candidate for each star level once, ever (a unique row per round and level, and a look across
rounds): repeated or replayed ledger events change nothing. A correction that takes the hours back below the
level withdraws a candidacy still on notice; crossing the level again puts it back.
"""

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from timebank import roles
from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.models import Membership
from timebank.communities.services import ACTIVE, active_membership
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _
from timebank.identity.models import User
from timebank.ledger.accounts import balance_of, balances_of
from timebank.ledger.models import MEMBER_SERVICE
from timebank.ledger.policy import ledger_policy, star_level

from . import notices
from .awards import item_key
from .campaigns import star_campaign
from .models import Campaign, Nomination, NoticeItem
from .services import (
    PLUGIN,
    add_working_days,
    award_settings,
    in_default_language,
    local_today,
    public_name,
    start_of_day,
)

logger = logging.getLogger(__name__)

#: ``withdrawn_reason`` of a candidacy withdrawn because corrected hours fell below its level (it may come back).
HOURS_CORRECTED = "hours"

CHUNK = 500  # ids per IN (...) list


def star_detail(level):
    with in_default_language():
        return "★" * level + " " + _("%(n)d-star volunteer", n=level)


def confirmed_stars(community, volunteer):
    """The star level of the volunteer's confirmed hours, from the cached balance of their service account."""
    return star_level(balance_of(community.id, MEMBER_SERVICE, volunteer.id), ledger_policy(community))[0]


def todays_star_notice(community, campaign):
    """The star notice opened today (one per day: candidates of one day share a notice), created if needed."""
    today = local_today(community)
    subject = f"stars-{campaign.id}-{today:%Y%m%d}"
    notice = notices.notice_for(community, PLUGIN, subject)
    if notice is not None:
        return notice
    days = award_settings(community).star_notice_working_days
    with in_default_language():
        title = _("Public notice of star volunteers (%(date)s)", date=today.isoformat())
        body = _("The following volunteers have reached a star level with confirmed service hours. Anyone who "
                 "disagrees may lodge an objection, with reasons, during the notice period.")
    # The day of publication is not counted: the notice runs for ``days`` full working days after it.
    ends_at = start_of_day(community, add_working_days(today, days) + timedelta(days=1))
    try:
        with db.session.begin_nested():
            return notices.open_notice(community, None, owner=PLUGIN, subject=subject, title=title, body=body,
                                       ends_at=ends_at)
    except IntegrityError:  # opened a moment ago by a confirmation for another volunteer
        return notices.notice_for(community, PLUGIN, subject)


def check_volunteer(community, volunteer):
    """Make ``volunteer`` a candidate for the star level their confirmed hours reach, once. Commits when it does.
    Returns the new (or reinstated) nomination, or ``None``."""
    return check_volunteers(community, [volunteer.id]).get(volunteer.id)


def check_volunteers(community, volunteer_ids):
    """``check_volunteer`` for several volunteers at once (everyone in one bulk confirmation): the cheap checks —
    the level from the maintained balances, whether that level is already on notice or granted — take two
    queries whatever the number of people; only those who reach a new level cost more (and commit).
    New candidates go on the notice in the order of ``volunteer_ids`` (the order of the confirmed entries).
    Returns ``{volunteer id: new or reinstated nomination}``."""
    ids = list(dict.fromkeys(volunteer_ids))
    if not ids or not award_settings(community).stars_enabled:
        return {}
    policy = ledger_policy(community)
    levels = {user_id: star_level(minutes, policy)[0]
              for user_id, minutes in balances_of(community.id, MEMBER_SERVICE, ids, CHUNK).items()}
    reached = [user_id for user_id in ids if levels[user_id] > 0]
    existing = {}
    for start in range(0, len(reached), CHUNK):
        for nomination in db.session.scalars(select(Nomination).join(Campaign, Campaign.id == Nomination.campaign_id)
                                             .where(Campaign.community_id == community.id, Campaign.kind == "star",
                                                    Nomination.user_id.in_(reached[start:start + CHUNK]))
                                             .order_by(Nomination.id).options(lazyload("*"))):
            existing.setdefault((nomination.user_id, nomination.star_level), nomination)
    due = []
    for user_id in reached:
        nomination = existing.get((user_id, levels[user_id]))
        if nomination is not None and nomination.status != "withdrawn":
            continue  # on notice or granted already
        if nomination is not None and nomination.withdrawn_reason != HOURS_CORRECTED:
            continue  # withdrawn after an upheld objection: it does not come back by itself
        due.append((user_id, levels[user_id], nomination))
    made, round_ = {}, {}
    for user_id, level, nomination in due:
        try:  # one person's failure must not cost the others of the batch their candidacy
            with db.session.begin_nested():
                nomination = _nominate(community, db.session.get(User, user_id), level, nomination, round_)
        except Exception:
            if len(due) == 1:
                raise
            logger.exception("star check failed for volunteer %s", user_id)
            round_.clear()  # (a round or notice opened inside the failed savepoint is gone)
            continue
        if nomination is not None:
            made[user_id] = nomination
    if made:
        commit()  # one commit for everyone who became a candidate
    elif round_:
        db.session.rollback()  # no candidate after all: no empty round or notice either
    return made


def _nominate(community, volunteer, level, existing, round_):
    """Put ``volunteer`` on today's star notice for ``level`` (reinstating ``existing``, a candidacy withdrawn
    because of corrected hours), in the caller's transaction. ``round_`` keeps the star round and today's notice
    for the next volunteer of the same batch. Returns the nomination, or ``None``."""
    membership = active_membership(volunteer, community)
    if membership is None or not roles.role_at_least(membership.role, roles.VOLUNTEER):
        return None
    if not round_:
        round_["campaign"] = star_campaign(community, local_today(community).year)
        round_["notice"] = todays_star_notice(community, round_["campaign"])
    campaign, notice = round_["campaign"], round_["notice"]
    if existing is None:
        nomination = Nomination(community_id=community.id, campaign_id=campaign.id, user_id=volunteer.id,
                                nominee_name=volunteer.display_name, star_level=level, nominator_kind="ledger",
                                name_consent="undecided",
                                statement="", status="on_notice", created_at=now())
        try:
            with db.session.begin_nested():
                db.session.add(nomination)
        except IntegrityError:  # the same confirmation event, handled twice at once
            return None
    else:
        nomination = existing
        nomination.status, nomination.withdrawn_reason = "on_notice", ""
    line = db.session.scalar(select(NoticeItem).where(NoticeItem.notice_id == notice.id,
                                                      NoticeItem.key == item_key(nomination)))
    if line is None:
        notices.add_item(notice, item_key(nomination), public_name(nomination), star_detail(level))
    else:
        line.withdrawn = False
    record_audit("honor_awards.star_candidate", community=community, target=("honor_awards_nomination",
                                                                             nomination.id),
                 detail={"level": level})
    return nomination


def recheck_after_correction(community, volunteer):
    """Hours were corrected: withdraw star candidacies on notice that the confirmed hours no longer reach.
    Commits. Returns how many were withdrawn."""
    level = confirmed_stars(community, volunteer)
    candidacies = db.session.scalars(select(Nomination).join(Campaign, Campaign.id == Nomination.campaign_id).where(
        Campaign.community_id == community.id, Campaign.kind == "star", Nomination.user_id == volunteer.id,
        Nomination.status == "on_notice", Nomination.star_level > level)).all()
    for nomination in candidacies:
        nomination.status, nomination.withdrawn_reason = "withdrawn", HOURS_CORRECTED
        for line in db.session.scalars(select(NoticeItem).where(NoticeItem.key == item_key(nomination))):
            if line.notice.status == "open":
                line.withdrawn = True
        record_audit("honor_awards.star_withdrawn", community=community,
                     target=("honor_awards_nomination", nomination.id))
    if candidacies:
        commit()
    return len(candidacies)


def scan_community(community):
    """Check every volunteer (after switching the plugin on, or changing the thresholds). Returns how many
    candidacies were created."""
    volunteers = db.session.scalars(select(Membership.user_id).where(
        Membership.community_id == community.id, Membership.status == ACTIVE,
        Membership.role.in_([role for role in roles.ROLES if roles.role_at_least(role, roles.VOLUNTEER)]))
        .order_by(Membership.user_id)).all()
    return len(check_volunteers(community, volunteers))


def star_candidates(community):
    """Star candidacies on notice now, with their notices (for the coordinators' overview)."""
    return db.session.scalars(select(Nomination).join(Campaign, Campaign.id == Nomination.campaign_id).where(
        Campaign.community_id == community.id, Campaign.kind == "star", Nomination.status == "on_notice")
        .order_by(Nomination.created_at, Nomination.id)).all()
