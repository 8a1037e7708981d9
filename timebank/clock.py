"""Injectable time. Services call ``now()``; tests freeze it with ``set_clock(app, lambda: ...)``."""

from datetime import UTC, datetime

from flask import current_app


def system_clock() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The current time as an aware UTC datetime, from the application's clock."""
    return current_app.extensions["timebank"].clock()


def set_clock(app, clock) -> None:
    """Replace the application's clock (a callable returning an aware UTC datetime)."""
    app.extensions["timebank"].clock = clock
