"""Every page and endpoint that takes a day, a week or a month in its address answers dates at the ends of the
calendar (year 1, year 9999) and malformed ones with a page of its own: a 404, a 400, or another date with a
message; never a 500 (``date`` stops at 9999-12-31, so "the next day" or "next week" of such a date overflows)."""

from datetime import UTC, date, datetime

import pytest

from timebank.clock import set_clock

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai

#: (path with ``{value}``, the kind of value: "day", "week" or "month")
PAGES = [
    ("/c/maple/ledger/queue?from={value}&to={value}", "day"),
    ("/c/maple/ledger/queue?from={value}", "day"),
    ("/c/maple/ledger/queue?to={value}", "day"),
    ("/c/maple/ledger/export?from={value}&to={value}&format=csv", "day"),
    ("/c/maple/ledger/export?to={value}&format=csv", "day"),
    ("/c/maple/p/elder-meals/menu?week={value}", "day"),
    ("/c/maple/p/elder-meals/roster?day={value}&slot=lunch", "day"),
    ("/c/maple/p/elder-meals/roster?day={value}&slot=dinner", "day"),
    ("/c/maple/p/elder-meals/samples?day={value}", "day"),
    ("/c/maple/p/elder-meals/menus/{value}/lunch", "day"),
    ("/c/maple/p/elder-meals/statements?month={value}", "month"),
    ("/c/maple/p/elder-meals/statements.xlsx?month={value}", "month"),
    ("/c/maple/p/elder-meals/elders/{elder}/statement?month={value}", "month"),
    ("/c/maple/p/elder-meals/elders/{elder}/statement.xlsx?month={value}", "month"),
    ("/c/maple/p/qr-checkin/?day={value}", "day"),
    ("/c/maple/p/qr-checkin/lead?day={value}", "day"),
    ("/c/maple/p/repair-team/stats?month={value}", "month"),
    ("/c/maple/p/mutual-aid/?day={value}", "day"),
    ("/c/maple/p/honor-awards/honours/?year={value}", "year"),
    ("/c/maple/hours/history?year={value}", "year"),
    ("/c/maple/ledger/totals?year={value}", "year"),
]
#: The same for the JSON API (a token of the coordinator).
API = [
    ("/api/v1/communities/maple/queue?date_from={value}&date_to={value}", "day"),
    ("/api/v1/communities/maple/queue?date_to={value}", "day"),
]
VALUES = {
    "day": ["9999-12-31", "0001-01-01", "2026-02-30", "2026-11-23x", "2026-11-23"],
    "month": ["9999-12", "0001-01", "9999-12-31", "2026-13", "x", "2026-11"],
    "year": ["9999", "0001", "x", "2026"],
}


@pytest.fixture
def world(app, make, community):
    """The coordinator of "maple", an enrolled elder, and the clock at Monday 23 November 2026, 09:00."""
    set_clock(app, lambda: NOW)
    elder_user = make.member("maple", "elder", role="resident", display_name="赵大爷")
    with app.test_request_context():
        from timebank_plugins.elder_meals import enrolment

        from timebank.communities.models import Community
        from timebank.extensions import db
        from timebank.identity.models import User

        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, community["coordinator"])
        elder = enrolment.enrol(maple, coordinator, db.session.get(User, elder_user), enrolment.Details(
            birth_date=date(1950, 1, 1), consent=True))
        return {"elder": elder.id, "coordinator": community["coordinator"]}


def _answers(response):
    response.get_data()
    response.close()  # (a spreadsheet is sent from a file)
    return response.status_code


@pytest.mark.parametrize(("path", "kind"), PAGES)
def test_pages_answer_any_date(app, client, world, path, kind):
    plugin = path.split("/p/")[1].split("/")[0].replace("-", "_") if "/p/" in path else None
    if plugin and plugin not in app.extensions["timebank"].plugins:
        pytest.skip(f"{plugin} is not loaded")
    client.post("/login", data={"username": "maple.coord", "password": "test-pass-123"})
    for value in VALUES[kind]:
        response = client.get(path.format(value=value, elder=world["elder"]))
        assert _answers(response) in (200, 302, 400, 404), (value, response.get_data(as_text=True)[:300])
        if response.status_code == 302:
            assert _answers(client.get(response.headers["Location"])) == 200, value
    assert _answers(client.get(path.format(value=VALUES[kind][-1], elder=world["elder"]))) == 200


@pytest.mark.parametrize(("path", "kind"), API)
def test_api_answers_any_date(app, client, world, path, kind):
    from timebank.api.tokens import create_personal_token
    from timebank.extensions import db
    from timebank.identity.models import User

    with app.app_context():
        secret = create_personal_token(db.session.get(User, world["coordinator"]), "test",
                                       ["read", "coordinate"], 30)[1]
    for value in VALUES[kind]:
        response = client.get(path.format(value=value), headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code in (200, 400, 404, 422), (value, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize("path", ["/c/maple/p/elder-meals/menu?week={value}",
                                  "/c/maple/p/elder-meals/roster?day={value}&slot=lunch",
                                  "/c/maple/p/elder-meals/samples?day={value}",
                                  "/c/maple/p/qr-checkin/?day={value}",
                                  "/c/maple/p/repair-team/stats?month={value}"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-02-30"])
def test_a_date_out_of_range_shows_today_and_says_why(app, client, world, path, value):
    plugin = path.split("/p/")[1].split("/")[0].replace("-", "_")
    if plugin not in app.extensions["timebank"].plugins:
        pytest.skip(f"{plugin} is not loaded")
    client.post("/login", data={"username": "maple.coord", "password": "test-pass-123"})
    client.post("/account/language", data={"locale": "en"})
    if "month" in path:
        value = {"9999-12-31": "9999-12", "0001-01-01": "0001-01", "2026-02-30": "2026-13"}[value]
    response = client.get(path.format(value=value))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="notice notice-warn" role="status"' in page
    assert "9999" not in page and "0001-01" not in page
