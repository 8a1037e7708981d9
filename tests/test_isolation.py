"""Communities are sealed off from each other: another community's pages and ids do not exist (404), a member
without the role gets 403, an anonymous visitor is sent to the login page."""

import pytest
from sqlalchemy import func, select

from timebank.communities.models import Community, Membership, Team
from timebank.extensions import db
from timebank.identity.models import User
from timebank.testing import TEST_PASSWORD


@pytest.fixture
def ids(app, community, other_community):
    """Membership, team and household ids in both communities, made through the services."""
    from timebank.communities import structure, teams
    from timebank.communities.services import community_by_slug

    result = {}
    with app.test_request_context():
        for slug, staff in (("maple", community["coordinator"]), ("oak", other_community["coordinator"])):
            row = community_by_slug(slug)
            actor = db.session.get(User, staff)
            team = teams.create_team(row, actor, f"{slug} 巡逻队", "patrol")
            building = structure.add_building(row, actor, "1号楼", stairwells=1)
            household = structure.add_household(row, actor, building.id, "101")
            memberships = {m.user_id: m.id for m in db.session.scalars(
                select(Membership).where(Membership.community_id == row.id))}
            result[slug] = {"team": team.id, "household": household.id, "building": building.id,
                            "memberships": memberships}
        teams.add_team_member(db.session.get(Team, result["maple"]["team"]), community_by_slug("maple"),
                              db.session.get(User, community["coordinator"]), community["volunteer"])
    result["maple"]["volunteer_membership"] = result["maple"]["memberships"][community["volunteer"]]
    result["maple"]["resident_membership"] = result["maple"]["memberships"][community["resident"]]
    result["oak"]["resident_membership"] = result["oak"]["memberships"][other_community["resident"]]
    return result


def _counts(app):
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _admin_get_pages(ids):
    maple = ids["maple"]
    return ["/c/maple/admin/", "/c/maple/admin/registrations", "/c/maple/admin/members",
            "/c/maple/admin/members/new", f"/c/maple/admin/members/{maple['volunteer_membership']}",
            "/c/maple/admin/settings", "/c/maple/admin/plugins", "/c/maple/admin/structure", "/c/maple/admin/teams",
            f"/c/maple/admin/teams/{maple['team']}", "/c/maple/admin/audit"]


def _admin_posts(ids, community):
    maple = ids["maple"]
    membership = maple["resident_membership"]
    return [
        (f"/c/maple/admin/registrations/{membership}/approve", {"role": "volunteer"}),
        (f"/c/maple/admin/registrations/{membership}/reject", {"reason": "x"}),
        (f"/c/maple/admin/members/{membership}/role", {"role": "volunteer"}),
        (f"/c/maple/admin/members/{membership}/household", {"household_id": str(maple["household"])}),
        (f"/c/maple/admin/members/{membership}/password", {"password": "taken-over-1"}),
        (f"/c/maple/admin/members/{membership}/act-for", {}),
        ("/c/maple/admin/members/new", {"display_name": "x", "username": "intruder", "role": "resident",
                                        "household_id": "0"}),
        ("/c/maple/admin/settings", {"name": "hacked", "timezone": "UTC"}),
        ("/c/maple/admin/structure", {"which": "grid", "grid-name": "入侵", "grid-level": "small"}),
        ("/c/maple/admin/teams", {"name": "入侵队", "kind": "patrol"}),
        (f"/c/maple/admin/teams/{maple['team']}", {"member": "maple.res"}),
        (f"/c/maple/admin/teams/{maple['team']}/remove/{community['volunteer']}", {}),
        ("/c/maple/admin/plugins/anything", {"value": "on"}),
    ]


# --- Another community's coordinator ---------------------------------------------------------------------------


def test_coordinator_of_oak_gets_404_on_every_maple_admin_page(client, auth, ids):
    auth.login("oak.coord")
    for path in _admin_get_pages(ids):
        assert client.get(path).status_code == 404, path


def test_coordinator_of_oak_cannot_change_anything_in_maple(client, auth, app, ids, community):
    auth.login("oak.coord")
    before = _counts(app)
    for path, data in _admin_posts(ids, community):
        assert client.post(path, data=data).status_code == 404, path
    assert _counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(Community.name).where(Community.slug == "maple")) == "枫林社区"


def test_coordinator_of_oak_cannot_see_maple_members(client, auth, ids, community):
    auth.login("oak.coord")
    for path in ("/c/maple/", "/c/maple/me", "/c/maple/tasks", f"/c/maple/members/{community['volunteer']}",
                 f"/c/maple/members/{community['coordinator']}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "陈志强" not in response.get_data(as_text=True)


def test_maple_ids_do_not_exist_in_oak(client, auth, app, ids, community):
    """The oak coordinator may use oak's admin pages, but maple's ids in them are 404."""
    auth.login("oak.coord")
    maple = ids["maple"]
    membership = maple["volunteer_membership"]
    before = _counts(app)
    assert client.get(f"/c/oak/members/{community['volunteer']}").status_code == 404
    assert client.get(f"/c/oak/admin/members/{membership}").status_code == 404
    assert client.get(f"/c/oak/admin/teams/{maple['team']}").status_code == 404
    for path, data in (
        (f"/c/oak/admin/members/{membership}/role", {"role": "resident"}),
        (f"/c/oak/admin/members/{membership}/household", {"household_id": "0"}),
        (f"/c/oak/admin/members/{membership}/password", {"password": "taken-over-1"}),
        (f"/c/oak/admin/members/{membership}/act-for", {}),
        (f"/c/oak/admin/registrations/{membership}/approve", {"role": "volunteer"}),
        (f"/c/oak/admin/registrations/{membership}/reject", {"reason": "x"}),
        (f"/c/oak/admin/teams/{maple['team']}", {"member": "oak.res"}),
        (f"/c/oak/admin/teams/{maple['team']}/remove/{community['volunteer']}", {}),
        (f"/c/oak/admin/teams/{ids['oak']['team']}/remove/{community['volunteer']}", {}),
    ):
        assert client.post(path, data=data).status_code == 404, path
    assert _counts(app) == before
    with app.app_context():
        assert db.session.get(Membership, membership).role == "volunteer"


def test_maple_places_and_people_cannot_be_used_in_oak(client, auth, app, ids):
    auth.login("oak.coord")
    oak = ids["oak"]
    before = _counts(app)
    client.post(f"/c/oak/admin/members/{oak['resident_membership']}/household",
                data={"household_id": str(ids["maple"]["household"])})
    client.post("/c/oak/admin/structure", data={"which": "household",
                                                "household-building_id": str(ids["maple"]["building"]),
                                                "household-room": "202"})
    response = client.post(f"/c/oak/admin/teams/{oak['team']}", data={"member": "maple.vol"})
    assert response.status_code == 200
    assert _counts(app) == before
    with app.app_context():
        assert db.session.get(Membership, oak["resident_membership"]).household_id is None


def test_oak_member_list_shows_only_oak(client, auth, ids):
    auth.login("oak.coord")
    html = client.get("/c/oak/admin/members?q=maple").get_data(as_text=True)
    assert "maple." not in html
    html = client.get("/c/oak/admin/members").get_data(as_text=True)
    assert "陈志强" not in html and "吴敏" in html


# --- Members without the role ----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["maple.res", "maple.vol"])
def test_residents_and_volunteers_get_403_on_admin_pages(client, auth, app, ids, community, username):
    auth.login(username)
    for path in _admin_get_pages(ids):
        assert client.get(path).status_code == 403, path
    before = _counts(app)
    for path, data in _admin_posts(ids, community):
        assert client.post(path, data=data).status_code == 403, path
    assert _counts(app) == before


def test_team_leader_is_not_staff(client, auth, ids, make):
    make.member("maple", "leader", role="team_leader")
    auth.login("leader")
    assert client.get("/c/maple/admin/").status_code == 403


def test_coordinator_gets_403_on_community_admin_pages(client, auth, ids):
    auth.login("maple.coord")
    for path in ("/c/maple/admin/settings", "/c/maple/admin/plugins", "/c/maple/admin/audit"):
        assert client.get(path).status_code == 403, path
    for path in ("/c/maple/admin/", "/c/maple/admin/members", "/c/maple/admin/structure", "/c/maple/admin/teams"):
        assert client.get(path).status_code == 200, path


def test_community_admin_reaches_every_admin_page(client, auth, ids):
    auth.login("maple.admin")
    for path in _admin_get_pages(ids):
        assert client.get(path).status_code == 200, path


def test_district_admin_reaches_every_community(client, auth, ids, make):
    make.district_admin()
    auth.login("district")
    for path in _admin_get_pages(ids):
        assert client.get(path).status_code == 200, path
    assert client.get("/c/oak/admin/members").status_code == 200


def test_residents_see_only_their_own_profile(client, auth, ids, community):
    auth.login("maple.res")
    assert client.get(f"/c/maple/members/{community['resident']}").status_code == 200
    assert client.get(f"/c/maple/members/{community['volunteer']}").status_code == 403
    assert client.get("/c/maple/members/99999").status_code == 403


def test_staff_see_member_profiles_with_phone(client, auth, app, ids, community):
    with app.app_context():
        db.session.get(User, community["volunteer"]).phone = "13812345678"
        db.session.commit()
    auth.login("maple.coord")
    html = client.get(f"/c/maple/members/{community['volunteer']}").get_data(as_text=True)
    assert "13812345678" in html
    assert client.get("/c/maple/members/99999").status_code == 404


# --- Anonymous visitors ----------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, ids, community):
    paths = [*_admin_get_pages(ids), "/c/maple/", "/c/maple/me", "/c/maple/tasks",
             f"/c/maple/members/{community['volunteer']}", "/inbox", "/account", "/district/"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path


def test_anonymous_posts_change_nothing(client, app, ids, community):
    before = _counts(app)
    for path, data in _admin_posts(ids, community):
        response = client.post(path, data=data)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login")
    assert _counts(app) == before


def test_after_login_the_visitor_comes_back(client, ids):
    response = client.get("/c/maple/admin/members?q=x")
    assert response.headers["Location"] == "/login?next=/c/maple/admin/members?q%3Dx"
    response = client.post("/login", data={"username": "maple.coord", "password": TEST_PASSWORD,
                                           "next": "/c/maple/admin/members?q=x"})
    assert response.headers["Location"] == "/c/maple/admin/members?q=x"


# --- Malformed and unknown addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["MAPLE", "-maple", "maple-", "ma--ple", "ma_ple", "枫林", "x" * 41, "a b", "..",
                                  "maple%00", "nowhere"])
def test_malformed_or_unknown_slugs_are_404(client, auth, ids, slug):
    auth.login("maple.admin")
    for path in (f"/c/{slug}/", f"/c/{slug}/admin/", f"/c/{slug}/join", f"/c/{slug}/members/1"):
        assert client.get(path).status_code == 404, path


def test_unknown_slug_is_404_for_anonymous_visitors_too(client, ids):
    assert client.get("/c/nowhere/").status_code == 404
    assert client.get("/c/Bad!/admin/").status_code == 404


@pytest.mark.parametrize("object_id", ["0", "99999", "9223372036854775808", "99999999999999999999999999"])
def test_unknown_or_huge_ids_are_404(client, auth, ids, object_id):
    auth.login("maple.admin")
    for path in (f"/c/maple/admin/members/{object_id}", f"/c/maple/admin/teams/{object_id}",
                 f"/c/maple/members/{object_id}"):
        assert client.get(path).status_code == 404, path
    for path in (f"/c/maple/admin/members/{object_id}/role", f"/c/maple/admin/registrations/{object_id}/approve",
                 f"/inbox/{object_id}/open"):
        assert client.post(path, data={"role": "volunteer"}).status_code == 404, path


@pytest.mark.parametrize("object_id", ["-1", "abc", "1.5"])
def test_non_numeric_ids_are_404(client, auth, ids, object_id):
    auth.login("maple.admin")
    assert client.get(f"/c/maple/admin/members/{object_id}").status_code == 404


def test_home_does_not_send_a_member_to_a_community_remembered_from_before(client, auth, ids):
    with client.session_transaction() as session:
        session["community"] = "maple"
    auth.login("oak.res")
    with client.session_transaction() as session:
        session["community"] = "maple"  # e.g. left over on a shared phone
    response = client.get("/")
    assert response.headers["Location"] == "/c/oak/"
