"""``timebank sample-board ...``: one click group named after the plugin."""

import click
from flask.cli import with_appcontext

from timebank.communities.services import community_by_slug
from timebank.errors import NotFound

from . import services


@click.group("sample-board")
def group():
    """The sample notice board."""


@group.command("count")
@click.option("--community", "community_slug", required=True)
@with_appcontext
def count(community_slug):
    """Print how many notes are on the board of a community."""
    try:
        community = community_by_slug(community_slug)
    except NotFound:
        raise click.ClickException(f"No community with the short name {community_slug!r}.") from None
    from timebank.plugin_state import is_enabled

    if not is_enabled(services.PLUGIN, community):
        raise click.ClickException(f"The notice board is off in {community.slug}.")
    click.echo(f"{services.note_count(community)} notes on the board of {community.slug}")
