"""The geometry of the monthly bar chart on "My hours" (``ledger/_chart.html``), computed once in Python: in the
template it took a dozen filter calls per bar, a tenth of the page's cost."""

from dataclasses import dataclass

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
