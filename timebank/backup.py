"""``timebank backup`` / ``timebank restore``: a consistent copy of the whole database.

SQLite: the online backup API (safe while the app runs). PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore --clean``. Restoring replaces everything: stop the app first.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db


def _url():
    return db.engine.url


def _libpq_url(url):
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup_to(path):
    """Write a backup of the database to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    url = _url()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", _libpq_url(url)])
    else:
        raise click.ClickException(f"Backups of {url.get_backend_name()} are not supported.")
    return path


def restore_from(path):
    """Replace the database's content with the backup at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise click.ClickException(f"No backup file at {path}.")
    url = _url()
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(path)
        target = sqlite3.connect(url.database)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url(url)}", str(path)])
    else:
        raise click.ClickException(f"Restoring {url.get_backend_name()} is not supported.")


def _run(command):
    if shutil.which(command[0]) is None:
        raise click.ClickException(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise click.ClickException(f"{command[0]} failed: {result.stderr.strip()[:500]}")


@click.command("backup")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Backup file (default: instance/backups/timebank-<date>.backup).")
@with_appcontext
def backup_command(out_path):
    """Write a consistent backup of the whole database (safe while the app runs)."""
    from .clock import now

    out_path = out_path or Path(current_app.instance_path) / "backups" / f"timebank-{now():%Y%m%d-%H%M%S}.backup"
    backup_to(out_path)
    click.echo(f"Backup written to {out_path}")


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: replace the current data.")
@with_appcontext
def restore_command(backup_file, yes):
    """Replace ALL current data with BACKUP_FILE (stop the app first)."""
    if not yes:
        click.confirm("This replaces all current data with the backup. Continue?", abort=True)
    restore_from(backup_file)
    click.echo(f"Restored from {backup_file}. Run `timebank ledger verify` to check the ledger.")
