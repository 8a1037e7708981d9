"""Coordinators' pages: campaigns, the review board, a candidate's file (visit, scores, one veto, shortlist), the
vote tally with voiding, publishing the notice, objections, finalising and forwarding."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from timebank.errors import ValidationFailed
from timebank.forms import ActionForm, apply_domain_error
from timebank.i18n import _, ngettext
from timebank.permissions import can, require
from timebank.web import page_arg

from . import awards, nominations, notices, review, stars, voting
from .blueprints import bp
from .campaigns import (
    Schedule,
    campaigns_in,
    cancel_campaign,
    default_schedule,
    phase_of,
    rubric_text,
    save_campaign,
)
from .forms import (
    CampaignForm,
    ForwardForm,
    PublishForm,
    ReasonForm,
    ResolveForm,
    VisitForm,
    VoidForm,
    score_form_class,
)
from .services import STATUS_LABELS, award_settings, campaign_in, local_today, nomination_in


def _require(permission="honor_awards.manage"):
    require(current_user, permission, g.community)


@bp.get("/manage/")
def manage(community=None):
    if not (can(current_user, "honor_awards.review", g.community) or can(current_user, "honor_awards.notice",
                                                                         g.community)):
        _require()
    open_notices, closed = notices.public_notices(g.community)
    return render_template("honor_awards/manage.html", campaigns=[c for c in campaigns_in(g.community)
                                                                   if c.kind != "star"],
                           today=local_today(g.community), open_notices=open_notices,
                           objections={n.id: notices.open_objection_count(n) for n in open_notices},
                           due={n.id for n in notices.due_notices(g.community)},
                           star_candidates=stars.star_candidates(g.community), phase_of=phase_of)


@bp.route("/manage/campaigns/new", methods=["GET", "POST"])
@bp.route("/manage/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit_campaign(campaign_id=None, community=None):
    _require()
    campaign = campaign_in(g.community, campaign_id) if campaign_id else None
    form = CampaignForm()
    if request.method == "GET":
        _fill_campaign_form(form, campaign)
    if form.validate_on_submit():
        vote = form.public_vote.data
        schedule = Schedule(form.nominations_open_on.data, form.nominations_close_on.data, form.review_until.data,
                            form.vote_opens_on.data if vote else None, form.vote_closes_on.data if vote else None,
                            form.notice_days.data, form.award_on.data)
        try:
            campaign = save_campaign(g.community, current_user, campaign, title=form.title.data, kind=form.kind.data,
                                     year=form.year.data, level=form.level.data, criteria=form.criteria.data,
                                     quota=form.quota.data, rubric=form.rubric.data, schedule=schedule)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("honor_awards.board", campaign_id=campaign.id))
    return render_template("honor_awards/campaign_form.html", form=form, campaign=campaign)


def _fill_campaign_form(form, campaign):
    if campaign is None:
        schedule = default_schedule(g.community)
        form.year.data = local_today(g.community).year
        form.notice_days.data = award_settings(g.community).notice_days
        form.public_vote.data = True
    else:
        schedule = campaign
        for name in ("title", "kind", "year", "level", "criteria", "quota"):
            getattr(form, name).data = getattr(campaign, name)
        form.rubric.data = rubric_text(campaign)
        form.public_vote.data = campaign.has_vote
        form.notice_days.data = campaign.notice_days
    for name in ("nominations_open_on", "nominations_close_on", "review_until", "vote_opens_on", "vote_closes_on",
                 "award_on"):
        getattr(form, name).data = getattr(schedule, name)


@bp.get("/manage/campaigns/<int:campaign_id>")
def board(campaign_id, community=None):
    _require("honor_awards.review")
    campaign = campaign_in(g.community, campaign_id)
    scores = review.committee_scores(campaign)
    status = request.args.get("status") if request.args.get("status") in STATUS_LABELS else None
    shown, total, page = nominations.board_page(campaign, status, page_arg())
    votes = voting.tally(campaign)
    standings, standings_total = review.top_standings(campaign, g.community, review.standings_shown(campaign),
                                                      scores=scores, votes=votes)
    return render_template("honor_awards/board.html", campaign=campaign,
                           phase=phase_of(campaign, local_today(g.community)),
                           nominations=shown, total=total, page=page, per_page=nominations.BOARD_PER_PAGE,
                           status=status, counts=nominations.status_counts(campaign), scores=scores,
                           votes=votes, standings=standings, standings_total=standings_total,
                           form=ActionForm(), cancel_form=ReasonForm(prefix="cancel"),
                           can_manage=can(current_user, "honor_awards.manage", g.community))


@bp.post("/manage/campaigns/<int:campaign_id>/cancel")
def cancel(campaign_id, community=None):
    campaign = campaign_in(g.community, campaign_id)
    form = ReasonForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            cancel_campaign(campaign, g.community, current_user, form.reason.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("The campaign was cancelled."), "success")
    else:
        flash(_("Give a reason."), "error")
    return redirect(url_for("honor_awards.board", campaign_id=campaign.id))


# --- One candidate --------------------------------------------------------------------------------------------------


def _candidate_page(nomination, visit_form=None, score_form=None, veto_form=None, status=200):
    campaign = nomination.campaign
    ScoreForm = score_form_class(campaign.criteria_items)
    if score_form is None:
        score_form = ScoreForm(formdata=None, data={f"criterion_{key}": value for key, value in
                                                    review.scores_by(nomination, current_user).items()})
    if visit_form is None:
        visit_form = VisitForm(formdata=None, data={"visited_on": nomination.visited_on or local_today(g.community),
                                                    "visit_note": nomination.visit_note})
    committee = review.committee_scores(campaign).get(nomination.id)
    return render_template("honor_awards/candidate.html", nomination=nomination, campaign=campaign,
                           visit_form=visit_form, score_form=score_form,
                           veto_form=veto_form or ReasonForm(prefix="veto"), form=ActionForm(),
                           committee=committee, photos=nominations.photos_of(nomination),
                           phase=phase_of(campaign, local_today(g.community)),
                           can_manage=can(current_user, "honor_awards.manage", g.community)), status


@bp.get("/manage/nominations/<int:nomination_id>")
def candidate(nomination_id, community=None):
    _require("honor_awards.review")
    return _candidate_page(nomination_in(g.community, nomination_id))


@bp.post("/manage/nominations/<int:nomination_id>/visit")
def visit(nomination_id, community=None):
    nomination = nomination_in(g.community, nomination_id)
    form = VisitForm()
    if form.validate_on_submit():
        try:
            review.record_visit(nomination, g.community, current_user, form.visited_on.data, form.visit_note.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("The home visit was recorded."), "success")
            return redirect(url_for("honor_awards.candidate", nomination_id=nomination.id))
    return _candidate_page(nomination, visit_form=form, status=400)


@bp.post("/manage/nominations/<int:nomination_id>/scores")
def scores(nomination_id, community=None):
    nomination = nomination_in(g.community, nomination_id)
    form = score_form_class(nomination.campaign.criteria_items)()
    if form.validate_on_submit():
        points = {criterion.id: getattr(form, f"criterion_{criterion.id}").data
                  for criterion in nomination.campaign.criteria_items}
        try:
            review.save_scores(nomination, g.community, current_user, points)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Your scores were saved."), "success")
            return redirect(url_for("honor_awards.candidate", nomination_id=nomination.id))
    return _candidate_page(nomination, score_form=form, status=400)


@bp.post("/manage/nominations/<int:nomination_id>/disqualify")
def disqualify(nomination_id, community=None):
    nomination = nomination_in(g.community, nomination_id)
    form = ReasonForm(prefix="veto")
    if form.validate_on_submit():
        try:
            nominations.disqualify(nomination, g.community, current_user, form.reason.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("The candidate is no longer eligible. The reason stays internal."), "success")
            return redirect(url_for("honor_awards.board", campaign_id=nomination.campaign_id))
    return _candidate_page(nomination, veto_form=form, status=400)


@bp.post("/manage/nominations/<int:nomination_id>/shortlist")
def shortlist(nomination_id, community=None):
    nomination = nomination_in(g.community, nomination_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            review.set_shortlisted(nomination, g.community, current_user, form.value.data != "off")
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Shortlisted.") if form.value.data != "off" else _("Taken off the shortlist."), "success")
    if request.form.get("next") == "board":
        return redirect(url_for("honor_awards.board", campaign_id=nomination.campaign_id))
    return redirect(url_for("honor_awards.candidate", nomination_id=nomination.id))


# --- Votes ----------------------------------------------------------------------------------------------------------


@bp.route("/manage/campaigns/<int:campaign_id>/votes", methods=["GET", "POST"])
def votes(campaign_id, community=None):
    _require()
    campaign = campaign_in(g.community, campaign_id)
    form = VoidForm()
    if form.validate_on_submit():
        try:
            count = voting.void_votes(campaign, g.community, current_user, request.form.getlist("vote_ids"),
                                      form.reason.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(ngettext("%(num)d vote voided.", "%(num)d votes voided.", count), "success")
            return redirect(url_for("honor_awards.votes", campaign_id=campaign.id))
    return render_template("honor_awards/votes.html", campaign=campaign, form=form,
                           standings=review.standings(campaign, g.community, statuses=(
                               "shortlisted", "on_notice", "awarded", "not_selected", "withdrawn")),
                           groups=voting.suspicious_groups(campaign, g.community),
                           voided=voting.voided_votes(campaign))


# --- Publishing, objections, finalising, forwarding ----------------------------------------------------------------


@bp.route("/manage/campaigns/<int:campaign_id>/publish", methods=["GET", "POST"])
def publish(campaign_id, community=None):
    _require()
    campaign = campaign_in(g.community, campaign_id)
    ranked = review.standings(campaign, g.community, statuses=("shortlisted",))
    form = PublishForm()
    if request.method == "GET":
        form.winners.data = [row.nomination.id for row in ranked[:campaign.quota]]
        form.body.data = awards.default_notice_body(campaign)
    if form.validate_on_submit():
        try:
            notice = awards.publish_notice(campaign, g.community, current_user, request.form.getlist("winners"),
                                           form.body.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("The notice is published until %(date)s.",
                    date=awards.notice_last_day(notice, g.community).isoformat()), "success")
            return redirect(url_for("honor_awards.notice", notice_id=notice.id))
    return render_template("honor_awards/publish.html", campaign=campaign, form=form, ranked=ranked,
                           phase=phase_of(campaign, local_today(g.community)),
                           chosen=set(form.winners.data or []))


@bp.get("/manage/notices/<int:notice_id>")
def manage_notice(notice_id, community=None):
    _require("honor_awards.notice")
    notice = notices.notice_in(g.community, notice_id)
    return render_template("honor_awards/manage_notice.html", notice=notice,
                           objections=notices.objections_of(notice), resolve_form=ResolveForm(),
                           form=ActionForm(), problem=notices.closing_problem(notice),
                           last_day=awards.notice_last_day(notice, g.community))


@bp.post("/manage/objections/<int:objection_id>/resolve")
def resolve(objection_id, community=None):
    objection = notices.objection_in(g.community, objection_id)
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            notices.resolve_objection(objection, g.community, current_user, upheld=form.decision.data == "upheld",
                                      resolution=form.resolution.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("The objection was upheld: the candidate is withdrawn.") if form.decision.data == "upheld"
                  else _("The objection was dismissed; the reason is recorded."), "success")
    else:
        flash(_("Record why you decided so."), "error")
    return redirect(url_for("honor_awards.manage_notice", notice_id=objection.notice_id))


@bp.post("/manage/notices/<int:notice_id>/close")
def close(notice_id, community=None):
    notice = notices.notice_in(g.community, notice_id)
    if ActionForm().validate_on_submit():
        try:
            notices.close_notice(notice, g.community, current_user)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Final: the honours are recorded."), "success")
    return redirect(url_for("honor_awards.manage_notice", notice_id=notice.id))


@bp.route("/manage/campaigns/<int:campaign_id>/forward", methods=["GET", "POST"])
def forward(campaign_id, community=None):
    _require()
    campaign = campaign_in(g.community, campaign_id)
    form = ForwardForm()
    if request.method == "GET" and not form.forwarded_to.data:
        form.forwarded_to.data = campaign.forwarded_to or award_settings(g.community).subdistrict_name
    if form.validate_on_submit():
        try:
            awards.forward_results(campaign, g.community, current_user, form.forwarded_to.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Recorded as forwarded."), "success")
            return redirect(url_for("honor_awards.forward", campaign_id=campaign.id))
    return render_template("honor_awards/forward.html", campaign=campaign, form=form,
                           results=awards.campaign_awards(campaign))
