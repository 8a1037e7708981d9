"""``timebank repair-team ...``: the board for a quick look, closing unrated orders (for cron), monthly
statistics."""

import click
from flask.cli import with_appcontext

from timebank.communities.services import all_communities, community_by_slug
from timebank.errors import NotFound, ValidationFailed
from timebank.plugin_state import is_enabled


def _community(slug):
    try:
        community = community_by_slug(slug)
    except NotFound:
        raise click.ClickException(f"No community with the short name {slug!r}.") from None
    if not is_enabled("repair_team", community):
        raise click.ClickException(f"The repair team (repair_team) is off in {slug}; switch it on first.")
    return community


@click.group("repair-team", help="Repair-team bookings (便民维修服务队).")
def repair_team_group():
    pass


@repair_team_group.command("board")
@click.option("--community", "slug", required=True)
@with_appcontext
def board_command(slug):
    """List requests waiting for a volunteer (emergencies first, with age and OVERDUE) and jobs in hand."""
    from .board import board

    community = _community(slug)
    waiting, in_hand = board(community)
    for line in waiting:
        order = line.order
        flag = "OVERDUE" if line.overdue else ""
        click.echo(f"{order.number}\t{order.urgency}\t{order.status}\t{order.category}\t"
                   f"waiting {line.waiting_minutes} min\t{flag}".rstrip())
    for order in in_hand:
        click.echo(f"{order.number}\t{order.urgency}\t{order.status}\t{order.category}\t"
                   f"{order.volunteer.display_name if order.volunteer else ''}")
    if not waiting and not in_hand:
        click.echo("No open repair requests.")


@repair_team_group.command("close-unrated")
@click.option("--community", "slug", help="Only this community (default: every community where it is on).")
@with_appcontext
def close_unrated_command(slug):
    """Close signed-off orders whose rating period has passed (run from cron, e.g. hourly)."""
    from .workflow import close_unrated

    communities = [_community(slug)] if slug else [c for c in all_communities() if is_enabled("repair_team", c)]
    total = sum(close_unrated(community) for community in communities)
    click.echo(f"{total} orders closed without a rating.")


@repair_team_group.command("stats")
@click.option("--community", "slug", required=True)
@click.option("--month", default="", help="YYYY-MM (default: this month).")
@with_appcontext
def stats_command(slug, month):
    """Requests of one month by category: count, completed, average time to completion, average rating."""
    from .roster import local_day
    from .stats import monthly_statistics, parse_month

    community = _community(slug)
    try:
        first_day = parse_month(month, local_day(community))
    except ValidationFailed:
        raise click.ClickException("Give the month as YYYY-MM.") from None
    rows, total = monthly_statistics(community, first_day)
    click.echo(f"{community.name} {first_day:%Y-%m}")
    click.echo("category\trequests\tcompleted\temergencies\tcancelled\tavg minutes to completion\tavg rating")
    for row in [*rows, total]:
        click.echo(f"{row.category}\t{row.requests}\t{row.completed}\t{row.emergencies}\t{row.cancelled}\t"
                   f"{_blank(row.average_completion_minutes)}\t{_blank(row.average_rating)}")


def _blank(value):
    return "-" if value is None else str(value)
