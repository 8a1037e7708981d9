"""Coordinators' pages: the board of open requests, assigning a volunteer, closing a reopened order, the repair
team (skills, licences), monthly statistics. Every view checks ``repair_team.manage`` (403 for lower roles)."""

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from timebank.clock import now
from timebank.communities.services import find_member
from timebank.errors import ValidationFailed
from timebank.forms import ActionForm, apply_domain_error
from timebank.i18n import _
from timebank.web import page_arg

from . import board as board_service
from . import dispatch, matching, roster, services, stats, workflow
from .blueprints import bp
from .forms import AddMemberForm, AssignForm, AvailabilityForm, CloseForm, SkillsForm
from .policy import repair_policy
from .views import render_order
from .vocabulary import CATEGORIES


@bp.get("/board")
def board(community=None):
    """Open requests with their age and overdue flag (emergencies first), jobs in hand, follow-up calls due."""
    services.require_manage(current_user, g.community)
    waiting, in_hand = board_service.board(g.community)
    return render_template("repair_team/board.html", waiting=waiting, in_hand=in_hand,
                           followups=workflow.followups_due(g.community), policy=repair_policy(g.community),
                           close_form=CloseForm())


@bp.route("/orders/<int:order_id>/assign", methods=["GET", "POST"])
def assign(order_id, community=None):
    """Choose a volunteer among the suggestions (qualified, available when the resident wants, least busy)."""
    services.require_manage(current_user, g.community)
    order = services.order_in(g.community, order_id)
    search = (request.args.get("q") or "").strip()[:40]
    suggestions = matching.suggestions_for(order, g.community, search=search, limit=matching.SUGGESTION_LIMIT)
    form = AssignForm()
    form.volunteer_id.choices = [(item.entry.user_id, item.entry.user.display_name) for item in suggestions
                                 if item.qualified]
    if request.method == "GET":
        form.visit_date.data, form.visit_time.data = dispatch.suggested_visit(order, g.community)
        if order.volunteer_id:
            form.volunteer_id.data = order.volunteer_id
        elif form.volunteer_id.choices:
            form.volunteer_id.data = form.volunteer_id.choices[0][0]
    if form.validate_on_submit():
        try:
            volunteer = roster.roster_entry_user(g.community, form.volunteer_id.data)
            dispatch.assign(order, g.community, current_user, volunteer,
                            dispatch.visit_time(g.community, form.visit_date.data, form.visit_time.data))
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("%(name)s will go; the resident has been told.", name=order.volunteer.display_name), "success")
            return redirect(url_for("repair_team.board"))
    return render_template("repair_team/assign.html", order=services.order_in(g.community, order_id), form=form,
                           suggestions=suggestions, search=search, weighed=suggestions.weighed)


@bp.post("/orders/<int:order_id>/close")
def close(order_id, community=None):
    services.require_manage(current_user, g.community)
    order = services.order_in(g.community, order_id)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            workflow.close_reopened(order, g.community, current_user, form.note.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Closed."), "success")
            return redirect(url_for("repair_team.board"))
    return render_order(services.order_in(g.community, order_id), 400, close_form=form)


@bp.route("/team", methods=["GET", "POST"])
def team(community=None):
    """The repair roster: skills, licences (valid or expired), availability and jobs in hand; add a volunteer."""
    services.require_manage(current_user, g.community)
    form = AddMemberForm()
    if form.validate_on_submit():
        try:
            entry = roster.add_to_roster(g.community, current_user, find_member(g.community, form.member.data))
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Added. Now record what %(name)s can repair.", name=entry.user.display_name), "success")
            return redirect(url_for("repair_team.team_member", entry_id=entry.id))
    return _team_page(form)


def _team_page(form):
    """The roster one page at a time (search by name or phone, filters by skill and licence), the counts on top.
    Malformed or unknown filter values are ignored, so any address shows a page; the statement count does not
    depend on the size of the team."""
    search = request.args.get("q", "").strip()[:60]
    category = request.args.get("skill", "")
    category = category if category in CATEGORIES else ""
    licence = request.args.get("licence", "")
    licence = licence if licence in roster.LICENCE_FILTERS else ""
    today = roster.local_day(g.community)
    entries, total, page = roster.roster_page(g.community, search, category, licence, page_arg(), today=today)
    return render_template("repair_team/team.html", entries=entries, total=total, page=page,
                           per_page=roster.TEAM_PER_PAGE, search=search, category=category, licence=licence,
                           counts=roster.team_counts(g.community, today), form=form,
                           loads=roster.open_jobs(g.community, [entry.user_id for entry in entries]),
                           licensed=repair_policy(g.community).licensed_categories, today=today,
                           soon=today + timedelta(days=roster.LICENCE_SOON_DAYS), soon_days=roster.LICENCE_SOON_DAYS)


@bp.route("/team/<int:entry_id>", methods=["GET", "POST"])
def team_member(entry_id, community=None):
    """What one volunteer can repair, the licence the coordinator has seen, and their availability."""
    services.require_manage(current_user, g.community)
    entry = roster.roster_entry_in(g.community, entry_id)
    form = SkillsForm()
    licensed_skill = next((skill for skill in entry.skills if skill.licence_number), None)
    if request.method == "GET":
        form.categories.data = [skill.category for skill in entry.skills]
        if licensed_skill is not None:
            form.licence_number.data = licensed_skill.licence_number
            form.licence_valid_until.data = licensed_skill.licence_valid_until
    if form.validate_on_submit():
        try:
            roster.save_skills(g.community, current_user, entry, form.categories.data, form.licence_number.data,
                               form.licence_valid_until.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("repair_team.team"))
    availability = AvailabilityForm(formdata=None, taking_jobs=entry.taking_jobs, note=entry.note,
                                    weekdays=[str(day) for day in sorted(entry.weekday_set)],
                                    day_parts=sorted(entry.day_part_set))
    return render_template("repair_team/team_member.html", entry=entry, form=form, availability=availability,
                           licensed=repair_policy(g.community).licensed_categories, action_form=ActionForm())


@bp.post("/team/<int:entry_id>/availability")
def team_member_availability(entry_id, community=None):
    services.require_manage(current_user, g.community)
    entry = roster.roster_entry_in(g.community, entry_id)
    form = AvailabilityForm()
    if form.validate_on_submit():
        try:
            roster.set_availability(g.community, current_user, entry, form.taking_jobs.data, form.weekdays.data,
                                    form.day_parts.data, form.note.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Saved."), "success")
    return redirect(url_for("repair_team.team_member", entry_id=entry.id))


@bp.post("/team/<int:entry_id>/remove")
def team_member_remove(entry_id, community=None):
    services.require_manage(current_user, g.community)
    entry = roster.roster_entry_in(g.community, entry_id)
    if ActionForm().validate_on_submit():
        name = entry.user.display_name
        roster.remove_from_roster(g.community, current_user, entry)
        flash(_("%(name)s is no longer on the repair team.", name=name), "success")
    return redirect(url_for("repair_team.team"))


@bp.get("/stats")
def statistics(community=None):
    """Requests of one month by category: how many, how fast, how well rated."""
    services.require_manage(current_user, g.community)
    today = roster.local_day(g.community, now())
    problem = None
    try:
        month = stats.parse_month(request.args.get("month", ""), today)
    except ValidationFailed as error:
        month, problem = today.replace(day=1), error.message
    rows, total = stats.monthly_statistics(g.community, month)
    return render_template("repair_team/stats.html", rows=rows, total=total, month=month,
                           months=stats.previous_months(today.replace(day=1)), problem=problem)
