"""Residents' pages: my requests, a new request, the order page (status, who is coming, materials, sign-off,
rating), photos, cancelling. Thin: parse input, call one service, render."""

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import format_date
from flask_login import current_user

from timebank.clock import now
from timebank.communities.services import active_membership
from timebank.communities.structure import household_lines
from timebank.errors import ValidationFailed
from timebank.forms import ActionForm, apply_domain_error, select_choices
from timebank.i18n import _, ngettext
from timebank.identity.proxy import current_subject
from timebank.permissions import can

from . import materials, services, workflow
from .blueprints import bp
from .forms import CloseForm, MaterialForm, RatingForm, ReasonForm, RequestForm, SignoffForm
from .policy import repair_policy
from .roster import local_day, roster_entry
from .vocabulary import CATEGORY_HINTS, GAS_CHECK, GAS_NOTICE


@bp.get("/")
def index(community=None):
    subject = current_subject()
    return render_template("repair_team/index.html", orders=services.requests_of(g.community, subject),
                           on_roster=roster_entry(g.community, current_user) is not None)


def _household_choices(community):
    """Households grouped by building: ``{"3号楼": [SelectChoice(id, "3号楼 2单元 402")...]}`` (an optgroup each)."""
    groups = {}
    for household_id, building, label in household_lines(community):
        # The whole address in each option: a closed select shows only the option, not its group.
        groups.setdefault(building, []).append((household_id, label))
    return {building: select_choices(items) for building, items in groups.items()}


def _day_choices(community):
    today = local_day(community)
    names = {0: _("Today"), 1: _("Tomorrow")}
    return select_choices(
        (day.isoformat(), f"{names[offset]} · {format_date(day, 'EEE M/d')}" if offset in names
         else format_date(day, "EEE M/d"))
        for offset, day in ((offset, today + timedelta(days=offset)) for offset in range(7)))


@bp.route("/new", methods=["GET", "POST"])
def new_request(community=None):
    subject = current_subject()
    policy = repair_policy(g.community)
    form = RequestForm()
    form.household_id.choices = {"": select_choices([(0, _("— choose —"))]), **_household_choices(g.community)}
    form.preferred_days.choices = _day_choices(g.community)
    form.preferred_days.description = _("Leave the days and times empty if any time suits you. For an emergency "
                                         "the team comes as soon as it can.")
    form.photos.description = ngettext("Up to %(num)d photo of up to %(mb)d MB. Location data is removed before "
                                       "it is stored.", "Up to %(num)d photos, each up to %(mb)d MB. Location data "
                                       "is removed before they are stored.", policy.max_photos,
                                       mb=policy.max_photo_mb)
    if request.method == "GET":
        membership = active_membership(subject, g.community)
        form.household_id.data = getattr(membership, "household_id", None) or 0
    on_behalf = can(current_user, "repair_team.request_for_others", g.community)
    if form.validate_on_submit():
        try:
            order = services.submit_request(
                g.community, current_user, subject, category=form.category.data,
                description=form.description.data, household_id=form.household_id.data, urgency=form.urgency.data,
                preferred_days=form.preferred_days.data, preferred_parts=form.preferred_parts.data,
                contact_phone=form.contact_phone.data, photo_files=request.files.getlist("photos"),
                for_member=form.for_member.data if on_behalf else "",
                requester_name=form.requester_name.data if on_behalf else "")
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Your request %(number)s was sent. You will see here who is coming and when.",
                    number=order.number), "success")
            return redirect(url_for("repair_team.order", order_id=order.id))
    return render_template("repair_team/request_form.html", form=form, hints=CATEGORY_HINTS, gas_notice=GAS_NOTICE,
                           on_behalf=on_behalf, max_photos=policy.max_photos)


def render_order(order, status=200, **forms):
    """The order page for whoever looks at it, with the forms that person may use (``forms`` replaces one that
    came back with errors)."""
    subject = current_subject()
    policy = repair_policy(g.community)
    moment = now()
    total = materials.total_fen(order)
    defaults = {"action_form": ActionForm(), "cancel_form": ReasonForm(), "handback_form": ReasonForm(),
                "signoff_form": SignoffForm(seen_total=str(total)), "rating_form": RatingForm(),
                "material_form": MaterialForm(), "close_form": CloseForm()}
    defaults.update(forms)
    for form in forms.values():
        # A refusal that names no field ("not possible any more") goes to the top of the page, where it is seen
        # whichever section its form belongs to.
        for message in form.form_errors:
            flash(message, "error")
        form.form_errors = []
    receipts = {photo.id for photo in services.photos_of(order, "receipt")}
    return render_template(
        "repair_team/order.html", order=order, history=services.history_of(order),
        request_photos=services.photos_of(order, "request"), work_photos=services.photos_of(order, "work"),
        materials=materials.materials_of(order), total=total, yuan=materials.yuan, receipts=receipts,
        is_requester=services.is_requester(order, subject) or services.is_requester(order, current_user),
        is_resident=order.requester_id is not None and order.requester_id in (subject.id, current_user.id),
        is_volunteer=order.volunteer_id == current_user.id,
        is_staff=can(current_user, "repair_team.manage", g.community),
        rating_open=workflow.rating_open(order, policy, moment), gas=order.category == GAS_CHECK,
        gas_notice=GAS_NOTICE, now=moment, **defaults), status


@bp.get("/orders/<int:order_id>")
def order(order_id, community=None):
    return render_order(services.visible_order(g.community, order_id, current_user, current_subject()))


@bp.get("/orders/<int:order_id>/photos/<int:photo_id>")
def photo(order_id, photo_id, community=None):
    """A stored photo, only for people who may see the order; never cached by shared caches."""
    _photo, path = services.visible_photo(g.community, order_id, photo_id, current_user, current_subject())
    response = send_file(path, mimetype="image/jpeg", max_age=0, conditional=True,
                         download_name=f"repair-{order_id}-{photo_id}.jpg")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/orders/<int:order_id>/cancel")
def cancel(order_id, community=None):
    order = services.visible_order(g.community, order_id, current_user, current_subject())
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_order(order, 400, cancel_form=form)
    try:
        services.cancel_order(order, g.community, current_user, current_subject(), form.reason.data)
    except ValidationFailed as error:
        apply_domain_error(form, error)
        return render_order(order, 400, cancel_form=form)
    flash(_("The request %(number)s is cancelled.", number=order.number), "success")
    return redirect(url_for("repair_team.order", order_id=order.id))


@bp.post("/orders/<int:order_id>/signoff")
def signoff(order_id, community=None):
    """The resident confirms the work: on their own phone, or on the volunteer's phone with their code."""
    order = services.visible_order(g.community, order_id, current_user, current_subject())
    form = SignoffForm()
    if form.validate_on_submit():
        try:
            workflow.sign_off(order, g.community, current_user, current_subject(), code=form.code.data,
                              seen_total_fen=form.seen_total.data if (form.seen_total.data or "").isdigit()
                              else None)
        except ValidationFailed as error:
            if error.field is None:  # e.g. a second submission: the order page says how things stand
                flash(error.message, "error")
                return redirect(url_for("repair_team.order", order_id=order.id))
            apply_domain_error(form, error)
            return render_order(services.order_in(g.community, order_id), 400, signoff_form=form)
        flash(_("Signed off. Thank you! The volunteer's time was sent for confirmation."), "success")
    return redirect(url_for("repair_team.order", order_id=order.id))


@bp.post("/orders/<int:order_id>/rate")
def rate(order_id, community=None):
    order = services.visible_order(g.community, order_id, current_user, current_subject())
    form = RatingForm()
    if form.validate_on_submit():
        try:
            workflow.rate(order, g.community, current_user, current_subject(), form.rating.data, form.comment.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Thank you for your rating.") if order.status != "reopened" else
                  _("Thank you. The order is open again and the coordinator will be in touch."), "success")
            return redirect(url_for("repair_team.order", order_id=order.id))
    return render_order(order, 400, rating_form=form)
