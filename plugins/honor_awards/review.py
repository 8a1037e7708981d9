"""The committee's review: home visits, scores per criterion of the rubric, the shortlist, and the standings
(committee score weighted with the public vote, *policy*). Scores are never shown on public pages."""

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.errors import ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _
from timebank.permissions import require
from timebank.validation import clean_text

from .campaigns import vote_has_started
from .models import Nomination, Score
from .services import award_settings, local_today
from .voting import tally

REVIEWABLE = ("nominated", "shortlisted")


def _check_reviewable(nomination):
    if nomination.campaign.status != "active" or nomination.status not in REVIEWABLE:
        raise ValidationFailed(_("This candidate can no longer be changed here."))


def record_visit(nomination, community, actor, visited_on: date, note):
    """Record the home visit (入户走访): when, and what the visitors found. Commits."""
    require(actor, "honor_awards.review", community)
    _check_reviewable(nomination)
    note = clean_text(note, "visit_note", 2000, required=True, missing=_("Write down what you found."))
    if visited_on is None or visited_on > local_today(community):
        raise ValidationFailed(_("The visit cannot be in the future."), field="visited_on")
    if visited_on < local_today(community, nomination.created_at):
        raise ValidationFailed(_("The visit cannot be before the nomination."), field="visited_on")
    nomination.visited_on, nomination.visit_note, nomination.visited_by_id = visited_on, note, actor.id
    record_audit("honor_awards.visited", actor=actor, community=community,
                 target=("honor_awards_nomination", nomination.id))
    commit()


def save_scores(nomination, community, reviewer, points):
    """One committee member's points per criterion: ``{criterion_id: points}``, every criterion of the rubric,
    each between 0 and its maximum. A second call replaces the member's earlier points. Commits."""
    require(reviewer, "honor_awards.review", community)
    _check_reviewable(nomination)
    criteria = nomination.campaign.criteria_items
    cleaned = {}
    for criterion in criteria:
        raw = points.get(criterion.id, points.get(str(criterion.id)))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationFailed(_("Give points for “%(name)s”.", name=criterion.name),
                                   field=f"criterion_{criterion.id}") from None
        if not 0 <= value <= criterion.max_points:
            raise ValidationFailed(_("“%(name)s”: 0 to %(max)d points.", name=criterion.name,
                                     max=criterion.max_points), field=f"criterion_{criterion.id}")
        cleaned[criterion.id] = value
    existing = {score.criterion_id: score for score in db.session.scalars(
        select(Score).where(Score.nomination_id == nomination.id, Score.reviewer_id == reviewer.id))}
    for criterion_id, value in cleaned.items():
        score = existing.get(criterion_id)
        if score is None:
            db.session.add(Score(nomination_id=nomination.id, criterion_id=criterion_id, reviewer_id=reviewer.id,
                                 points=value, scored_at=now()))
        else:
            score.points, score.scored_at = value, now()
    record_audit("honor_awards.scored", actor=reviewer, community=community,
                 target=("honor_awards_nomination", nomination.id))
    commit()


def scores_by(nomination, reviewer):
    return dict(db.session.execute(select(Score.criterion_id, Score.points).where(
        Score.nomination_id == nomination.id, Score.reviewer_id == reviewer.id)).all())


def committee_scores(campaign):
    """``{nomination_id: (percent of the rubric, number of reviewers)}``: the average of the members' totals."""
    totals = (select(Score.nomination_id, Score.reviewer_id, func.sum(Score.points).label("total"))
              .join(Nomination, Nomination.id == Score.nomination_id)
              .where(Nomination.campaign_id == campaign.id)
              .group_by(Score.nomination_id, Score.reviewer_id).subquery())
    rows = db.session.execute(select(totals.c.nomination_id, func.avg(totals.c.total), func.count())
                              .group_by(totals.c.nomination_id)).all()
    maximum = campaign.rubric_total or 1
    return {nomination_id: (float(average) * 100 / maximum, int(count)) for nomination_id, average, count in rows}


def set_shortlisted(nomination, community, actor, shortlisted=True):
    """Put a candidate on (or take them off) the shortlist. A candidate needs a home visit and committee scores
    first; the shortlist is frozen once the public vote has started. Commits."""
    require(actor, "honor_awards.manage", community)
    _check_reviewable(nomination)
    campaign = nomination.campaign
    if vote_has_started(campaign, local_today(community)):
        raise ValidationFailed(_("The public vote has started: the shortlist can no longer change."))
    if shortlisted:
        if nomination.visited_on is None:
            raise ValidationFailed(_("Record the home visit first."))
        if nomination.id not in committee_scores(campaign):
            raise ValidationFailed(_("The committee has not scored this candidate yet."))
    nomination.status = "shortlisted" if shortlisted else "nominated"
    nomination.decided_by_id, nomination.decided_at = actor.id, now()
    record_audit("honor_awards.shortlisted" if shortlisted else "honor_awards.unshortlisted", actor=actor,
                 community=community, target=("honor_awards_nomination", nomination.id))
    commit()


@dataclass
class Standing:
    nomination: Nomination
    committee: float | None  # percent of the rubric, average of the members
    reviewers: int
    votes: int
    voided: int
    vote_share: float  # percent of the most-voted candidate's valid votes
    final: float | None


RANKED = ("shortlisted", "on_notice", "awarded")


class _Rank(NamedTuple):
    """A standing before its nomination is loaded: the fields of ``Standing`` after the first, and the id."""

    nomination_id: int
    committee: float | None
    reviewers: int
    votes: int
    voided: int
    vote_share: float
    final: float | None


def _ranking(campaign, community, ids, scores, votes):
    """``[_Rank]`` of the nominations ``ids``, best first (ties in the order of the ids)."""
    scores = committee_scores(campaign) if scores is None else scores
    votes = tally(campaign) if votes is None else votes
    most = max([votes.get(nomination_id, (0, 0))[0] for nomination_id in ids] or [0])
    weight = award_settings(community).vote_weight_percent if campaign.has_vote else 0
    ranks = []
    for nomination_id in ids:
        committee, reviewers = scores.get(nomination_id, (None, 0))
        valid, voided = votes.get(nomination_id, (0, 0))
        share = valid * 100 / most if most else 0.0
        final = None if committee is None else committee * (100 - weight) / 100 + share * weight / 100
        ranks.append(_Rank(nomination_id, committee, reviewers, valid, voided, share, final))
    ranks.sort(key=lambda rank: (rank.final is None, -(rank.final or 0), rank.nomination_id))
    return ranks


def _chosen(campaign, statuses):
    return Nomination.campaign_id == campaign.id, Nomination.status.in_(statuses)


def standings(campaign, community, statuses=RANKED, scores=None, votes=None):
    """The ranking of candidates: committee score weighted with the vote share (``vote_weight_percent``, *policy*;
    without a public vote the committee score alone), best first. ``scores`` and ``votes``: the campaign's
    ``committee_scores`` and ``tally`` when the caller has them already (read here otherwise)."""
    nominations = {nomination.id: nomination
                   for nomination in db.session.scalars(select(Nomination).where(*_chosen(campaign, statuses)))}
    return [Standing(nominations[rank.nomination_id], *rank[1:])
            for rank in _ranking(campaign, community, sorted(nominations), scores, votes)]


def top_standings(campaign, community, limit, statuses=RANKED, scores=None, votes=None):
    """``(the first limit of standings(...), how many candidates in all)``: every candidate ranked from their id,
    only the nominations shown loaded (the star campaign of a district's community has hundreds)."""
    ids = db.session.scalars(select(Nomination.id).where(*_chosen(campaign, statuses))
                             .order_by(Nomination.id)).all()
    ranks = _ranking(campaign, community, ids, scores, votes)
    shown = ranks[:limit]
    nominations = {nomination.id: nomination for nomination in db.session.scalars(
        select(Nomination).where(Nomination.id.in_([rank.nomination_id for rank in shown])))} if shown else {}
    return [Standing(nominations[rank.nomination_id], *rank[1:]) for rank in shown], len(ranks)


def standings_shown(campaign):
    """How many of the standings the review board lists: the places to award and as many again (at least 20)."""
    return max(2 * campaign.quota, 20)


def waiting_for_review(community, reviewer):
    """Candidates of running campaigns without a home visit, or without this member's scores."""
    from .models import Campaign

    mine = select(Score.id).where(Score.nomination_id == Nomination.id, Score.reviewer_id == reviewer.id)
    return int(db.session.scalar(select(func.count(Nomination.id)).join(Campaign, Campaign.id == Nomination.campaign_id)
                                 .where(Nomination.community_id == community.id, Campaign.status == "active",
                                        Campaign.kind != "star", Nomination.status.in_(REVIEWABLE),
                                        (Nomination.visited_on.is_(None)) | ~mine.exists())) or 0)
