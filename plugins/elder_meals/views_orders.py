"""Ordering for an elder (big buttons: elders order themselves in elder mode), cancelling, the canteen's marks at
the counter (served, did not come, paid) and the elder's monthly statement."""

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from timebank.errors import ValidationFailed
from timebank.forms import ActionForm, apply_domain_error, select_choices
from timebank.i18n import _
from timebank.identity.proxy import current_subject

from . import menus, orders, services, statements
from .blueprints import bp
from .forms import OrderForm
from .policy import age_on, cutoff_for, format_yuan, meal_policy, subsidy_tier, tier_label
from .pricing import statuses_on

ORDER_DAYS = 8  # today and the coming week


def _order_form(menu, elder, existing=None, formdata=None):
    form = OrderForm(prefix=f"m{menu.id}") if formdata else OrderForm(formdata=None, prefix=f"m{menu.id}")
    form.dish_id.choices = select_choices([(dish.id, dish.name) for dish in menu.dishes])
    if not formdata:
        if existing is not None:
            form.dish_id.data, form.mode.data, form.portions.data = existing.dish_id, existing.mode, existing.portions
        else:
            form.dish_id.data = menu.dishes[0].id if len(menu.dishes) == 1 else None
            form.mode.data = "delivery" if elder.needs_delivery else "dine_in"
            form.portions.data = 1
    return form


def _order_page(elder, failed=None):
    """``failed``: ``(menu_id, form)`` of a form that came back with errors."""
    community = g.community
    policy = meal_policy(community)
    today = services.local_today(community)
    last = today + timedelta(days=ORDER_DAYS - 1)
    existing = {(order.meal_date, order.slot): order for order in orders.orders_of(elder, today, last)
                if order.status != "cancelled"}
    kitchen = services.is_kitchen(current_user, community)
    entries = []
    available = menus.menus_between(community, today, last)
    taken = menus.ordered_portions([menu.id for menu in available])
    statuses = statuses_on(elder, {menu.meal_date for menu in available})
    for menu in available:
        order = existing.pop((menu.meal_date, menu.slot), None)
        form = failed[1] if failed and failed[0] == menu.id else _order_form(menu, elder, order)
        subsidy, tier = subsidy_tier(policy, age_on(elder.birth_date, menu.meal_date), statuses[menu.meal_date])
        entries.append({"menu": menu, "order": order, "form": form, "subsidy": subsidy,
                        "open": orders.is_open_for(community, policy, menu.meal_date),
                        "cutoff": cutoff_for(policy, community, menu.meal_date),
                        "left": max(menu.capacity - taken.get(menu.id, 0), 0)})
    return render_template("elder_meals/order.html", elder=elder, entries=entries, kitchen=kitchen,
                           leftovers=sorted(existing.values(), key=lambda order: order.meal_date),
                           policy=policy, cancel_form=ActionForm(), today=today,
                           see_tier=services.can_see_sensitive(current_user, elder, community),
                           self_order=current_subject().id == elder.user_id,
                           tier_label=lambda code: tier_label(policy, code))


@bp.get("/elders/<int:elder_id>/order")
def order_page(elder_id, community=None):
    elder = services.elder_in(g.community, elder_id)
    services.require_order_for(current_subject(), elder, g.community)
    return _order_page(elder)


@bp.post("/elders/<int:elder_id>/menus/<int:menu_id>/order")
def order(elder_id, menu_id, community=None):
    """Place an order, or change the one already placed for that day and slot."""
    elder = services.elder_in(g.community, elder_id)
    subject = current_subject()
    services.require_order_for(subject, elder, g.community)
    menu = menus.menu_in(g.community, menu_id)
    form = _order_form(menu, elder, formdata=True)
    if form.validate_on_submit():
        existing = next((item for item in orders.orders_of(elder, menu.meal_date, menu.meal_date)
                         if item.slot == menu.slot and item.status != "cancelled"), None)
        try:
            if existing is None:
                placed = orders.place_order(g.community, subject, elder, menu, form.dish_id.data, form.mode.data,
                                            form.portions.data)
            else:
                placed = orders.change_order(g.community, subject, existing, form.dish_id.data, form.mode.data,
                                             form.portions.data)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Ordered: %(dish)s on %(day)s. To pay: %(due)s.", dish=placed.dish.name,
                    day=placed.meal_date.isoformat(), due=format_yuan(placed.due_fen)), "success")
            return redirect(url_for("elder_meals.order_page", elder_id=elder.id))
    return _order_page(elder, failed=(menu.id, form))


def _back(default):
    target = request.form.get("next") or ""
    return redirect(target if target.startswith("/c/") else default)


@bp.post("/orders/<int:order_id>/cancel")
def cancel(order_id, community=None):
    order_row = orders.order_in(g.community, order_id)
    if ActionForm().validate_on_submit():
        try:
            orders.cancel_order(g.community, current_subject(), order_row)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(_("Cancelled."), "success")
    return _back(url_for("elder_meals.order_page", elder_id=order_row.elder_id))


@bp.post("/orders/<int:order_id>/collected")
def collected(order_id, community=None):
    """The canteen marks a dine-in or pick-up order served, or "did not come"."""
    order_row = orders.order_in(g.community, order_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            orders.mark_collected(g.community, current_user, order_row, form.value.data)
        except ValidationFailed as error:
            flash(error.message, "error")
    return _back(url_for("elder_meals.roster", day=order_row.meal_date.isoformat(), slot=order_row.slot))


@bp.post("/orders/<int:order_id>/paid")
def paid(order_id, community=None):
    order_row = orders.order_in(g.community, order_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            orders.record_payment(g.community, current_user, order_row, form.value.data == "1")
        except ValidationFailed as error:
            flash(error.message, "error")
    return _back(url_for("elder_meals.roster", day=order_row.meal_date.isoformat(), slot=order_row.slot))


# --- The elder's monthly statement ------------------------------------------------------------------------------


def _statement_elder(elder_id):
    elder = services.elder_in(g.community, elder_id)
    if not (services.can_see_account(current_user, elder, g.community)
            or services.can_see_account(current_subject(), elder, g.community)):
        services.require_account_access(current_user, elder, g.community)
    return elder


@bp.get("/elders/<int:elder_id>/statement")
def elder_statement(elder_id, community=None):
    elder = _statement_elder(elder_id)
    year, month = statements.parse_month(request.args.get("month"), g.community)
    rows, totals = statements.elder_statement(g.community, elder, year, month)
    previous, following = statements.neighbour_months(year, month)
    return render_template("elder_meals/statement_elder.html", elder=elder, rows=rows, totals=totals, year=year,
                           month=month, previous=previous, following=following)


@bp.get("/elders/<int:elder_id>/statement.xlsx")
def elder_statement_xlsx(elder_id, community=None):
    elder = _statement_elder(elder_id)
    year, month = statements.parse_month(request.args.get("month"), g.community)
    handle = statements.elder_statement_xlsx(g.community, elder, year, month)
    statements.record_export(g.community, current_user, "elder", year, month, elder)
    return send_file(handle, as_attachment=True, download_name=f"meals-{elder.id}-{year}-{month:02d}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
