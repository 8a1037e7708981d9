"""The ``timebank`` command line: Flask's CLI around ``create_app`` plus the core commands.

Plugins add their own groups through ``timebank_cli_commands``.
"""

import logging
import os

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import cli as migrate_cli
from flask_migrate import upgrade as alembic_upgrade

from .errors import NotFound, TimebankError

logger = logging.getLogger(__name__)


def _create_app():
    from . import create_app

    return create_app()


class TimebankGroup(FlaskGroup):
    """Flask's group, with ``db`` replaced so that ``db upgrade`` upgrades the core and every plugin branch."""

    def get_command(self, ctx, name):
        if name == "db":
            return db_group
        return super().get_command(ctx, name)


@click.group("db", help="Database schema (Alembic migrations: the core and one branch per plugin).")
def db_group():
    pass


for _name, _command in migrate_cli.db.commands.items():
    if _name != "upgrade":
        db_group.add_command(_command, _name)


@db_group.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def db_upgrade(revision):
    """Create or upgrade the database to the newest schema (every branch)."""
    alembic_upgrade(revision=revision)
    click.echo(f"Database is at: {revision}")


def main():
    os.environ.setdefault("FLASK_APP", "timebank")
    cli = TimebankGroup(create_app=_create_app, name="timebank",
                        help="Neighborhood Time Bank (邻里时间银行).")
    cli.main(prog_name="timebank")


# --- Core commands ---------------------------------------------------------------------------------------------


def _fail(message):
    raise click.ClickException(message)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when a community exists already.")
@with_appcontext
def demo_command(if_empty):
    """Load the demo community and the demo accounts (demo mode only)."""
    from .demo import DemoRefused, load_demo

    try:
        created = load_demo(if_empty=if_empty)
    except DemoRefused as error:
        _fail(str(error))
    if created:
        click.echo("Demo community loaded.")
    else:
        click.echo("The database already holds communities; demo data not loaded.")


@click.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.password_option(envvar="TIMEBANK_ADMIN_PASSWORD")
@with_appcontext
def create_admin_command(username, display_name, password):
    """Create a district admin account (administers every community)."""
    from .identity.services import create_district_admin

    try:
        user = create_district_admin(username, display_name, password)
    except TimebankError as error:
        _fail(str(error.message))
    click.echo(f"District admin {user.username} created.")


@click.command("create-community")
@click.argument("slug")
@click.argument("name")
@click.option("--timezone", default="Asia/Shanghai", show_default=True)
@click.option("--closed", is_flag=True, help="Do not accept online registrations.")
@with_appcontext
def create_community_command(slug, name, timezone, closed):
    """Create a community; SLUG is its short name in links (e.g. maple-court)."""
    from .communities.services import create_community

    try:
        community = create_community(slug, name, timezone=timezone, self_registration=not closed)
    except TimebankError as error:
        _fail(str(error.message))
    click.echo(f"Community {community.slug} created: /c/{community.slug}/")


@click.group("plugins")
def plugins_group():
    """List plugins and switch them on or off per community."""


@plugins_group.command("list")
@with_appcontext
def plugins_list():
    """Every discovered plugin: name, version, source, and where it is on."""
    from .communities.services import all_communities
    from .plugin_state import is_enabled

    system = current_app.extensions["timebank"]
    communities = all_communities()
    for info in system.plugins.values():
        if info.is_core:
            where = "always on"
        else:
            on = [c.slug for c in communities if is_enabled(info.name, c)]
            where = "on in: " + (", ".join(on) if on else "(none)")
        click.echo(f"{info.name}\t{info.version or '-'}\t{info.source}\t{where}")


def _switch(name, community_slug, enabled):
    from .communities.services import community_by_slug
    from .plugin_state import set_plugin_enabled

    try:
        community = community_by_slug(community_slug)
    except NotFound:
        _fail(f"No community with the short name {community_slug!r}.")
    try:
        set_plugin_enabled(community, name, enabled)
    except NotFound:
        _fail(f"No optional plugin named {name!r}. See: timebank plugins list")
    click.echo(f"{name} is {'on' if enabled else 'off'} in {community.slug}.")


@plugins_group.command("enable")
@click.argument("name")
@click.option("--community", "community_slug", required=True)
@with_appcontext
def plugins_enable(name, community_slug):
    """Switch plugin NAME on for a community."""
    _switch(name, community_slug, True)


@plugins_group.command("disable")
@click.argument("name")
@click.option("--community", "community_slug", required=True)
@with_appcontext
def plugins_disable(name, community_slug):
    """Switch plugin NAME off for a community (its data is kept)."""
    _switch(name, community_slug, False)


def register_core_commands(app):
    from .backup import backup_command, restore_command

    for command in (demo_command, create_admin_command, create_community_command, plugins_group, backup_command,
                    restore_command):
        app.cli.add_command(command)
    app.cli.add_command(db_group)
