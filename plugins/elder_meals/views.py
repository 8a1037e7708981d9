"""The meal service's front page, the week's menu, enrolment (applications, coordinators) and the elders' pages."""

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from timebank import roles
from timebank.communities.services import active_membership, find_member
from timebank.communities.structure import household_choices
from timebank.errors import PermissionDenied, ValidationFailed
from timebank.forms import ActionForm, apply_domain_error
from timebank.i18n import _, ngettext
from timebank.identity.proxy import current_subject
from timebank.permissions import require
from timebank.web import parse_day

from . import alerts, enrolment, menus, orders, rounds, services
from .blueprints import bp
from .forms import DecisionForm, EndForm, EnrolmentForm, FamilyForm, StatusForm
from .policy import age_on, meal_policy
from .pricing import status_history, status_on


@bp.get("/")
def index(community=None):
    """One page for everybody: my meals, my family's, my deliveries, and the canteen's and coordinators' work.
    Shown for the member a coordinator acts for, like the core's home page."""
    subject, community = current_subject(), g.community
    today = services.local_today(community)
    own = services.enrolment_of(subject, community)
    own_orders = orders.orders_of(own, today, today + timedelta(days=6)) if own and own.status == "active" else []
    membership = active_membership(subject, community)
    volunteer = membership is not None and roles.role_at_least(membership.role, roles.VOLUNTEER)
    return render_template(
        "elder_meals/index.html", own=own, own_orders=[order for order in own_orders if order.status != "cancelled"],
        family=services.family_links_of(subject, community),
        my_rounds=rounds.my_rounds(community, subject, today, today + timedelta(days=6)),
        needing=rounds.rounds_needing_volunteers(community, today, today + timedelta(days=2)) if volunteer else [],
        alert_count=alerts.open_alert_count(subject, community),
        manage=services.can_manage(subject, community), kitchen=services.is_kitchen(subject, community),
        pending=enrolment.pending_count(community) if services.can_manage(subject, community) else 0,
        policy=meal_policy(community), today=today)


@bp.get("/menu")
def week(community=None):
    """The week's menu: published days for everybody, drafts too for the canteen."""
    kitchen = services.is_kitchen(current_user, g.community)
    monday = menus.parse_week(request.args.get("week"), g.community)
    problem = _("This date cannot be shown; here is this week's menu.") if request.args.get("week") and \
        parse_day(request.args["week"]) is None else None
    days = menus.week_of(g.community, monday, published_only=not kitchen)
    ids = [menu.id for _day, slots in days for menu in slots.values()]
    return render_template("elder_meals/week.html", days=days, monday=monday, kitchen=kitchen,
                           ordered=menus.ordered_portions(ids), policy=meal_policy(g.community),
                           previous=monday - timedelta(days=7), following=monday + timedelta(days=7),
                           today=services.local_today(g.community), form=ActionForm(), problem=problem)


# --- Enrolment --------------------------------------------------------------------------------------------------


def _details(form):
    return enrolment.Details(
        birth_date=form.birth_date.data, welfare_status=form.welfare_status.data, diet_notes=form.diet_notes.data,
        consent=form.consent.data, consent_note=form.consent_note.data, household_id=form.household_id.data or None,
        address=form.address.data, needs_delivery=form.needs_delivery.data, delivery_note=form.delivery_note.data)


def _household_choices(form):
    form.household_id.choices = [(0, _("— not in the list —")), *household_choices(g.community)]


@bp.route("/apply", methods=["GET", "POST"])
def apply(community=None):
    """The elder, or a family member, asks for the meal service; a coordinator checks and approves."""
    subject = current_subject()
    form = EnrolmentForm()
    _household_choices(form)
    if request.method == "GET":
        membership = active_membership(subject, g.community)
        form.household_id.data = getattr(membership, "household_id", None) or 0
    if form.validate_on_submit():
        try:
            if form.relation.data == "self":
                elder_user = subject
            else:
                if not (form.member.data or "").strip():
                    raise ValidationFailed(_("Enter the elder's username or volunteer number."), field="member")
                elder_user = find_member(g.community, form.member.data)
            enrolment.apply(g.community, subject, elder_user, form.relation.data, _details(form))
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Thank you! A coordinator will check the application soon."), "success")
            return redirect(url_for("elder_meals.index"))
    return render_template("elder_meals/enrol_form.html", form=form, mode="apply")


@bp.route("/elders/new", methods=["GET", "POST"])
def new_elder(community=None):
    require(current_user, services.MANAGE, g.community)
    form = EnrolmentForm()
    _household_choices(form)
    if form.validate_on_submit():
        try:
            if not (form.member.data or "").strip():
                raise ValidationFailed(_("Enter the elder's username or volunteer number."), field="member")
            elder = enrolment.enrol(g.community, current_user, find_member(g.community, form.member.data),
                                    _details(form))
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Enrolled."), "success")
            return redirect(url_for("elder_meals.elder_page", elder_id=elder.id))
    return render_template("elder_meals/enrol_form.html", form=form, mode="new")


@bp.get("/elders")
def elders(community=None):
    if not services.is_kitchen(current_user, g.community):
        raise PermissionDenied(services.KITCHEN)
    status = request.args.get("status") if request.args.get("status") in ("pending", "active", "rejected",
                                                                          "ended") else None
    found = enrolment.elders_in(g.community, status)
    policy = meal_policy(g.community)
    return render_template("elder_meals/elders.html", elders=found, age_on=age_on, status=status,
                           manage=services.can_manage(current_user, g.community),
                           today=services.local_today(g.community),
                           new_tiers=enrolment.new_tiers_soon(g.community, policy, found))


def _viewable_elder(elder_id):
    elder = services.elder_in(g.community, elder_id)
    if not (services.can_see_sensitive(current_user, elder, g.community)
            or services.can_see_sensitive(current_subject(), elder, g.community)):
        raise PermissionDenied(services.KITCHEN)
    return elder


@bp.get("/elders/<int:elder_id>")
def elder_page(elder_id, community=None):
    """The enrolment with its sensitive data: the canteen, coordinators and the elder only."""
    elder = _viewable_elder(elder_id)
    manage = services.can_manage(current_user, g.community)
    today = services.local_today(g.community)
    status_form = StatusForm(formdata=None, status=status_on(elder, today), valid_from=today)
    return render_template(
        "elder_meals/elder.html", elder=elder, manage=manage, today=today, status_today=status_on(elder, today),
        history=status_history(elder), family=enrolment.family_of(elder), status_form=status_form,
        family_form=FamilyForm(formdata=None), decision_form=DecisionForm(formdata=None),
        end_form=EndForm(formdata=None), action_form=ActionForm(), policy=meal_policy(g.community),
        age_today=age_on(elder.birth_date, today),
        orders=orders.orders_of(elder, today - timedelta(days=7), today + timedelta(days=7)))


@bp.route("/elders/<int:elder_id>/edit", methods=["GET", "POST"])
def edit_elder(elder_id, community=None):
    require(current_user, services.MANAGE, g.community)
    elder = services.elder_in(g.community, elder_id)
    form = EnrolmentForm(obj=elder) if request.method == "GET" else EnrolmentForm()
    _household_choices(form)
    # The status has its own form (it needs the date it applies from): this one keeps today's.
    form.welfare_status.data = status_on(elder, services.local_today(g.community))
    if request.method == "GET":
        form.household_id.data = elder.household_id or 0
        form.consent.data = elder.consent_at is not None
    if form.validate_on_submit():
        try:
            enrolment.update(g.community, current_user, elder, _details(form))
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("elder_meals.elder_page", elder_id=elder.id))
    return render_template("elder_meals/enrol_form.html", form=form, mode="edit", elder=elder)


@bp.post("/elders/<int:elder_id>/decide")
def decide(elder_id, community=None):
    elder = services.elder_in(g.community, elder_id)
    form = DecisionForm()
    if form.validate_on_submit():
        approve = request.form.get("decision") == "approve"
        try:
            enrolment.decide(g.community, current_user, elder, approve, form.note.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Approved: meals can be ordered now.") if approve else _("Turned down; the applicant was told."),
                  "success")
    return redirect(url_for("elder_meals.elder_page", elder_id=elder.id))


@bp.post("/elders/<int:elder_id>/status")
def change_status(elder_id, community=None):
    elder = services.elder_in(g.community, elder_id)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Enter the status and the date it applies from."), "error")
    else:
        try:
            changed = enrolment.change_status(g.community, current_user, elder, form.status.data,
                                              form.valid_from.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(ngettext("Saved. %(num)d order was priced again.", "Saved. %(num)d orders were priced again.",
                           changed), "success")
    return redirect(url_for("elder_meals.elder_page", elder_id=elder.id))


@bp.post("/elders/<int:elder_id>/family")
def add_family(elder_id, community=None):
    elder = services.elder_in(g.community, elder_id)
    form = FamilyForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for errors in form.errors.values() for error in errors), "error")
    else:
        try:
            person = find_member(g.community, form.member.data)
            enrolment.add_family(g.community, current_user, elder, person, form.relation.data, form.can_order.data,
                                 form.alert_contact.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s was linked to %(elder)s.", name=person.display_name, elder=elder.user.display_name),
                  "success")
    return redirect(url_for("elder_meals.elder_page", elder_id=elder.id))


@bp.post("/elders/<int:elder_id>/family/<int:link_id>/remove")
def remove_family(elder_id, link_id, community=None):
    elder = services.elder_in(g.community, elder_id)
    if ActionForm().validate_on_submit():
        enrolment.remove_family(g.community, current_user, elder, link_id)
        flash(_("Removed."), "success")
    return redirect(url_for("elder_meals.elder_page", elder_id=elder.id))


@bp.post("/elders/<int:elder_id>/consent/withdraw")
def withdraw_consent(elder_id, community=None):
    elder = services.elder_in(g.community, elder_id)
    if ActionForm().validate_on_submit():
        enrolment.withdraw_consent(g.community, current_subject(), elder)
        flash(_("Consent withdrawn: the diet notes were erased and no welfare status applies from today."),
              "success")
    return redirect(url_for("elder_meals.elder_page", elder_id=elder.id))


@bp.post("/elders/<int:elder_id>/end")
def end(elder_id, community=None):
    elder = services.elder_in(g.community, elder_id)
    form = EndForm()
    if form.validate_on_submit():
        try:
            enrolment.end_enrolment(g.community, current_user, elder, form.note.data)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("The meal service for %(name)s has ended; coming orders were cancelled.",
                    name=elder.user.display_name), "success")
    return redirect(url_for("elder_meals.elder_page", elder_id=elder.id))
