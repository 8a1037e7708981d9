"""Neighborhood Time Bank (邻里时间银行).

Plugins import the one hook-implementation marker from here::

    from timebank import hookimpl
"""

import pluggy

__version__ = "0.1.0"

#: The only hook-implementation marker. Plugins write ``@hookimpl`` above functions named ``timebank_*``.
hookimpl = pluggy.HookimplMarker("timebank")


def create_app(test_config=None):
    """Build the Flask application (see :mod:`timebank.app`)."""
    from .app import create_app as _create_app

    return _create_app(test_config)


__all__ = ["create_app", "hookimpl", "__version__"]
