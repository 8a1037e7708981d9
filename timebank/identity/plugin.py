"""Hook implementations of the identity area (always on)."""

from .. import hookimpl


@hookimpl
def timebank_blueprints():
    from .views import bp

    return [bp]
