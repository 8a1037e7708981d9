"""What a worker process keeps between requests: values that follow only from their key (an address, a date's
text, a drawing, a rendered fragment). Each kind lives in a dictionary of the app or of the plugin system, bounded:
when full it is forgotten all at once rather than growing (the next pages fill it again)."""

from flask import current_app


def app_store(name):
    """The dictionary ``name`` of the current app's ``extensions``, created empty the first time."""
    return current_app.extensions.setdefault(name, {})


def remembered(store, key, compute, limit):
    """``compute()`` for ``key``, computed once and kept in ``store`` (at most ``limit`` entries). A key that cannot
    be hashed (a list among the values) is computed every time."""
    try:
        value = store.get(key)
    except TypeError:
        return compute()
    if value is None:
        value = compute()
        if len(store) >= limit:
            store.clear()
        store[key] = value
    return value
