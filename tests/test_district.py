"""District administration over HTTP: creating communities, and nobody else getting in."""

import pytest
from sqlalchemy import func, select

from timebank.audit.models import AuditEvent
from timebank.communities.models import Community
from timebank.extensions import db


@pytest.fixture
def district(make, auth):
    user_id = make.district_admin()
    auth.login("district")
    return user_id


def _new(**overrides):
    data = {"slug": "xingfuli", "name": "幸福里社区", "organising_unit": "幸福里社区居民委员会",
            "contact_phone": "010-12345678", "address": "幸福路 88 号", "timezone": "Asia/Shanghai",
            "self_registration": "y"}
    data.update(overrides)
    return data


def _counts(app):
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _community(app, slug):
    with app.app_context():
        row = db.session.scalar(select(Community).where(Community.slug == slug))
        db.session.expunge_all()
        return row


def test_district_admin_without_community_lands_on_the_district_page(client, district):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/district/"
    assert client.get("/district/").status_code == 200


def test_district_overview_lists_communities_with_counts(client, district, community, other_community):
    client.post("/account/language", data={"locale": "en"})
    html = client.get("/district/").get_data(as_text=True)
    assert "枫林社区" in html and "橡树社区" in html
    assert "4 active members" in html and "2 active members" in html
    assert 'href="/c/maple/admin/"' in html


def test_district_admin_creates_a_community(client, district, app):
    assert client.get("/district/communities/new").status_code == 200
    response = client.post("/district/communities/new", data=_new())
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/xingfuli/admin/"
    row = _community(app, "xingfuli")
    assert (row.name, row.organising_unit, row.contact_phone, row.address, row.timezone, row.self_registration) == (
        "幸福里社区", "幸福里社区居民委员会", "010-12345678", "幸福路 88 号", "Asia/Shanghai", True)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "community.created"))
        assert event.actor_id == district and event.community_id == row.id
    assert client.get("/c/xingfuli/admin/").status_code == 200
    assert client.get("/c/xingfuli/join").status_code == 200


def test_new_community_slug_is_lower_cased_and_trimmed(client, district, app):
    response = client.post("/district/communities/new", data=_new(slug="  Maple-Court "))
    assert response.status_code == 302
    assert _community(app, "maple-court") is not None


def test_closed_community(client, district, app):
    data = _new()
    del data["self_registration"]
    client.post("/district/communities/new", data=data)
    assert _community(app, "xingfuli").self_registration is False


@pytest.mark.parametrize("slug", ["-abc", "abc-", "a--b", "ab_c", "幸福里", "a b", "x" * 41, "a/b", "../x", "ab.c", ""])
def test_malformed_slug_gives_a_field_error_and_writes_nothing(client, district, app, slug):
    before = _counts(app)
    response = client.post("/district/communities/new", data=_new(slug=slug))
    assert response.status_code == 200
    assert 'id="slug-error"' in response.get_data(as_text=True)
    assert _counts(app) == before


def test_taken_slug_gives_a_field_error_and_writes_nothing(client, district, community, app):
    client.post("/account/language", data={"locale": "en"})
    before = _counts(app)
    response = client.post("/district/communities/new", data=_new(slug="MAPLE", name="另一个枫林"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="slug-error"' in html and "This short name is already taken." in html
    assert _counts(app) == before
    assert _community(app, "maple").name == "枫林社区"


@pytest.mark.parametrize("timezone", ["Mars/Olympus", "Asia/Beijing", "../../etc/passwd", "/etc/localtime", "",
                                      "UTC+8"])
def test_unknown_time_zone_gives_a_field_error_and_writes_nothing(client, district, app, timezone):
    client.post("/account/language", data={"locale": "en"})
    before = _counts(app)
    response = client.post("/district/communities/new", data=_new(timezone=timezone))
    assert response.status_code == 200
    assert 'id="timezone-error"' in response.get_data(as_text=True)
    assert _counts(app) == before


@pytest.mark.parametrize("overrides, field", [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "社" * 81}, "name"),
    ({"organising_unit": "x" * 121}, "organising_unit"),
    ({"address": "x" * 201}, "address"),
    ({"contact_phone": "1" * 41}, "contact_phone"),
    ({"contact_phone": "x" * 20}, "contact_phone"),
])
def test_other_bad_input_writes_nothing(client, district, app, overrides, field):
    before = _counts(app)
    response = client.post("/district/communities/new", data=_new(**overrides))
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _counts(app) == before


def test_district_plugins_and_audit(client, district, community):
    assert client.get("/district/plugins").status_code == 200
    html = client.get("/district/audit").get_data(as_text=True)
    assert "community.created" in html
    assert client.get("/district/audit?page=abc").status_code == 200
    assert client.get("/district/plugins/no_such_plugin/settings").status_code == 404


@pytest.mark.parametrize("username", ["maple.admin", "maple.coord", "maple.vol", "maple.res"])
def test_non_district_users_get_403(client, auth, community, app, username):
    auth.login(username)
    for path in ("/district/", "/district/communities/new", "/district/plugins", "/district/audit"):
        assert client.get(path).status_code == 403, path
    before = _counts(app)
    assert client.post("/district/communities/new", data=_new()).status_code == 403
    assert _counts(app) == before
    assert 'href="/district/"' not in client.get("/account").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_login(client, app):
    before = _counts(app)
    for path in ("/district/", "/district/communities/new"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    response = client.post("/district/communities/new", data=_new())
    assert response.status_code == 302
    assert _counts(app) == before
