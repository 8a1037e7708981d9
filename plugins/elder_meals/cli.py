"""``timebank elder-meals ...``: the day's roster counts, planning delivery rounds (e.g. from cron after the
cut-off) and the monthly statement as XLSX. Nothing printed here contains diet or health notes."""

from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from timebank.communities.services import community_by_slug
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.plugin_state import is_enabled


def _community(slug):
    try:
        community = community_by_slug(slug)
    except NotFound:
        raise click.ClickException(f"No community with the short name {slug!r}.") from None
    if not is_enabled("elder_meals", community):
        raise click.ClickException(f"Elder meals are off in {slug}; switch them on first.")
    return community


def _day(text):

    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from None


def _actor(community, username):
    from timebank.communities.services import find_member

    try:
        return find_member(community, username)
    except ValidationFailed:
        raise click.ClickException(f"{username!r} is not an active member of {community.slug}.") from None


@click.group("elder-meals", help="Elder meal service: roster, delivery rounds, statements.")
def elder_meals_group():
    pass


@elder_meals_group.command("roster")
@click.option("--community", "slug", required=True)
@click.option("--date", "day_text", help="Day (YYYY-MM-DD); default: today in the community's time zone.")
@click.option("--slot", type=click.Choice(["lunch", "dinner"]), default="lunch", show_default=True)
@with_appcontext
def roster_command(slug, day_text, slot):
    """Portions per meal and the delivery rounds of one day (counts only)."""
    from . import menus, rounds
    from .services import local_today

    community = _community(slug)
    day = _day(day_text) or local_today(community)
    menu = menus.menu_for(community, day, slot)
    if menu is None:
        click.echo(f"No {slot} menu on {day.isoformat()}.")
        return
    from timebank.extensions import db

    from .models import Order

    totals = {dish.id: {"dine_in": 0, "pickup": 0, "delivery": 0} for dish in menu.dishes}
    for order in db.session.scalars(db.select(Order).where(Order.menu_id == menu.id, Order.status != "cancelled")):
        totals[order.dish_id][order.mode] += order.portions
    for dish in menu.dishes:
        count = totals[dish.id]
        click.echo(f"{dish.name}\t{sum(count.values())}\t(canteen {count['dine_in']}, pick-up {count['pickup']}, "
                   f"delivery {count['delivery']})")
    for item in rounds.rounds_between(community, day, day):
        if item.slot == slot:
            stops, done = rounds.stop_counts([item.id])[item.id]
            volunteer = item.volunteer.display_name if item.volunteer else "no volunteer yet"
            click.echo(f"round {item.id}\t{rounds.round_title(item)}\t{stops} stops\t{volunteer}\t{item.status}")


@elder_meals_group.command("plan-rounds")
@click.option("--community", "slug", required=True)
@click.option("--date", "day_text", required=True, help="Day (YYYY-MM-DD).")
@click.option("--slot", type=click.Choice(["lunch", "dinner"]), default="lunch", show_default=True)
@click.option("--start", "start_text", default="11:00", show_default=True, help="Time the rounds leave (HH:MM).")
@click.option("--as", "username", required=True, help="Coordinator or canteen staff member doing it.")
@with_appcontext
def plan_rounds_command(slug, day_text, slot, start_text, username):
    """Put the day's delivery orders into rounds (run after the cut-off, e.g. from cron)."""
    from .rounds import plan_rounds

    community = _community(slug)
    try:
        start = datetime.strptime(start_text, "%H:%M").time()
    except ValueError:
        raise click.BadParameter("use HH:MM", param_hint="--start") from None
    try:
        created, stops = plan_rounds(community, _actor(community, username), _day(day_text), slot, start)
    except PermissionDenied:
        raise click.ClickException(f"{username} is not allowed to plan rounds (canteen staff and coordinators "
                                   "are).") from None
    except ValidationFailed as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"{stops} deliveries in rounds ({created} new rounds).")


@elder_meals_group.command("statement")
@click.option("--community", "slug", required=True)
@click.option("--month", "month_text", required=True, help="Month (YYYY-MM).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def statement_command(slug, month_text, out_path):
    """Write the monthly statement (subsidy claim by tier, and per elder) as XLSX."""
    from . import statements

    community = _community(slug)
    year, month = statements.parse_month(month_text, community)
    if f"{year}-{month:02d}" != month_text and f"{year}-{month}" != month_text:
        raise click.BadParameter("use YYYY-MM", param_hint="--month")
    with statements.community_statement_xlsx(community, year, month) as handle:
        out_path.write_bytes(handle.read())
    _lines, _elders, totals = statements.community_statement(community, year, month)
    statements.record_export(community, None, "community-cli", year, month)
    click.echo(f"{totals.meals} meals, subsidy ¥{totals.subsidy_fen / 100:.2f}: written to {out_path}")
