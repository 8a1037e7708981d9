"""Delivery rounds on the volunteer's phone (sign up, start, each stop "delivered" or "no answer"), planning them
(canteen and coordinators), and the "no answer" alerts."""

from datetime import time, timedelta

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from timebank import roles
from timebank.communities.services import active_membership
from timebank.errors import PermissionDenied, ValidationFailed
from timebank.forms import ActionForm, apply_domain_error
from timebank.i18n import _, ngettext
from timebank.identity.proxy import current_subject
from timebank.stored_text import shown_text

from . import alerts, orders, rounds, services
from .blueprints import bp
from .forms import PlanForm, ResolveForm
from .policy import meal_policy


def _require_volunteer_or_kitchen(user):
    membership = active_membership(user, g.community)
    if services.is_kitchen(current_user, g.community):
        return
    if membership is None or not roles.role_at_least(membership.role, roles.VOLUNTEER):
        raise PermissionDenied("elder_meals.deliver", _("Meal deliveries are for registered volunteers."))


@bp.get("/rounds", endpoint="rounds")
def rounds_list(community=None):
    subject = current_subject()
    _require_volunteer_or_kitchen(subject)
    today = services.local_today(g.community)
    found = rounds.rounds_between(g.community, today - timedelta(days=1), today + timedelta(days=6))
    kitchen = services.is_kitchen(current_user, g.community)
    form = PlanForm(formdata=None, meal_date=today, slot="lunch", start_time=time(11, 0))
    form.slot.choices = [choice for choice in form.slot.choices if choice.value in meal_policy(g.community).slots()]
    return render_template("elder_meals/rounds.html", rounds=found, counts=rounds.stop_counts([r.id for r in found]),
                           kitchen=kitchen, form=form, action_form=ActionForm(), today=today, subject=subject)


@bp.post("/rounds/plan")
def plan_rounds(community=None):
    form = PlanForm()
    if form.validate_on_submit():
        try:
            created, stops = rounds.plan_rounds(g.community, current_user, form.meal_date.data, form.slot.data,
                                                form.start_time.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(ngettext("%(num)d delivery put into rounds (%(rounds)s). Volunteers can sign up now.",
                           "%(num)d deliveries put into rounds (%(rounds)s). Volunteers can sign up now.", stops,
                           rounds=ngettext("%(num)d new round", "%(num)d new rounds", created)), "success")
    else:
        flash(_("Enter the day, the meal and the time the round leaves."), "error")
    return redirect(url_for("elder_meals.rounds"))


@bp.get("/rounds/<int:round_id>")
def round_page(round_id, community=None):
    """The volunteer's phone: the stops in walking order with big buttons. Others see only the summary."""
    delivery_round = rounds.round_in(g.community, round_id)
    subject = current_subject()
    _require_volunteer_or_kitchen(subject)
    kitchen = services.is_kitchen(current_user, g.community)
    mine = delivery_round.volunteer_id == subject.id
    stops = rounds.stops_of(delivery_round) if (mine or kitchen) else []
    return render_template("elder_meals/round.html", round=delivery_round, stops=stops, mine=mine, kitchen=kitchen,
                           count=rounds.stop_counts([delivery_round.id])[delivery_round.id], form=ActionForm(),
                           today=services.local_today(g.community), title=rounds.round_title(delivery_round))


def _round_action(round_id, action, done_message):
    delivery_round = rounds.round_in(g.community, round_id)
    if ActionForm().validate_on_submit():
        try:
            action(delivery_round)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(done_message, "success")
    return redirect(url_for("elder_meals.round_page", round_id=delivery_round.id))


@bp.post("/rounds/<int:round_id>/signup")
def take_round(round_id, community=None):
    return _round_action(round_id, lambda item: rounds.sign_up(g.community, current_subject(), item),
                         _("The round is yours. Thank you! Collect the meals at the canteen on time."))


@bp.post("/rounds/<int:round_id>/give-back")
def give_back(round_id, community=None):
    return _round_action(round_id, lambda item: rounds.give_back(g.community, current_subject(), item),
                         _("You gave the round back; the coordinators were told."))


@bp.post("/rounds/<int:round_id>/start")
def start_round(round_id, community=None):
    return _round_action(round_id, lambda item: rounds.start_round(g.community, current_subject(), item),
                         _("On your way! Mark each stop when you are there."))


@bp.post("/rounds/<int:round_id>/stops/<int:order_id>")
def mark_stop(round_id, order_id, community=None):
    delivery_round = rounds.round_in(g.community, round_id)
    stop = orders.order_in(g.community, order_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            rounds.mark_stop(g.community, current_subject(), delivery_round, stop, form.value.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            if form.value.data == "no_answer":
                flash(_("The coordinator and the family were alerted. Go on with the next stop."), "success")
            else:
                flash(_("Delivered."), "success")
            if delivery_round.status == "finished":
                flash(_("Round finished. Your time was sent for confirmation. Thank you!")
                      if delivery_round.record_id else shown_text(delivery_round.no_hours_reason), "success"
                      if delivery_round.record_id else "error")
    return redirect(url_for("elder_meals.round_page", round_id=delivery_round.id))


@bp.post("/rounds/<int:round_id>/retry")
def retry_round(round_id, community=None):
    return _round_action(round_id, lambda item: rounds.retry_hours(g.community, current_user, item),
                         _("The hours were recorded."))


# --- Alerts -----------------------------------------------------------------------------------------------------


@bp.get("/alerts")
def alerts_page(community=None):
    subject = current_user
    found = alerts.visible_alerts(subject, g.community, open_only=False)
    if not found and not services.can_manage(subject, g.community) and not services.family_links_of(
            subject, g.community):
        raise PermissionDenied("elder_meals.alerts")
    return render_template("elder_meals/alerts.html", alerts=found, form=ResolveForm(formdata=None),
                           can_resolve=lambda alert: alerts.can_resolve(subject, alert, g.community))


@bp.post("/alerts/<int:alert_id>/resolve")
def resolve_alert(alert_id, community=None):
    alert = alerts.alert_in(g.community, alert_id)
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            alerts.resolve_alert(g.community, current_user, alert, form.resolution.data, form.note.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Thank you for checking."), "success")
            return redirect(url_for("elder_meals.alerts_page"))
    found = alerts.visible_alerts(current_user, g.community, open_only=False)
    return render_template("elder_meals/alerts.html", alerts=found, form=form, failed=alert.id,
                           can_resolve=lambda item: alerts.can_resolve(current_user, item, g.community)), 400
