"""Keep the garbage collector's full collections short in a server process.

A worker holds some 200,000 objects that live as long as it does: modules, the app, the plugins, then the compiled
templates, SQL statements and translations of its first pages. Python's full collection walks all of them: a pause
of 60-110 ms that a worker takes every thousand requests or so, and that every request waiting for it shares (the
slowest 1 % of answers). ``gc.freeze()`` moves objects out of the collector's view for good: once when the app is
built, and once more after the worker's first pages have filled those caches. Full collections then take about a
millisecond. Objects made later are collected as usual. See docs/performance.md.

Servers and commands only: tests build many apps in one process, and ``create_app(test_config)`` skips this.
"""

import gc

#: The request after which the second freeze happens (a worker's caches are warm by then).
WARM_AFTER_REQUESTS = 200


def install(app):
    if not app.config.get("GC_FREEZE"):
        return
    freeze()
    state = app.extensions["timebank.garbage"] = {"requests": 0}

    @app.teardown_request
    def _freeze_when_warm(_error=None):
        if state["requests"] > WARM_AFTER_REQUESTS:
            return
        state["requests"] += 1
        if state["requests"] == WARM_AFTER_REQUESTS:
            freeze()


def freeze():
    """Collect what is garbage now (it would never be freed once frozen), then freeze everything left."""
    gc.collect()
    gc.freeze()
