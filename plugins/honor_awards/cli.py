"""``timebank honor-awards ...``: close public notices whose period is over (for cron), list campaigns, propose star
volunteers from existing hours, print the honour wall."""

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
    if not is_enabled("honor_awards", community):
        raise click.ClickException(f"Honour awards (honor_awards) are off in {slug}; switch them on first.")
    return community


@click.group("honor-awards", help="Honour awards: campaigns, public notices, star volunteers.")
def honor_awards_group():
    pass


@honor_awards_group.command("close-notices")
@click.option("--community", "slug", help="Only this community (default: every community where it is on).")
@with_appcontext
def close_notices_command(slug):
    """Make final every public notice whose period is over and that has no open objection (run daily)."""
    from . import notices

    communities = [_community(slug)] if slug else [c for c in all_communities() if is_enabled("honor_awards", c)]
    closed = waiting = 0
    for community in communities:
        for notice in notices.due_notices(community):
            try:
                notices.close_notice(notice, community, None)
            except ValidationFailed as error:  # an objection arrived meanwhile
                click.echo(f"{community.slug}: notice {notice.id} not closed: {error.message}")
            else:
                closed += 1
        waiting += len(notices.waiting_notices(community))
    click.echo(f"{closed} notices closed; {waiting} wait for objections to be decided.")


@honor_awards_group.command("campaigns")
@click.option("--community", "slug", required=True)
@with_appcontext
def campaigns_command(slug):
    """List the community's campaigns with their phase."""
    from .campaigns import campaigns_in, phase_of
    from .nominations import nominations_of
    from .services import local_today

    community = _community(slug)
    today = local_today(community)
    rows = campaigns_in(community)
    for campaign in rows:
        click.echo(f"{campaign.id}\t{campaign.year}\t{campaign.kind}\t{phase_of(campaign, today)}\t"
                   f"{len(nominations_of(campaign))} nominations\t{campaign.title}")
    if not rows:
        click.echo("No campaigns.")


@honor_awards_group.command("scan-stars")
@click.option("--community", "slug", required=True)
@with_appcontext
def scan_stars_command(slug):
    """Propose star volunteers whose confirmed hours already reach a level (after switching the plugin on)."""
    from .stars import scan_community

    click.echo(f"{scan_community(_community(slug))} new star candidates.")


@honor_awards_group.command("honour-wall")
@click.option("--community", "slug", required=True)
@click.option("--year", type=int, help="Default: the latest year with honours.")
@with_appcontext
def honour_wall_command(slug, year):
    """Print the honour wall of a year, with the names as the public sees them."""
    from .awards import honour_wall, honour_years

    community = _community(slug)
    years = honour_years(community)
    year = year or (years[0] if years else None)
    groups = honour_wall(community, year) if year else []
    for title, rows in groups:
        click.echo(f"{title}: " + "、".join(name for _award, name in rows))
    if not groups:
        click.echo("No honours recorded.")
