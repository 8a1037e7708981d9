"""The monthly bar chart's geometry on "My hours" (``timebank.ledger.chart``)."""

from datetime import date

from timebank.ledger.chart import HEIGHT, monthly_bars


def test_the_tallest_bar_fills_the_chart_and_the_others_scale_to_it():
    months = [(date(2026, month, 1), minutes) for month, minutes in ((9, 0), (10, 90), (11, 180))]
    empty, half, full = monthly_bars(months)
    assert full.height == HEIGHT - 24 and full.y == 24.0 and full.hours == 3
    assert half.height == (HEIGHT - 24) / 2 and half.hours == 2  # 1.5 h shows as 2 (rounded half to even)
    assert empty.height == 0 and empty.y == HEIGHT and empty.minutes == 0
    assert empty.x < half.x < full.x and empty.width == half.width == full.width == round(320 / 3 * 0.7, 1)
    assert half.centre == round(10 + 320 / 3 + 320 / 3 / 2, 1) and half.value_y == round(HEIGHT - 68 - 4, 1)


def test_a_year_without_hours_draws_flat_bars_and_no_months_draws_nothing():
    bars = monthly_bars([(date(2026, month, 1), 0) for month in range(1, 13)])
    assert len(bars) == 12 and {bar.height for bar in bars} == {0} and {bar.hours for bar in bars} == {0}
    assert monthly_bars([]) == []
