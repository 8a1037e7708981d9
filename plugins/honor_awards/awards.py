"""From the shortlist to the honour: publishing the public notice of the winners, making the results final when
the notice closes, the awards on households and people, certificates, the honour wall, and forwarding the
results to the sub-district."""

from datetime import timedelta

from sqlalchemy import func, or_, select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.models import Building
from timebank.errors import NotFound, ValidationFailed
from timebank.events import after_commit, commit
from timebank.extensions import db
from timebank.hooks import dispatch_event
from timebank.i18n import N_, _, _l, ngettext
from timebank.notifications.services import notify
from timebank.permissions import can, require
from timebank.validation import clean_text

from . import notices
from .campaigns import phase_of
from .models import Award, Campaign, Nomination
from .nominations import consent_holders, household_of
from .review import standings
from .services import (
    PLUGIN,
    as_id,
    award_settings,
    in_default_language,
    local_today,
    public_label,
    public_name,
    start_of_day,
)


def item_key(nomination):
    return f"nomination-{nomination.id}"


def nomination_for_item(community, item):
    """The nomination behind a notice line of this plugin (``None`` for another owner's keys)."""
    if not item.key.startswith("nomination-"):
        return None
    return db.session.scalar(select(Nomination).where(Nomination.id == as_id(item.key.split("-", 1)[1]),
                                                      Nomination.community_id == community.id))


def default_notice_body(campaign):
    with in_default_language():
        if campaign.has_vote:
            return _("After nomination, home visits, the review committee's scoring and a public vote, the "
                     "following candidates are proposed for “%(title)s”. Anyone who disagrees may lodge an "
                     "objection, with reasons, during the notice period.", title=campaign.title)
        return _("After nomination, home visits and the review committee's scoring, the following candidates are "
                 "proposed for “%(title)s”. Anyone who disagrees may lodge an objection, with reasons, during the "
                 "notice period.", title=campaign.title)


def publish_notice(campaign, community, actor, winner_ids, body=""):
    """Publish the proposed winners (shortlisted, at most the quota) on a public notice of the campaign's length.
    Commits."""
    require(actor, "honor_awards.manage", community)
    if campaign.status != "active" or campaign.kind == "star":
        raise ValidationFailed(_("This campaign has already been published."))
    if phase_of(campaign, local_today(community)) not in ("reviewing", "ready"):
        raise ValidationFailed(_("Publish the results after the nominations and the public vote have closed."))
    ids = {as_id(value) for value in winner_ids or ()} - {None}
    ranked = [row.nomination for row in standings(campaign, community, statuses=("shortlisted",))]
    winners = [nomination for nomination in ranked if nomination.id in ids]
    if not winners or len(winners) != len(ids):
        raise ValidationFailed(_("Choose the winners among the shortlisted candidates."), field="winners")
    if len(winners) > campaign.quota:
        raise ValidationFailed(ngettext("At most %(num)d honour in this campaign.",
                                        "At most %(num)d honours in this campaign.", campaign.quota), field="winners")
    today = local_today(community)
    with in_default_language():
        title = _("Public notice of the proposed honours: %(title)s", title=campaign.title)
    notice = notices.open_notice(community, actor, owner=PLUGIN, subject=f"campaign-{campaign.id}", title=title,
                                 body=body or default_notice_body(campaign),
                                 ends_at=start_of_day(community, today + timedelta(days=campaign.notice_days)),
                                 items=[(item_key(n), public_name(n), "") for n in winners])
    for nomination in winners:
        nomination.status = "on_notice"
        for person in consent_holders(nomination, community):
            notify(person, "honor_awards.on_notice",
                   N_("You are on the public notice of “%(title)s” until %(date)s."), community=community,
                   link=f"/c/{community.slug}/p/honor-awards/notices/{notice.id}", title=campaign.title,
                   date=notice_last_day(notice, community))  # (a date: shown in the reader's language)
    campaign.status, campaign.notice_id = "notice", notice.id
    record_audit("honor_awards.published", actor=actor, community=community,
                 target=("honor_awards_campaign", campaign.id), detail={"winners": len(winners)})
    commit()
    return notice


def notice_last_day(notice, community):
    """The last local day of a notice period (it ends at the start of the next day)."""
    return local_today(community, notice.ends_at - timedelta(seconds=1))


# --- Hook implementations for the plugin's own notices ----------------------------------------------------------


def withdraw_after_objection(notice, item, objection, community):
    """An upheld objection withdraws the candidate from the notice (and so from the awards)."""
    if notice.owner != PLUGIN or item is None:
        return
    nomination = nomination_for_item(community, item)
    if nomination is not None and nomination.status == "on_notice":
        nomination.status, nomination.withdrawn_reason = "withdrawn", objection.resolution


def grant_for_notice(notice, items, actor, community):
    """The notice closed: the listed candidates are honoured; the campaign's other candidates are not selected."""
    if notice.owner != PLUGIN:
        return
    today = local_today(community)
    for item in items:
        nomination = nomination_for_item(community, item)
        if nomination is None or nomination.status != "on_notice":
            continue
        _grant(nomination, community, today)
    campaign = db.session.scalar(select(Campaign).where(Campaign.notice_id == notice.id))
    if campaign is not None:  # a campaign's notice (star volunteers' notices belong to no single campaign)
        for nomination in db.session.scalars(select(Nomination).where(
                Nomination.campaign_id == campaign.id,
                Nomination.status.in_(("nominated", "shortlisted", "on_notice")))):
            nomination.status = "not_selected"
        campaign.status, campaign.finalised_at = "final", now()


def _grant(nomination, community, today):
    campaign = nomination.campaign
    awarded_on = today if campaign.kind == "star" else max(today, campaign.award_on)
    if campaign.kind == "star":
        with in_default_language():
            title = _("%(n)d-star volunteer", n=nomination.star_level)
    else:
        title = campaign.title
    award = Award(community_id=community.id, campaign_id=campaign.id, nomination_id=nomination.id,
                  kind=campaign.kind, user_id=nomination.user_id, household_id=nomination.household_id,
                  building_id=nomination.building_id, title=title, level=campaign.level, year=campaign.year,
                  star_level=nomination.star_level, awarded_on=awarded_on,
                  certificate_number=_next_certificate_number(community, campaign.year), created_at=now())
    db.session.add(award)
    db.session.flush()
    nomination.status = "awarded"
    # The award keeps its public name in the installation's language; the message names a star level in the
    # reader's language.
    told_title = _l("%(n)d-star volunteer", n=nomination.star_level) if campaign.kind == "star" else title
    for person in consent_holders(nomination, community):
        notify(person, "honor_awards.awarded", N_("Congratulations: “%(title)s” is now final."), community=community,
               link=f"/c/{community.slug}/p/honor-awards/mine", title=told_title)
    record_audit("honor_awards.awarded", community=community, target=("honor_awards_award", award.id))
    after_commit(lambda: dispatch_event("timebank_award_granted", community, award=award))
    return award


def _next_certificate_number(community, year):
    count = db.session.scalar(select(func.count(Award.id)).where(Award.community_id == community.id,
                                                                 Award.year == year))
    return f"RY{year}-{community.slug.upper()[:10]}-{count + 1:04d}"


# --- Reading -----------------------------------------------------------------------------------------------------


def honour_wall(community, year):
    """``[(award title, [(award, public name)])]`` for one year, in the order the honours were granted. Each award is
    a row of its ``id``, ``title``, ``kind``, ``level``, ``star_level`` and ``awarded_on``: a district's year holds
    hundreds of star volunteers, read as columns in one statement rather than as objects."""
    rows = db.session.execute(
        select(Award.id, Award.title, Award.kind, Award.level, Award.star_level, Award.awarded_on,
               Nomination.nominee_name, Nomination.name_consent, Nomination.user_id, Nomination.household_id,
               Nomination.building_id, Building.name.label("building_name"))
        .join(Nomination, Nomination.id == Award.nomination_id)
        .outerjoin(Building, Building.id == Nomination.building_id)
        .where(Award.community_id == community.id, Award.year == year)
        .order_by(Award.kind == "star", Award.title, Award.id)).all()
    groups = {}
    for row in rows:
        groups.setdefault(row.title, []).append((row, public_label(
            row.nominee_name, row.name_consent, row.user_id, row.household_id, row.building_id, row.building_name)))
    return list(groups.items())


def honour_years(community):
    return db.session.scalars(select(Award.year).where(Award.community_id == community.id).distinct()
                              .order_by(Award.year.desc())).all()


def awards_of(community, user):
    """The person's honours and those of their household, newest first (profile panel, "My honours")."""
    household = household_of(user, community)
    condition = Award.user_id == user.id
    if household is not None:
        condition = or_(condition, Award.household_id == household.id)
    return db.session.scalars(select(Award).where(Award.community_id == community.id, condition)
                              .order_by(Award.awarded_on.desc(), Award.id.desc())).all()


def may_see_certificate(award, community, viewer):
    if can(viewer, "honor_awards.manage", community):
        return True
    return any(person.id == viewer.id for person in consent_holders(award.nomination, community))


def certificate_for(award, community, viewer):
    """The award for its printable certificate: the honoured person or household, or a coordinator."""
    if not may_see_certificate(award, community, viewer):
        raise NotFound(award.id)
    return award


def campaign_awards(campaign):
    return db.session.scalars(select(Award).where(Award.campaign_id == campaign.id).order_by(Award.id)).all()


def forward_results(campaign, community, actor, forwarded_to):
    """Record that a community-level campaign's winners were sent to the sub-district (优中选优). Commits."""
    require(actor, "honor_awards.manage", community)
    if campaign.status != "final" or campaign.kind == "star":
        raise ValidationFailed(_("Only final results can be forwarded."))
    if campaign.level != "community":
        raise ValidationFailed(_("Only community-level results are forwarded to the sub-district."))
    if campaign.forwarded_at is not None:
        raise ValidationFailed(_("These results have already been forwarded."))
    forwarded_to = clean_text(forwarded_to or award_settings(community).subdistrict_name, "forwarded_to", 80,
                              required=True, missing=_("Name the sub-district office."))
    campaign.forwarded_at, campaign.forwarded_to, campaign.forwarded_by_id = now(), forwarded_to, actor.id
    record_audit("honor_awards.forwarded", actor=actor, community=community,
                 target=("honor_awards_campaign", campaign.id), detail={"to": forwarded_to})
    commit()


def certificate_name(award):
    """The honoured name in full, as printed on the certificate that the honoured person or household keeps."""
    nomination = award.nomination
    if nomination.building_id is not None:
        return public_name(nomination)
    if nomination.household_id is not None:
        with in_default_language():
            return _("The %(name)s family", name=nomination.nominee_name)
    return nomination.nominee_name
