"""Campaigns: creating and changing one, its rubric, its schedule and the phase it is in on a given day."""

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.errors import ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _
from timebank.permissions import require
from timebank.validation import clean_text

from .models import CAMPAIGN_KINDS, LEVELS, Campaign, Criterion, Nomination, Score
from .services import award_settings, in_default_language, local_today

RUBRIC_LINE = re.compile(r"^(?P<name>.+?)[\s:：,，]+(?P<points>\d{1,3})\s*(?:分|points?)?$")
MAX_CRITERIA = 10


@dataclass(frozen=True)
class Schedule:
    nominations_open_on: date
    nominations_close_on: date
    review_until: date
    vote_opens_on: date | None
    vote_closes_on: date | None
    notice_days: int
    award_on: date


def parse_rubric(text):
    """"家庭和睦 30" per line → ``[("家庭和睦", 30), ...]``; ``ValidationFailed`` (field ``rubric``) otherwise."""
    lines = [line.strip() for line in re.split(r"[\n;；]+", text or "") if line.strip()]
    if not lines:
        raise ValidationFailed(_("Give at least one criterion with its points, e.g. “Family harmony 30”."),
                               field="rubric")
    if len(lines) > MAX_CRITERIA:
        raise ValidationFailed(_("At most %(n)d criteria.", n=MAX_CRITERIA), field="rubric")
    rubric = []
    for line in lines:
        match = RUBRIC_LINE.match(line)
        if match is None:
            raise ValidationFailed(_("“%(line)s”: write the criterion, then its points (e.g. “Family harmony 30”).",
                                     line=line[:40]), field="rubric")
        name, points = match.group("name").strip(), int(match.group("points"))
        if len(name) > 30 or not 1 <= points <= 100:
            raise ValidationFailed(_("“%(line)s”: names up to 30 characters, 1 to 100 points.", line=line[:40]),
                                   field="rubric")
        if name in {existing for existing, _points in rubric}:
            raise ValidationFailed(_("“%(name)s” is listed twice.", name=name), field="rubric")
        rubric.append((name, points))
    return rubric


def rubric_text(campaign):
    return "\n".join(f"{item.name} {item.max_points}" for item in campaign.criteria_items)


def _check_schedule(schedule, community, is_new):
    notice_days = int(schedule.notice_days or 0)
    if not 3 <= notice_days <= 7:
        raise ValidationFailed(_("A public notice lasts 3 to 7 days."), field="notice_days")
    if schedule.nominations_close_on < schedule.nominations_open_on:
        raise ValidationFailed(_("Nominations must close on or after the day they open."),
                               field="nominations_close_on")
    if is_new and schedule.nominations_close_on < local_today(community):
        raise ValidationFailed(_("The nomination period is already over."), field="nominations_close_on")
    if schedule.review_until < schedule.nominations_close_on:
        raise ValidationFailed(_("The review ends on or after the day nominations close."), field="review_until")
    last = schedule.review_until
    if (schedule.vote_opens_on is None) != (schedule.vote_closes_on is None):
        raise ValidationFailed(_("Give both the first and the last day of the public vote."), field="vote_opens_on")
    if schedule.vote_opens_on is not None:
        if schedule.vote_opens_on <= schedule.nominations_close_on:
            raise ValidationFailed(_("The public vote opens after nominations close (the committee shortlists "
                                     "first)."), field="vote_opens_on")
        if schedule.vote_closes_on < schedule.vote_opens_on:
            raise ValidationFailed(_("The vote must close on or after the day it opens."), field="vote_closes_on")
        last = max(last, schedule.vote_closes_on)
    if schedule.award_on < last + timedelta(days=notice_days):
        raise ValidationFailed(_("Leave room for the review, the vote and a %(days)d-day public notice before "
                                 "the award date (%(date)s at the earliest).", days=notice_days,
                                 date=(last + timedelta(days=notice_days)).isoformat()), field="award_on")


def save_campaign(community, actor, campaign=None, *, title, kind, year, level="community", criteria="", quota=10,
                  rubric="", schedule):
    """Create (``campaign=None``) or change a campaign while it runs. Commits."""
    require(actor, "honor_awards.manage", community)
    title = clean_text(title, "title", 80, required=True, missing=_("Give the award a name."))
    if kind not in CAMPAIGN_KINDS or kind == "star":
        raise ValidationFailed(_("Choose one of the options."), field="kind")
    if level not in LEVELS:
        raise ValidationFailed(_("Choose one of the options."), field="level")
    try:
        year, quota = int(year), int(quota)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field="quota") from None
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("Enter a year such as %(year)d.", year=local_today(community).year), field="year")
    if not 1 <= quota <= 500:
        raise ValidationFailed(_("Between 1 and 500 honours."), field="quota")
    criteria = clean_text(criteria, "criteria", 5000)
    parsed = parse_rubric(rubric)
    _check_schedule(schedule, community, campaign is None)
    duplicate = select(Campaign.id).where(Campaign.community_id == community.id, Campaign.title == title)
    if campaign is not None:
        if campaign.status != "active":
            raise ValidationFailed(_("Only a campaign that has not been published can be changed."))
        duplicate = duplicate.where(Campaign.id != campaign.id)
        if kind != campaign.kind and _nomination_count(campaign):
            raise ValidationFailed(_("The kind cannot change once there are nominations."), field="kind")
    if db.session.scalar(duplicate):
        raise ValidationFailed(_("Another campaign already has this name."), field="title")
    if campaign is None:
        campaign = Campaign(community_id=community.id, created_by_id=actor.id, created_at=now(), status="active")
        db.session.add(campaign)
    campaign.title, campaign.kind, campaign.year, campaign.level = title, kind, year, level
    campaign.criteria, campaign.quota = criteria, quota
    for key, value in vars(schedule).items():
        setattr(campaign, key, value)
    db.session.flush()
    _replace_rubric(campaign, parsed)
    record_audit("honor_awards.campaign_saved", actor=actor, community=community,
                 target=("honor_awards_campaign", campaign.id))
    commit()
    return campaign


def _nomination_count(campaign):
    return db.session.scalar(select(func.count(Nomination.id)).where(Nomination.campaign_id == campaign.id))


def _replace_rubric(campaign, parsed):
    current = [(item.name, item.max_points) for item in campaign.criteria_items]
    if current == parsed:
        return
    scored = db.session.scalar(select(func.count(Score.id)).join(Nomination, Nomination.id == Score.nomination_id)
                               .where(Nomination.campaign_id == campaign.id))
    if scored:
        raise ValidationFailed(_("The rubric cannot change once the committee has started scoring."),
                               field="rubric")
    for item in list(campaign.criteria_items):
        db.session.delete(item)
    db.session.flush()
    for position, (name, points) in enumerate(parsed, start=1):
        db.session.add(Criterion(campaign_id=campaign.id, position=position, name=name, max_points=points))
    db.session.flush()
    db.session.expire(campaign, ["criteria_items"])


def cancel_campaign(campaign, community, actor, reason):
    """Stop a campaign before its notice is published (nominations are kept). Commits."""
    require(actor, "honor_awards.manage", community)
    reason = clean_text(reason, "reason", 200, required=True, missing=_("Give a reason."))
    if campaign.status != "active" or campaign.kind == "star":
        raise ValidationFailed(_("Only a campaign that has not been published can be cancelled."))
    campaign.status = "cancelled"
    record_audit("honor_awards.campaign_cancelled", actor=actor, community=community,
                 target=("honor_awards_campaign", campaign.id), detail={"reason": reason})
    commit()


# --- Phases ---------------------------------------------------------------------------------------------------------


def phase_of(campaign, today):
    """Where a campaign stands on ``today`` (a local date): upcoming, nominating, reviewing, voting, ready,
    notice, final or cancelled."""
    if campaign.status != "active":
        return campaign.status
    if campaign.kind == "star":
        return "nominating"
    if today < campaign.nominations_open_on:
        return "upcoming"
    if today <= campaign.nominations_close_on:
        return "nominating"
    if campaign.has_vote:
        if campaign.vote_opens_on <= today <= campaign.vote_closes_on:
            return "voting"
        return "ready" if today > campaign.vote_closes_on else "reviewing"
    return "reviewing" if today <= campaign.review_until else "ready"


def vote_has_started(campaign, today):
    return campaign.has_vote and today >= campaign.vote_opens_on


def campaigns_in(community, include_finished=True, with_criteria=True):
    """Campaigns of the community, running ones first, newest first (the star volunteers' rounds last).

    ``with_criteria=False``: the scoring criteria are not read with them (they load if asked for: the home card
    shows titles and phases only)."""
    return _running_first(db.session.scalars(_campaigns_statement(include_finished, with_criteria),
                                             {"community_id": community.id}))


def _running_first(campaigns):
    """Running campaigns first, the star volunteers' rounds last (each group in the order read)."""
    return sorted(campaigns, key=lambda c: (c.kind == "star", c.status not in ("active", "notice")))


def running_with_open_notices(community):
    """``(campaigns_in(community, include_finished=False, with_criteria=False), the number of public notices up)``
    in one statement, for the home card: the notices' count (one row) with the running campaigns left-joined."""
    rows = db.session.execute(_running_with_notices_statement(), {"community_id": community.id}).all()
    return _running_first(campaign for _count, campaign in rows if campaign is not None), int(rows[0][0])


@functools.cache
def _running_with_notices_statement():
    from .models import Notice

    community_id = bindparam("community_id")
    notices = select(func.count(Notice.id).label("open")).where(Notice.community_id == community_id,
                                                                Notice.status == "open").subquery()
    running = and_(Campaign.community_id == community_id, Campaign.status.in_(("active", "notice")))
    return select(notices.c.open, Campaign).select_from(notices).outerjoin(Campaign, running).options(
        lazyload(Campaign.criteria_items)).order_by(Campaign.year.desc(), Campaign.created_at.desc(),
                                                     Campaign.id.desc())


@functools.cache
def _campaigns_statement(include_finished, with_criteria):
    """Built once per variant (a built statement also keeps its cache key): the home card runs one."""
    query = select(Campaign).where(Campaign.community_id == bindparam("community_id"))
    if not with_criteria:
        query = query.options(lazyload(Campaign.criteria_items))
    if not include_finished:
        query = query.where(Campaign.status.in_(("active", "notice")))
    return query.order_by(Campaign.year.desc(), Campaign.created_at.desc(), Campaign.id.desc())


def default_schedule(community):
    """A schedule for the campaign form: nominations for two weeks, a week of review, a week of voting."""
    today = local_today(community)
    notice_days = award_settings(community).notice_days
    close = today + timedelta(days=14)
    return Schedule(today, close, close + timedelta(days=7), close + timedelta(days=8), close + timedelta(days=14),
                    notice_days, close + timedelta(days=14 + notice_days + 1))


# --- The star volunteers' round -------------------------------------------------------------------------------------


def star_campaign(community, year):
    """The built-in round of star volunteers for ``year``, created on first use (no commit)."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.community_id == community.id,
                                                        Campaign.kind == "star", Campaign.year == year))
    if campaign is not None:
        return campaign
    with in_default_language():
        title = _("%(year)d star volunteers", year=year)
        criteria = _("Volunteers whose confirmed service hours reach a star level become candidates and are "
                     "announced after a public notice.")
    campaign = Campaign(community_id=community.id, kind="star", title=title, year=year, level="community",
                        criteria=criteria, quota=0, nominations_open_on=date(year, 1, 1),
                        nominations_close_on=date(year, 12, 31), review_until=date(year, 12, 31),
                        notice_days=award_settings(community).star_notice_working_days,
                        award_on=date(year, 12, 31), status="active", created_at=now())
    try:
        with db.session.begin_nested():
            db.session.add(campaign)
    except IntegrityError:  # created a moment ago by a concurrent confirmation
        return db.session.scalar(select(Campaign).where(Campaign.community_id == community.id,
                                                        Campaign.kind == "star", Campaign.year == year))
    return campaign
