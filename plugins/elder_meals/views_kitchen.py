"""The canteen's pages: writing and publishing the week's menus, the printable roster, the food-sample log, and
(for coordinators) the list of canteen staff."""

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from timebank.communities.services import find_member
from timebank.errors import NotFound, ValidationFailed
from timebank.forms import ActionForm, apply_domain_error
from timebank.i18n import _, ngettext
from timebank.permissions import require
from timebank.web import as_id, parse_day

from . import kitchen, menus, services
from .blueprints import bp
from .forms import MemberForm, MenuForm, SampleForm
from .models import SLOTS
from .policy import format_yuan, meal_policy


def _pick_day(value):
    """``(day, problem)`` for a ``?day=``: that day (``timebank.web.parse_day``), else today and why."""
    today = services.local_today(g.community)
    day = parse_day(value)
    if day is None and value:
        return today, _("This date cannot be shown; here is today.")
    return day or today, None


def _slot_arg(value):
    return value if value in SLOTS else "lunch"


def _menu_error(form, error):
    """Errors of a dish row ("dishes-1-price") go beside that row's field."""
    parts = (error.field or "").split("-")
    if len(parts) == 3 and parts[0] == "dishes" and parts[1].isdigit() and int(parts[1]) < len(form.dishes):
        subfield = getattr(form.dishes[int(parts[1])].form, parts[2], None)
        if subfield is not None:
            subfield.errors = [*list(subfield.errors or []), error.message]
            return
    apply_domain_error(form, error)


@bp.route("/menus/<day>/<slot>", methods=["GET", "POST"])
def edit_menu(day, slot, community=None):
    services.require_kitchen(current_user, g.community)
    meal_date = parse_day(day)
    if meal_date is None or slot not in SLOTS:
        raise NotFound(day)
    menu = menus.menu_for(g.community, meal_date, slot)
    form = MenuForm()
    if request.method == "GET":
        form.capacity.data = menu.capacity if menu else meal_policy(g.community).default_capacity
        form.note.data = menu.note if menu else ""
        for index, dish in enumerate(menu.dishes if menu else []):
            row = form.dishes[index].form
            row.name.data, row.description.data = dish.name, dish.description
            row.price.data = format_yuan(dish.price_fen).lstrip("¥")
            row.soft.data, row.low_salt.data, row.low_sugar.data = dish.soft, dish.low_salt, dish.low_sugar
    if form.validate_on_submit():
        dishes = [menus.DishInput(name=row.form.name.data, description=row.form.description.data,
                                  price=row.form.price.data, soft=row.form.soft.data, low_salt=row.form.low_salt.data,
                                  low_sugar=row.form.low_sugar.data) for row in form.dishes]
        try:
            saved = menus.save_menu(g.community, current_user, meal_date, slot, form.capacity.data, dishes,
                                    form.note.data, publish=form.publish.data)
        except ValidationFailed as error:
            _menu_error(form, error)
        else:
            flash(_("The menu is published.") if saved.published_at else _("Saved as a draft."), "success")
            return redirect(url_for("elder_meals.week", week=menus.monday_of(meal_date).isoformat()))
    return render_template("elder_meals/menu_form.html", form=form, menu=menu, meal_date=meal_date, meal_slot=slot)


@bp.post("/menus/publish")
def publish_week(community=None):
    monday = menus.parse_week(request.form.get("week"), g.community)
    if ActionForm().validate_on_submit():
        try:
            count = menus.publish_week(g.community, current_user, monday)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(ngettext("%(num)d menu published: elders and families can order now.",
                           "%(num)d menus published: elders and families can order now.", count), "success")
    return redirect(url_for("elder_meals.week", week=monday.isoformat()))


@bp.post("/menus/copy")
def copy_week(community=None):
    """Copy the previous week's menus into this week as drafts."""
    monday = menus.parse_week(request.form.get("week"), g.community)
    if ActionForm().validate_on_submit():
        try:
            count = menus.copy_week(g.community, current_user, monday - timedelta(days=7), monday)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(ngettext("%(num)d menu copied as a draft: check it and publish.",
                           "%(num)d menus copied as drafts: check them and publish.", count), "success")
    return redirect(url_for("elder_meals.week", week=monday.isoformat()))


@bp.get("/roster")
def roster(community=None):
    """The printable kitchen roster of one day and slot."""
    day, problem = _pick_day(request.args.get("day"))
    slot = _slot_arg(request.args.get("slot"))
    result = kitchen.roster(g.community, current_user, day, slot)
    return render_template("elder_meals/roster.html", roster=result, day=day, meal_slot=slot, form=ActionForm(),
                           problem=problem,
                           policy=meal_policy(g.community), manage=services.can_manage(current_user, g.community),
                           today=services.local_today(g.community), previous_day=day - timedelta(days=1),
                           next_day=day + timedelta(days=1))


@bp.route("/samples", methods=["GET", "POST"])
def samples(community=None):
    """The food-sample retention log of one day: a sample of every dish, kept 48 hours, then discarded."""
    day, problem = _pick_day(request.values.get("day"))
    form = SampleForm()
    failed = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            kitchen.record_sample(g.community, current_user, as_id(form.dish_id.data) or 0, form.grams.data,
                                  form.note.data)
        except (ValidationFailed, NotFound) as error:
            if isinstance(error, NotFound):
                error = ValidationFailed(_("Choose one of the options."))
            apply_domain_error(form, error)
            failed = as_id(form.dish_id.data)
        else:
            flash(_("Sample recorded."), "success")
            return redirect(url_for("elder_meals.samples", day=day.isoformat()))
    elif request.method == "POST":
        failed = as_id(form.dish_id.data)
    sheet = kitchen.sample_sheet(g.community, current_user, day)
    return render_template("elder_meals/samples.html", sheet=sheet, day=day, form=form, failed=failed,
                           today=services.local_today(g.community), previous_day=day - timedelta(days=1),
                           next_day=day + timedelta(days=1), action_form=ActionForm(),
                           to_discard=kitchen.samples_to_discard(g.community), problem=problem)


@bp.post("/samples/<int:sample_id>/discard")
def discard_sample(sample_id, community=None):
    sample = kitchen.sample_in(g.community, sample_id)
    if ActionForm().validate_on_submit():
        try:
            kitchen.discard_sample(g.community, current_user, sample)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Sample discarded."), "success")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/c/")
                    else url_for("elder_meals.samples"))


@bp.route("/staff", methods=["GET", "POST"])
def staff(community=None):
    """Coordinators name the canteen staff: they see diet notes and run the kitchen pages."""
    require(current_user, services.MANAGE, g.community)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            person = find_member(g.community, form.member.data)
            services.add_canteen_staff(g.community, current_user, person)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("%(name)s is now canteen staff.", name=person.display_name), "success")
            return redirect(url_for("elder_meals.staff"))
    return render_template("elder_meals/staff.html", form=form, staff=services.canteen_staff(g.community),
                           action_form=ActionForm())


@bp.post("/staff/<int:staff_id>/remove")
def remove_staff(staff_id, community=None):
    if ActionForm().validate_on_submit():
        services.remove_canteen_staff(g.community, current_user, staff_id)
        flash(_("Removed."), "success")
    return redirect(url_for("elder_meals.staff"))
