"""Volunteers' pages: my jobs today, taking an open request, the steps of a visit, materials, availability."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from timebank.errors import NotFound, ValidationFailed
from timebank.forms import ActionForm, apply_domain_error
from timebank.i18n import N_, _
from timebank.identity.proxy import current_subject

from . import dispatch, materials, roster, services, workflow
from .blueprints import bp
from .forms import AvailabilityForm, FinishForm, MaterialForm, ReasonForm, VisitForm
from .policy import repair_policy
from .views import render_order
from .vocabulary import GAS_CHECK, GAS_NOTICE


def _job(order_id):
    """An order the logged-in volunteer may act on (it must at least be visible to them)."""
    return services.visible_order(g.community, order_id, current_user)


@bp.get("/jobs")
def jobs(community=None):
    """Today's jobs first, then the coming ones, then open requests the volunteer could take."""
    entry = roster.roster_entry(g.community, current_user)
    held = services.jobs_of(g.community, current_user)
    zone = ZoneInfo(g.community.timezone)
    end_of_today = datetime.combine(roster.local_day(g.community), time(0), zone) + timedelta(days=1)
    today = [order for order in held if order.scheduled_at is None or order.scheduled_at < end_of_today]
    claimable = services.claimable_for(g.community, current_user)
    visit_forms = {}
    for order in claimable:
        form = VisitForm(prefix=f"o{order.id}")
        form.visit_date.data, form.visit_time.data = dispatch.suggested_visit(order, g.community)
        visit_forms[order.id] = form
    return render_template("repair_team/jobs.html", entry=entry, today=today,
                           later=[order for order in held if order not in today], claimable=claimable,
                           visit_forms=visit_forms, policy=repair_policy(g.community))


@bp.post("/orders/<int:order_id>/claim")
def claim(order_id, community=None):
    order = services.order_in(g.community, order_id)
    form = VisitForm(prefix=f"o{order.id}")
    if form.validate_on_submit():
        try:
            dispatch.claim(order, g.community, current_user,
                           dispatch.visit_time(g.community, form.visit_date.data, form.visit_time.data))
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("The job is yours. The resident has been told when you will come."), "success")
            return redirect(url_for("repair_team.order", order_id=order.id))
    else:
        flash(_("Enter the date and time of the visit."), "error")
    return redirect(url_for("repair_team.jobs"))


@bp.post("/orders/<int:order_id>/hand-back")
def hand_back(order_id, community=None):
    order = _job(order_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_order(order, 400, handback_form=form)
    try:
        dispatch.hand_back(order, g.community, current_user, form.reason.data)
    except ValidationFailed as error:
        apply_domain_error(form, error)
        return render_order(services.order_in(g.community, order_id), 400, handback_form=form)
    flash(_("The job was handed back to the coordinator."), "success")
    return redirect(url_for("repair_team.jobs"))


STEPS = {"on-the-way": (workflow.set_on_the_way, N_("The resident has been told that you are on the way.")),
         "start": (workflow.start_work, N_("Work started: your time on the job counts from now."))}


@bp.post("/orders/<int:order_id>/<any('on-the-way', 'start'):step>")
def visit_step(order_id, step, community=None):
    order = _job(order_id)
    if ActionForm().validate_on_submit():
        service, message = STEPS[step]
        try:
            service(order, g.community, current_user)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_(message), "success")
    return redirect(url_for("repair_team.order", order_id=order.id))


@bp.route("/orders/<int:order_id>/finish", methods=["GET", "POST"])
def finish(order_id, community=None):
    """What was done (and, for a gas check, the finding and referral), with optional photos."""
    order = _job(order_id)
    if order.volunteer_id != current_user.id:
        raise NotFound(order_id)
    form = FinishForm()
    if form.validate_on_submit():
        try:
            workflow.finish_work(order, g.community, current_user, form.work_note.data, form.referral_note.data,
                                 request.files.getlist("photos"))
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Done. Now the resident checks the work and signs off, on their phone or on yours."), "success")
            return redirect(url_for("repair_team.order", order_id=order.id))
    return render_template("repair_team/finish.html", order=order, form=form, gas=order.category == GAS_CHECK,
                           gas_notice=GAS_NOTICE, materials=materials.materials_of(order),
                           total=materials.total_fen(order), yuan=materials.yuan)


@bp.post("/orders/<int:order_id>/materials")
def add_material(order_id, community=None):
    order = _job(order_id)
    form = MaterialForm()
    if form.validate_on_submit():
        try:
            materials.add_material(order, g.community, current_user, form.name.data, form.quantity.data,
                                   form.cost.data, request.files.get("receipt"))
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Material recorded."), "success")
            return redirect(url_for("repair_team.order", order_id=order.id) + "#materials")
    return render_order(services.order_in(g.community, order_id), 400, material_form=form)


@bp.post("/orders/<int:order_id>/materials/<int:material_id>/remove")
def remove_material(order_id, material_id, community=None):
    order = _job(order_id)
    if ActionForm().validate_on_submit():
        try:
            materials.remove_material(order, g.community, current_user, material_id)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Material removed."), "success")
    return redirect(url_for("repair_team.order", order_id=order.id) + "#materials")


@bp.route("/availability", methods=["GET", "POST"])
def availability(community=None):
    """A roster volunteer says on which days and at which times they can come, or pauses."""
    entry = roster.roster_entry(g.community, current_subject())
    if entry is None:
        raise NotFound("repair_team.roster")
    form = AvailabilityForm()
    if request.method == "GET":
        form.taking_jobs.data = entry.taking_jobs
        form.weekdays.data = [str(day) for day in sorted(entry.weekday_set)]
        form.day_parts.data = sorted(entry.day_part_set)
        form.note.data = entry.note
    if form.validate_on_submit():
        try:
            roster.set_availability(g.community, current_user, entry, form.taking_jobs.data, form.weekdays.data,
                                    form.day_parts.data, form.note.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("repair_team.jobs"))
    return render_template("repair_team/availability.html", form=form, entry=entry)
