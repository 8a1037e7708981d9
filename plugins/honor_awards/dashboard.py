"""What the home card and the Tasks tab show (gathered here so that hooks and templates never query)."""

from dataclasses import dataclass

from timebank.i18n import _l
from timebank.permissions import can
from timebank.ui import TaskItem

from . import notices
from .campaigns import campaigns_in, phase_of, running_with_open_notices
from .nominations import undecided_consents
from .review import waiting_for_review
from .services import local_today
from .voting import vote_today


@dataclass
class RunningCampaign:
    campaign: object
    phase: str
    voted_today: bool


def running_campaigns(user, community, phases=("nominating", "voting", "notice"), with_criteria=True,
                      campaigns=None):
    """Campaigns not yet final (in one of ``phases``; ``None``: any), with whether this person's household voted
    today. ``campaigns``: the community's running campaigns when already read."""
    today = local_today(community)
    rows = []
    if campaigns is None:
        campaigns = campaigns_in(community, include_finished=False, with_criteria=with_criteria)
    for campaign in campaigns:
        if campaign.kind == "star":
            continue
        phase = phase_of(campaign, today)
        if phases is None or phase in phases:
            voted = phase == "voting" and vote_today(campaign, community, user) is not None
            rows.append(RunningCampaign(campaign, phase, voted))
    return rows


def card_context(user, community):
    """The home card's data, or ``None`` when no campaign runs and no notice is up (the card then stays away)."""
    campaigns, open_notices = running_with_open_notices(community)
    running = running_campaigns(user, community, campaigns=campaigns)
    if not running and not open_notices:
        return None
    return {"running": running, "open_notices": open_notices}


def tasks_for(user, community):
    items = []
    undecided = undecided_consents(community, user)
    if undecided:
        items.append(TaskItem(label=_l("Say how your name may appear on honour notices"),
                              endpoint="honor_awards.mine", count=len(undecided), order=40))
    if can(user, "honor_awards.notice", community):
        objections = notices.open_objections_in(community)
        if objections:
            items.append(TaskItem(label=_l("Objections to public notices"), endpoint="honor_awards.manage",
                                  count=objections, urgent=True, order=35))
        due = len(notices.due_notices(community))
        if due:
            items.append(TaskItem(label=_l("Public notices ready to finalise"), endpoint="honor_awards.manage",
                                  count=due, order=36))
    if can(user, "honor_awards.review", community):
        waiting = waiting_for_review(community, user)
        if waiting:
            items.append(TaskItem(label=_l("Candidates waiting for a home visit or your scores"),
                                  endpoint="honor_awards.manage", count=waiting, order=37))
    return items
