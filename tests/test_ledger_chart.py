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


def months_with(*minutes):
    return tuple((date(2026, month, 1), value) for month, value in enumerate(minutes, start=1))


def test_each_worker_keeps_a_drawing_per_months_and_language(app):
    from flask_babel import force_locale

    from timebank.ledger.chart import chart_html

    template = app.jinja_env.get_template("ledger/_chart.html")
    with app.test_request_context():
        with force_locale("en"):
            first = chart_html(list(months_with(60, 120)))
            assert first == template.render(months=months_with(60, 120))  # what the template draws
            assert "Confirmed hours per month" in first and first.count('class="chart-bar"') == 2
            assert chart_html(months_with(60, 120)) is first  # kept: not drawn again
            other = chart_html(months_with(60, 180))
            assert other != first and ">3</text>" in other
        with force_locale("zh_CN"):
            chinese = chart_html(months_with(60, 120))
            assert chinese != first and "Confirmed hours per month" not in chinese
    assert len(app.extensions["timebank_charts"]) == 3


def test_templates_that_reload_are_drawn_every_time(app):
    from timebank.ledger.chart import chart_html

    app.jinja_env.auto_reload = True
    with app.test_request_context():
        first = chart_html(months_with(60))
        assert chart_html(months_with(60)) == first and chart_html(months_with(60)) is not first
    assert "timebank_charts" not in app.extensions


def test_a_worker_forgets_its_drawings_at_once_when_full(app, monkeypatch):
    from timebank.ledger import chart

    monkeypatch.setattr(chart, "MAX_KEPT", 2)
    with app.test_request_context():
        for minutes in (60, 120, 180):
            chart.chart_html(months_with(minutes))
    assert list(app.extensions["timebank_charts"]) == [("zh_Hans_CN", months_with(180))]
