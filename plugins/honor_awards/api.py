"""The honour awards API: campaigns, the public vote, public notices with objections, and the honour wall.

Mounted at ``/api/v1/communities/<community>/p/honor-awards``. As on the web pages, the notice board and the honour
wall are public, voting is for members, and anybody with an account may object to a notice. Views parse input and
call the plugin's services (``voting.cast_vote``, ``notices.lodge_objection``...), which hold every rule.
"""

from flask import g, request

from timebank.api import CHECK_IN, ApiBlueprint, any_account, api_user, idempotent, public, scope
from timebank.i18n import _

from . import awards, notices, voting
from .api_schemas import (
    CampaignDetailSchema,
    CampaignListSchema,
    HonourWallSchema,
    NoticeBoardSchema,
    NoticeSchema,
    ObjectionRequestSchema,
    ObjectionSchema,
    VoteRequestSchema,
    VoteSchema,
    YearQuerySchema,
)
from .campaigns import campaigns_in, phase_of
from .services import (
    KIND_LABELS,
    LEVEL_LABELS,
    PHASE_LABELS,
    campaign_in,
    local_today,
    nomination_in,
    public_name,
)

bp = ApiBlueprint("honor_awards_api", __name__, description="Honour campaigns, the public vote, notices and the "
                                                           "honour wall.")


def campaign_data(campaign, today):
    phase = phase_of(campaign, today)
    return {"id": campaign.id, "title": campaign.title, "kind": campaign.kind,
            "kind_label": str(KIND_LABELS.get(campaign.kind, campaign.kind)), "level": campaign.level,
            "level_label": str(LEVEL_LABELS.get(campaign.level, campaign.level)), "year": campaign.year,
            "criteria": campaign.criteria, "quota": campaign.quota, "phase": phase,
            "phase_label": str(PHASE_LABELS.get(phase, phase)), "nominations_open_on": campaign.nominations_open_on,
            "nominations_close_on": campaign.nominations_close_on, "has_vote": bool(campaign.has_vote),
            "vote_opens_on": campaign.vote_opens_on, "vote_closes_on": campaign.vote_closes_on,
            "award_on": campaign.award_on}


def notice_data(notice):
    return {"id": notice.id, "title": notice.title, "body": notice.body, "status": notice.status,
            "starts_at": notice.starts_at, "ends_at": notice.ends_at,
            "last_day": awards.notice_last_day(notice, g.community),
            "accepting_objections": notices.is_running(notice),
            "items": [{"id": item.id, "label": item.label, "detail": item.detail, "withdrawn": item.withdrawn}
                      for item in notice.items]}


@bp.route("/campaigns", methods=["GET"])
@bp.etag
@bp.response(200, CampaignListSchema)
def list_campaigns():
    """The community's campaigns, running ones first"""
    today = local_today(g.community)
    return {"items": [campaign_data(campaign, today) for campaign in campaigns_in(g.community)]}


@bp.route("/campaigns/<int:campaign_id>", methods=["GET"])
@bp.etag
@bp.response(200, CampaignDetailSchema)
def show_campaign(campaign_id):
    """One campaign: the shortlist while the vote is open, my vote today, and the results once final"""
    campaign = campaign_in(g.community, campaign_id)
    today = local_today(g.community)
    data = campaign_data(campaign, today)
    data.update(candidates=[], my_vote_today=None, results=[])
    if data["phase"] == "voting":
        data["candidates"] = [{"nomination_id": nomination.id, "name": public_name(nomination),
                               "motto": nomination.motto} for nomination in voting.shortlisted_for_vote(campaign)]
        mine = voting.vote_today(campaign, g.community, api_user())
        data["my_vote_today"] = mine.nomination_id if mine is not None else None
    elif data["phase"] == "final":
        data["results"] = [{"award_id": award.id, "name": public_name(award.nomination)}
                           for award in awards.campaign_awards(campaign)]
    return data


@bp.route("/campaigns/<int:campaign_id>/votes", methods=["POST"])
@scope(CHECK_IN)
@idempotent
@bp.arguments(VoteRequestSchema)
@bp.response(201, VoteSchema)
def vote(body, campaign_id):
    """Vote for a shortlisted candidate (one vote per household, or per account, each day of the vote)"""
    campaign = campaign_in(g.community, campaign_id)
    nomination = nomination_in(g.community, body["nomination_id"])
    cast = voting.cast_vote(campaign, g.community, api_user(), nomination,
                            device=voting.device_fingerprint(request.remote_addr, request.user_agent.string))
    return {"campaign_id": campaign.id, "nomination_id": nomination.id, "vote_day": cast.vote_day,
            "message": _("Thank you for voting for %(name)s.", name=public_name(nomination))}


@bp.route("/notices", methods=["GET"])
@public
@bp.etag
@bp.response(200, NoticeBoardSchema)
def notice_board():
    """The public notice board: notices open for objections, and recent closed ones (no token needed)"""
    open_notices, closed = notices.public_notices(g.community)
    return {"open": [notice_data(notice) for notice in open_notices],
            "closed": [notice_data(notice) for notice in closed]}


@bp.route("/notices/<int:notice_id>", methods=["GET"])
@public
@bp.etag
@bp.response(200, NoticeSchema)
def show_notice(notice_id):
    """One public notice (no token needed)"""
    return notice_data(notices.notice_in(g.community, notice_id))


@bp.route("/notices/<int:notice_id>/objections", methods=["POST"])
@scope(CHECK_IN)
@any_account
@idempotent
@bp.arguments(ObjectionRequestSchema)
@bp.response(201, ObjectionSchema)
def object_to(body, notice_id):
    """Object to a public notice, or to one line of it, while the notice runs

    Anybody with an account may object, also people who are not members of this community. The coordinators
    are told and answer on the web.
    """
    notice = notices.notice_in(g.community, notice_id)
    objection = notices.lodge_objection(notice, g.community, api_user(), body["reason"], body.get("item_id"))
    return {"id": objection.id, "notice_id": notice.id, "item_id": objection.item_id, "status": objection.status,
            "message": _("Your objection was recorded. The coordinators will look into it and tell you what they "
                         "decided.")}


@bp.route("/honours", methods=["GET"])
@public
@bp.etag
@bp.arguments(YearQuerySchema, location="query")
@bp.response(200, HonourWallSchema)
def honour_wall(query):
    """The honour wall of one year (no token needed)"""
    years = awards.honour_years(g.community)
    year = query.get("year") or (years[0] if years else local_today(g.community).year)
    return {"year": year, "years": years, "groups": [
        {"title": title, "honours": [{"award_id": award.id, "name": name, "kind": award.kind, "level": award.level,
                                      "star_level": award.star_level, "awarded_on": award.awarded_on}
                                     for award, name in rows]}
        for title, rows in awards.honour_wall(g.community, year)]}
