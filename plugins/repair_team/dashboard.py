"""What the plugin adds to the core pages: navigation, home cards, tasks and the profile panel. Each function
gathers its data through the services (hooks and templates never query)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import has_request_context

from timebank.clock import now
from timebank.i18n import _l
from timebank.permissions import can
from timebank.ui import Card, NavItem, Panel, TaskItem

from . import board, lines, services
from .policy import repair_policy
from .roster import local_day, on_roster, open_jobs, roster_entry
from .vocabulary import ACTIVE, DONE, EMERGENCY, REOPENED
from .workflow import followups_due, rating_open


def _subject(user):
    """The person the page acts for (the elder a coordinator helps), when ``user`` is the one logged in."""
    if has_request_context():
        from flask_login import current_user

        from timebank.identity.proxy import current_subject

        if getattr(current_user, "id", None) == user.id:
            return current_subject()
    return user


def _today_bounds(community):
    zone = ZoneInfo(community.timezone)
    start = datetime.combine(local_day(community), time(0), zone)
    return start, start + timedelta(days=1)


def jobs_today(community, user):
    """Jobs still to do today (or overdue); a finished job waiting for the resident's sign-off is not one."""
    return _due_today(community, lines.job_lines(community, user))


def _due_today(community, jobs):
    _start, end = _today_bounds(community)
    return [order for order in jobs if order.status != DONE and (order.scheduled_at is None or order.scheduled_at < end)]


def nav_items_for(user, community):
    items = [NavItem(label=_l("Repairs"), endpoint="repair_team.index", icon="wrench", order=25)]
    if on_roster(community, user):
        _start, end = _today_bounds(community)
        items.append(NavItem(label=_l("My repair jobs"), endpoint="repair_team.jobs", icon="wrench", order=26,
                             badge=services.open_job_count(community, user, end) or None))
    if can(user, "repair_team.manage", community):
        waiting, _overdue = board.waiting_counts(community)
        items.append(NavItem(label=_l("Repair board"), endpoint="repair_team.board", icon="list", order=815,
                             badge=waiting or None))
    return items


def cards_for(user, community):
    subject = _subject(user)
    mine = lines.request_lines(community, subject, ACTIVE, limit=3)
    cards = [Card(title=_l("My repair requests"), template="repair_team/card_requests.html",
                  context={"orders": mine}, order=25, size="half", elder=True)]
    jobs = lines.roster_job_lines(community, user)  # None: not on the roster
    if jobs is not None:
        cards.append(Card(title=_l("My repair jobs today"), template="repair_team/card_jobs.html",
                          context={"orders": _due_today(community, jobs)}, order=26, size="half"))
    if can(user, "repair_team.manage", community):
        waiting, overdue = board.waiting_counts(community)
        cards.append(Card(title=_l("Repair requests"), template="repair_team/card_board.html",
                          context={"waiting": waiting, "overdue": overdue,
                                   "followups": len(followups_due(community))}, order=15, size="half"))
    return cards


def tasks_for(user, community):
    items = []
    subject = _subject(user)
    policy = repair_policy(community)
    moment = now()
    mine = lines.request_states(community, subject, limit=20)
    to_sign = [order for order in mine if order.status == DONE]
    if to_sign:
        items.append(TaskItem(label=_l("Check and sign off a repair"), endpoint="repair_team.order",
                              url_kwargs={"order_id": to_sign[0].id}, count=len(to_sign),
                              detail=to_sign[0].number, order=12))
    to_rate = [order for order in mine if rating_open(order, policy, moment) and order.rating is None]
    if to_rate:
        items.append(TaskItem(label=_l("Rate a repair"), endpoint="repair_team.order",
                              url_kwargs={"order_id": to_rate[0].id}, count=len(to_rate), detail=to_rate[0].number,
                              order=40))
    today = jobs_today(community, user)
    if today:
        items.append(TaskItem(label=_l("Repair jobs today"), endpoint="repair_team.jobs", count=len(today),
                              urgent=any(order.urgency == EMERGENCY for order in today), order=6))
    emergencies = services.claimable_for(community, user, moment, urgency=EMERGENCY)  # the Tasks number: only those
    if emergencies and open_jobs(community, [user.id])[user.id] < policy.max_open_jobs:
        items.append(TaskItem(label=_l("Emergency repairs nobody has taken"), endpoint="repair_team.jobs",
                              count=len(emergencies), urgent=True, order=4))
    if can(user, "repair_team.manage", community):
        waiting = board.waiting_lines(community, moment)
        if waiting:
            overdue = sum(1 for line in waiting if line.overdue)
            items.append(TaskItem(label=_l("Repair requests waiting for a volunteer"), endpoint="repair_team.board",
                                  count=len(waiting), urgent=bool(overdue), order=14))
        reopened = [line for line in waiting if line.order.status == REOPENED]
        if reopened:
            items.append(TaskItem(label=_l("Repairs reopened after a poor rating"), endpoint="repair_team.board",
                                  count=len(reopened), urgent=True, order=15))
        calls = followups_due(community, moment)
        if calls:
            items.append(TaskItem(label=_l("Follow-up calls after repairs"), endpoint="repair_team.board",
                                  count=len(calls), order=45))
    return items


def profile_panels_for(profile_user, viewer, community):
    if viewer.id != profile_user.id and not can(viewer, "repair_team.manage", community):
        return []
    entry = roster_entry(community, profile_user)
    if entry is None:
        return []
    return [Panel(title=_l("Repair team"), template="repair_team/panel.html",
                  context={"entry": entry, "licensed": repair_policy(community).licensed_categories,
                           "today": local_day(community)}, order=40)]
