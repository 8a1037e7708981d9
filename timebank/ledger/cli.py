import click
from flask.cli import with_appcontext


@click.group("ledger", help="The volunteer-hour ledger.")
def ledger_group():
    pass


@ledger_group.command("verify")
@with_appcontext
def verify_command():
    """Recompute every balance from the postings and the service totals from the records; exit 1 on any
    mismatch."""
    from .verify import verify_ledger

    problems = verify_ledger()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Ledger verified: every balance equals the sum of its postings, every transaction balances, the "
               "service totals match the records.")
