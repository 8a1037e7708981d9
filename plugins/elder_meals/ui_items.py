"""What the plugin adds to core pages: navigation, home cards, tasks, the alert notice on the home screen and the
profile panel. Each function gathers its data through the services (hooks and templates never query)."""

from datetime import timedelta

from flask import render_template

from timebank import roles
from timebank.communities.services import active_membership
from timebank.i18n import _l
from timebank.ui import Card, NavItem, Panel, Snippet, TaskItem

from . import alerts, enrolment, kitchen, orders, rounds
from .services import can_manage, enrolment_of, family_links_of, is_kitchen, local_today, meal_roles_of


def _is_volunteer(user, community):
    membership = active_membership(user, community)
    return membership is not None and roles.role_at_least(membership.role, roles.VOLUNTEER)


def nav_items(user, community):
    items = [NavItem(label=_l("Elder meals"), endpoint="elder_meals.index", icon="meal", order=25)]
    if is_kitchen(user, community):
        items.append(NavItem(label=_l("Canteen roster"), endpoint="elder_meals.roster", icon="list", order=820))
    return items


def dashboard_cards(user, community):
    today = local_today(community)
    cards = []
    enrolled, orders_for_family, _open_alerts = meal_roles_of(user, community)
    own = enrolment_of(user, community) if enrolled else None
    if own is not None and own.status == "active":
        cards.append(Card(title=_l("My meals"), template="elder_meals/card_elder.html", order=15, elder=True,
                          context={"elder": own, "orders": [order for order in orders.orders_of(
                              own, today, today + timedelta(days=6)) if order.status != "cancelled"][:3]}))
    links = family_links_of(user, community, ordering=True) if orders_for_family else []
    if links:
        cards.append(Card(title=_l("Meals for my family"), template="elder_meals/card_family.html", order=16,
                          elder=True, context={"entries": [
                              (link.elder, [order for order in orders.orders_of(link.elder, today, today + timedelta(
                                  days=1)) if order.status != "cancelled"]) for link in links]}))
    if _is_volunteer(user, community):
        mine, needing = rounds.volunteer_rounds(community, user, today, today + timedelta(days=2))
        if mine or needing:
            cards.append(Card(title=_l("Meal deliveries"), template="elder_meals/card_rounds.html", order=26,
                              context={"mine": mine, "needing": len(needing)}))
    return cards


def tasks(user, community):
    today = local_today(community)
    items = []
    if _is_volunteer(user, community):
        mine, needing = rounds.volunteer_rounds(community, user, today, today + timedelta(days=2))
    else:
        mine, needing = rounds.my_rounds(community, user, today, today), []
    for delivery_round in mine:
        if delivery_round.meal_date == today and delivery_round.status in ("open", "started"):
            items.append(TaskItem(label=_l("Meal delivery today"), endpoint="elder_meals.round_page",
                                  url_kwargs={"round_id": delivery_round.id}, urgent=True, order=6,
                                  detail=rounds.round_title(delivery_round)))
    count = alerts.open_alert_count(user, community)
    if count:
        items.append(TaskItem(label=_l("Elders who did not answer the door"), endpoint="elder_meals.alerts_page",
                              count=count, urgent=True, order=1))
    if needing:
        items.append(TaskItem(label=_l("Meal delivery rounds need a volunteer"), endpoint="elder_meals.rounds",
                              count=len(needing), order=40))
    if can_manage(user, community):
        pending = enrolment.pending_count(community)
        if pending:
            items.append(TaskItem(label=_l("Meal service applications"), endpoint="elder_meals.elders",
                                  url_kwargs={"status": "pending"}, count=pending, order=35))
        unrecorded = rounds.rounds_without_hours(community)
        if unrecorded:
            items.append(TaskItem(label=_l("Delivery rounds whose hours were not recorded"),
                                  endpoint="elder_meals.round_page", url_kwargs={"round_id": unrecorded[0].id},
                                  count=len(unrecorded), order=45))
    if is_kitchen(user, community):
        missing = kitchen.dishes_without_sample_today(community)
        if missing:
            items.append(TaskItem(label=_l("Food samples to keep today"), endpoint="elder_meals.samples",
                                  count=missing, order=30))
        expired = kitchen.samples_to_discard(community)
        if expired:
            items.append(TaskItem(label=_l("Food samples that may be discarded"), endpoint="elder_meals.samples",
                                  count=len(expired), order=60))
    return items


def home_alerts(slot, context):
    """The open "no answer" alerts, above the cards of the home screen (elder mode too)."""
    if slot != "home_top":
        return None
    user, community = context.get("user"), context.get("community")
    if community is None:
        return None
    # Open alerts are rare (an elder did not answer the door): counted with the person's meal roles (the home
    # cards' statement), the alerts with their elders read only when there are some.
    if not meal_roles_of(user, community).open_alerts:
        return None
    found = alerts.visible_alerts(user, community)
    if not found:
        return None
    html = render_template("elder_meals/_home_alerts.html", alerts=found)
    return Snippet(html, order=5)  # a rendered template: markup (the default)


def profile_panels(profile_user, viewer, community):
    elder = enrolment_of(profile_user, community)
    if elder is None:
        return []
    if viewer.id != profile_user.id and not is_kitchen(viewer, community):
        return []
    return [Panel(title=_l("Meal service"), template="elder_meals/panel_profile.html", context={"elder": elder},
                  order=40)]
