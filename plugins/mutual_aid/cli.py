"""``timebank mutual-aid ...``: reminders the day before (run daily from cron) and a summary."""

import click
from flask.cli import with_appcontext

from timebank.communities.services import all_communities, community_by_slug
from timebank.errors import NotFound
from timebank.plugin_state import is_enabled


@click.group("mutual-aid", help="Neighbourhood mutual-aid exchange.")
def mutual_aid_group():
    pass


@mutual_aid_group.command("remind")
@click.option("--community", "slug", help="Only this community (default: every community where it is on).")
@with_appcontext
def remind_command(slug):
    """Remind both sides of tomorrow's exchanges (in their inbox)."""
    from .exchange import due_reminders

    if slug:
        try:
            communities = [community_by_slug(slug)]
        except NotFound:
            raise click.ClickException(f"No community with the short name {slug!r}.") from None
        if not is_enabled("mutual_aid", communities[0]):
            raise click.ClickException(f"Mutual aid is off in {slug}.")
    else:
        communities = [c for c in all_communities() if is_enabled("mutual_aid", c)]
    total = sum(due_reminders(community) for community in communities)
    click.echo(f"{total} exchanges reminded.")
