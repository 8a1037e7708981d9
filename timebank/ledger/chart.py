"""The monthly bar chart on "My hours" (``ledger/_chart.html``): its geometry, computed once in Python (in the
template it took a dozen filter calls per bar), and the drawing itself, kept by each worker (:func:`chart_html`)."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from ..kept import app_store, remembered

#: Drawings a worker keeps (about 3 KB each); past this it forgets them all at once rather than growing.
MAX_KEPT = 2_000

#: The drawing's size in SVG units (the template adds room for the labels below).
WIDTH, HEIGHT = 340, 160


@dataclass(frozen=True)
class Bar:
    start: object  # the first day of the month
    minutes: int
    x: float
    y: float
    width: float
    height: float
    centre: float  # where the labels are centred
    value_y: float  # where the hours above the bar sit
    hours: int  # the rounded hours shown above the bar


def monthly_bars(months, width=WIDTH, height=HEIGHT):
    """``[Bar]`` for ``[(first day of month, minutes)]``, oldest first; the tallest bar reaches 24 units below the
    top (an empty year draws against one hour)."""
    peak = max((minutes for _start, minutes in months), default=0) or 60
    step = (width - 20) / len(months) if months else 0
    bars = []
    for index, (start, minutes) in enumerate(months):
        tall = round((minutes / peak) * (height - 24), 1)
        left = 10 + index * step
        bars.append(Bar(start, minutes, x=round(left + step * 0.15, 1), y=round(height - tall, 1),
                        width=round(step * 0.7, 1), height=tall, centre=round(left + step / 2, 1),
                        value_y=round(height - tall - 4, 1), hours=int(round(minutes / 60))))
    return bars


def chart_html(months):
    """The chart of ``[(first day of month, minutes)]`` as HTML, from ``ledger/_chart.html``.

    The drawing follows only from the months and the language, and a person's months change only when hours of
    theirs are confirmed (or a month passes): each worker keeps the drawings it made and draws again for other
    months or another language. Drawing costs about 0.3 ms, a tenth of the page; finding it, a microsecond. With
    templates that reload (``TEMPLATES_AUTO_RELOAD``, debug) it is drawn every time."""
    app = current_app._get_current_object()
    template = app.jinja_env.get_template("ledger/_chart.html")
    months = tuple(months)
    if app.jinja_env.auto_reload:
        return Markup(template.render(months=months))  # nosec B704 (a template with autoescape)
    return remembered(app_store("timebank_charts"), (str(get_locale()), months),
                      lambda: Markup(template.render(months=months)), MAX_KEPT)  # nosec B704 (autoescaped)
