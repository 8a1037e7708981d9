"""The optional public vote: one vote per household (or account, *policy*) per day per campaign, for a shortlisted
candidate; votes bunched on one device are flagged, and a coordinator may void them with a reason."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.services import active_membership
from timebank.database import lock_row
from timebank.errors import ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _
from timebank.permissions import require
from timebank.validation import clean_text

from .models import Campaign, Nomination, Vote
from .services import as_id, award_settings, local_today


def device_fingerprint(remote_addr, user_agent):
    """A keyed hash of address and browser: enough to see many votes from one phone, useless to find the phone."""
    key = (current_app.config.get("SECRET_KEY") or "").encode()
    text = f"{remote_addr or ''}|{(user_agent or '')[:300]}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()[:32]


def voter_key(community, user):
    """What the daily limit counts: the household (default) or the account (*policy* ``vote_limit``). A member
    whose household is not recorded counts as a household of one."""
    membership = active_membership(user, community)
    if award_settings(community).vote_limit == "household_day" and membership and membership.household_id:
        return f"household-{membership.household_id}"
    return f"user-{user.id}"


def vote_today(campaign, community, user):
    """The vote that already counts for this person's household (or account) today, or ``None``."""
    return db.session.scalar(select(Vote).where(Vote.campaign_id == campaign.id,
                                                Vote.voter_key == voter_key(community, user),
                                                Vote.vote_day == local_today(community)))


def cast_vote(campaign, community, voter, nomination, device=""):
    """One vote for a shortlisted candidate during the vote window. Commits."""
    from .campaigns import phase_of

    require(voter, "honor_awards.vote", community)
    if phase_of(campaign, local_today(community)) != "voting":
        raise ValidationFailed(_("The public vote of this campaign is not open."))
    if nomination.campaign_id != campaign.id or nomination.status != "shortlisted":
        raise ValidationFailed(_("You can vote only for a candidate on the shortlist."))
    key, today = voter_key(community, voter), local_today(community)
    lock_row(Campaign, campaign.id)  # two taps (or two phones of one household) make one vote
    if vote_today(campaign, community, voter) is not None:
        raise ValidationFailed(_("Your household has already voted in this campaign today. You can vote again "
                                 "tomorrow.") if key.startswith("household") else
                               _("You have already voted in this campaign today. You can vote again tomorrow."))
    vote = Vote(campaign_id=campaign.id, nomination_id=nomination.id, voter_id=voter.id, voter_key=key,
                vote_day=today, device=device or "", cast_at=now())
    try:
        with db.session.begin_nested():
            db.session.add(vote)
    except IntegrityError:
        raise ValidationFailed(_("You have already voted in this campaign today. You can vote again "
                                 "tomorrow.")) from None
    record_audit("honor_awards.voted", actor=voter, community=community,
                 target=("honor_awards_campaign", campaign.id))
    commit()
    return vote


def tally(campaign):
    """``{nomination_id: (valid votes, voided votes)}``."""
    rows = db.session.execute(
        select(Vote.nomination_id, func.count(Vote.id).filter(Vote.voided_at.is_(None)),
               func.count(Vote.id).filter(Vote.voided_at.is_not(None)))
        .where(Vote.campaign_id == campaign.id).group_by(Vote.nomination_id)).all()
    return {nomination_id: (int(valid), int(voided)) for nomination_id, valid, voided in rows}


@dataclass
class SuspiciousGroup:
    device: str
    votes: list

    @property
    def first(self):
        return self.votes[0].cast_at

    @property
    def last(self):
        return self.votes[-1].cast_at


def suspicious_groups(campaign, community):
    """Valid votes cast from one device at least ``suspicious_votes`` times within ``suspicious_minutes``
    (*policy*): typical of ballot stuffing (or of a coordinator voting for elders: a person decides)."""
    settings = award_settings(community)
    window = timedelta(minutes=settings.suspicious_minutes)
    votes = db.session.scalars(select(Vote).where(Vote.campaign_id == campaign.id, Vote.voided_at.is_(None),
                                                  Vote.device != "")
                               .order_by(Vote.device, Vote.cast_at, Vote.id)).all()
    by_device = {}
    for vote in votes:
        by_device.setdefault(vote.device, []).append(vote)
    groups = []
    for device, rows in by_device.items():
        flagged, start = set(), 0
        for end in range(len(rows)):
            while rows[end].cast_at - rows[start].cast_at > window:
                start += 1
            if end - start + 1 >= settings.suspicious_votes:
                flagged.update(range(start, end + 1))
        if flagged:
            groups.append(SuspiciousGroup(device, [rows[index] for index in sorted(flagged)]))
    return sorted(groups, key=lambda group: group.first)


def void_votes(campaign, community, actor, vote_ids, reason):
    """Void votes of this campaign with a reason (the tally shows how many were voided). Commits.
    Returns the number voided."""
    require(actor, "honor_awards.manage", community)
    if campaign.status != "active":
        raise ValidationFailed(_("The results are published: votes can no longer be voided."))
    reason = clean_text(reason, "reason", 200, required=True, missing=_("Give a reason."))
    ids = {as_id(vote_id) for vote_id in vote_ids or ()} - {None}
    if not ids:
        raise ValidationFailed(_("Choose the votes to void."), field="vote_ids")
    votes = db.session.scalars(select(Vote).where(Vote.campaign_id == campaign.id, Vote.id.in_(ids),
                                                  Vote.voided_at.is_(None))).all()
    if len(votes) != len(ids):
        raise ValidationFailed(_("Some of these votes do not exist or are already void."), field="vote_ids")
    for vote in votes:
        vote.voided_at, vote.voided_by_id, vote.void_reason = now(), actor.id, reason
    record_audit("honor_awards.votes_voided", actor=actor, community=community,
                 target=("honor_awards_campaign", campaign.id), detail={"votes": len(votes), "reason": reason})
    commit()
    return len(votes)


def voided_votes(campaign):
    return db.session.scalars(select(Vote).where(Vote.campaign_id == campaign.id, Vote.voided_at.is_not(None))
                              .order_by(Vote.voided_at, Vote.id)).all()


def shortlisted_for_vote(campaign):
    return db.session.scalars(select(Nomination).where(Nomination.campaign_id == campaign.id,
                                                       Nomination.status == "shortlisted")
                              .order_by(Nomination.id)).all()
