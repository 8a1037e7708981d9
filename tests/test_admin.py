"""Community administration over HTTP: members, accounts, passwords, roles, households, places, teams, settings,
audit log."""

import pytest
from sqlalchemy import func, select

from timebank.audit.models import AuditEvent
from timebank.communities.models import (
    Building,
    Community,
    Grid,
    Household,
    Membership,
    Stairwell,
    Team,
    TeamMember,
)
from timebank.extensions import db
from timebank.identity.models import User
from timebank.testing import TEST_PASSWORD

ADMIN = "/c/maple/admin"


def _membership_id(app, user_id, slug="maple"):
    with app.app_context():
        return db.session.scalar(select(Membership.id).join(Community)
                                 .where(Membership.user_id == user_id, Community.slug == slug))


def _membership(app, user_id, slug="maple"):
    with app.app_context():
        membership = db.session.scalar(select(Membership).join(Community)
                                       .where(Membership.user_id == user_id, Community.slug == slug))
        db.session.expunge_all()
        return membership


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge_all()
        return user


def _counts(app):
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _audit_actions(app):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _household(app, slug, building="1号楼", room="101", stairwells=1):
    """Create a building (with stairwells) and a household through the services; returns the household id."""
    from timebank.communities import structure
    from timebank.communities.services import community_by_slug

    with app.test_request_context():
        community = community_by_slug(slug)
        admin = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.community_id == community.id, Membership.role.in_(["coordinator", "community_admin"])))
        existing = db.session.scalar(select(Building).where(Building.community_id == community.id,
                                                            Building.name == building))
        building_row = existing or structure.add_building(community, admin, building, stairwells=stairwells)
        return structure.add_household(community, admin, building_row.id, room).id


# --- Member list -----------------------------------------------------------------------------------------------


def test_member_list(client, auth, community):
    auth.login("maple.coord")
    response = client.get(f"{ADMIN}/members")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("李主任", "王芳", "陈志强", "刘洋"):
        assert name in html
    assert "(4)" in html


@pytest.mark.parametrize("query, found, missing", [
    ("陈", ["陈志强"], ["刘洋", "王芳"]),
    ("MAPLE.RES", ["刘洋"], ["陈志强"]),
    ("v00003", ["陈志强"], ["刘洋"]),
    ("nobody", [], ["陈志强", "刘洋"]),
    ("%", [], ["陈志强", "刘洋"]),
    ("_", [], ["陈志强", "刘洋"]),
])
def test_member_search(client, auth, community, query, found, missing):
    auth.login("maple.coord")
    response = client.get(f"{ADMIN}/members", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in found:
        assert name in html
    for name in missing:
        assert name not in html


def test_member_filter_by_role(client, auth, community):
    auth.login("maple.coord")
    html = client.get(f"{ADMIN}/members?role=resident").get_data(as_text=True)
    assert "刘洋" in html and "陈志强" not in html
    assert '<option value="resident" selected>' in html
    html = client.get(f"{ADMIN}/members?role=bogus").get_data(as_text=True)
    assert "刘洋" in html and "陈志强" in html


def test_member_list_leaves_out_pending_members_and_other_communities(client, auth, community, other_community, app):
    app.test_client().post("/c/maple/join", data={"display_name": "张阿姨", "username": "zhang.ayi",
                                                  "password": "good-pass-123", "confirm": "good-pass-123"})
    auth.login("maple.coord")
    html = client.get(f"{ADMIN}/members").get_data(as_text=True)
    assert "张阿姨" not in html and "吴敏" not in html


def test_member_list_paging(client, auth, community, make):
    for number in range(31):
        make.member("maple", f"extra{number:02d}", role="resident", display_name=f"甲{number:02d}")
    auth.login("maple.coord")
    auth.use_language("en")
    first = client.get(f"{ADMIN}/members").get_data(as_text=True)
    assert "(35)" in first
    assert "Page 1 of 2" in first
    assert first.count('class="list-link"') == 30
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(f"{ADMIN}/members?page=2").get_data(as_text=True)
    assert second.count('class="list-link"') == 5
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    # Paging keeps the filter.
    filtered = client.get(f"{ADMIN}/members?role=resident&q=%E7%94%B2").get_data(as_text=True)
    assert "(31)" in filtered
    assert "q=%E7%94%B2" in filtered and "role=resident" in filtered


@pytest.mark.parametrize("page", ["0", "-3", "abc", "999999", "1e9", "99999999999999999999999"])
def test_member_list_odd_pages_do_not_fail(client, auth, community, page):
    auth.login("maple.coord")
    response = client.get(f"{ADMIN}/members?page={page}")
    assert response.status_code == 200


def test_long_search_is_cut(client, auth, community):
    auth.login("maple.coord")
    assert client.get(f"{ADMIN}/members", query_string={"q": "x" * 5000}).status_code == 200


# --- Accounts created by staff ---------------------------------------------------------------------------------


def test_create_account_without_own_login_for_an_elder(client, auth, community, app):
    household_id = _household(app, "maple")
    auth.login("maple.coord")
    assert client.get(f"{ADMIN}/members/new").status_code == 200
    response = client.post(f"{ADMIN}/members/new", data={
        "display_name": "赵大爷", "username": "zhao.daye", "phone": "", "role": "resident",
        "household_id": str(household_id)})
    assert response.status_code == 302
    user = _user(app, "zhao.daye")
    assert user.password_hash is None and not user.can_log_in
    assert user.created_by_id == community["coordinator"]
    membership = _membership(app, user.id)
    assert response.headers["Location"] == f"{ADMIN}/members/{membership.id}"
    assert membership.status == "active" and membership.role == "resident"
    assert membership.household_id == household_id
    assert membership.volunteer_number is None
    assert "membership.created" in _audit_actions(app)
    # Nobody can log in as the elder.
    other = app.test_client()
    assert other.post("/login", data={"username": "zhao.daye", "password": ""}).status_code == 200
    assert other.get("/account").status_code == 302


def test_create_account_with_own_login(client, auth, community, app):
    auth.login("maple.coord")
    response = client.post(f"{ADMIN}/members/new", data={
        "display_name": "孙阿姨", "username": "sun.ayi", "role": "volunteer", "own_login": "y",
        "password": "sun-ayi-2026", "household_id": "0"})
    assert response.status_code == 302
    user = _user(app, "sun.ayi")
    membership = _membership(app, user.id)
    assert membership.role == "volunteer" and membership.volunteer_number == "V00004"
    assert app.test_client().post("/login", data={"username": "sun.ayi", "password": "sun-ayi-2026"}
                                  ).status_code == 302


@pytest.mark.parametrize("data, field", [
    ({"own_login": "y", "password": ""}, "password"),
    ({"own_login": "y", "password": "weak"}, "password"),
    ({"username": "maple.vol"}, "username"),
    ({"username": "no spaces"}, "username"),
    ({"display_name": ""}, "display_name"),
    ({"phone": "abc"}, "phone"),
    ({"role": "coordinator"}, "role"),
    ({"role": "community_admin"}, "role"),
    ({"role": "emperor"}, "role"),
    ({"household_id": "abc"}, "household_id"),
])
def test_create_account_bad_input(client, auth, community, app, data, field):
    auth.login("maple.coord")
    before = _counts(app)
    form = {"display_name": "赵大爷", "username": "zhao.daye", "role": "resident", "household_id": "0", **data}
    response = client.post(f"{ADMIN}/members/new", data=form)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _counts(app) == before


def test_create_account_household_of_another_community_is_refused(client, auth, community, other_community, app):
    oak_household = _household(app, "oak")
    auth.login("maple.coord")
    before = _counts(app)
    response = client.post(f"{ADMIN}/members/new", data={
        "display_name": "赵大爷", "username": "zhao.daye", "role": "resident", "household_id": str(oak_household)})
    assert response.status_code == 200
    assert 'id="household_id-error"' in response.get_data(as_text=True)
    assert _counts(app) == before


def test_community_admin_may_create_a_coordinator(client, auth, community, app):
    auth.login("maple.admin")
    response = client.post(f"{ADMIN}/members/new", data={
        "display_name": "新协调员", "username": "new.coord", "role": "coordinator", "own_login": "y",
        "password": "coord-pass-1", "household_id": "0"})
    assert response.status_code == 302
    assert _membership(app, _user(app, "new.coord").id).role == "coordinator"


# --- Passwords set by staff ------------------------------------------------------------------------------------


def test_coordinator_sets_a_residents_password(app, client, auth, community):
    resident = app.test_client()
    resident.post("/login", data={"username": "maple.res", "password": TEST_PASSWORD})
    auth.login("maple.coord")
    membership_id = _membership_id(app, community["resident"])
    response = client.post(f"{ADMIN}/members/{membership_id}/password", data={"password": "fresh-pass-77"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{ADMIN}/members/{membership_id}"
    user = _user(app, "maple.res")
    assert user.session_version == 2
    assert "auth.password_set" in _audit_actions(app)
    assert resident.get("/account").status_code == 302  # logged out everywhere
    assert app.test_client().post("/login", data={"username": "maple.res", "password": "fresh-pass-77"}
                                  ).status_code == 302


def test_coordinator_gives_an_elder_a_login(client, auth, community, make, app):
    elder_id = make.member("maple", "zhao.daye", role="resident", password=None)
    auth.login("maple.coord")
    client.post(f"{ADMIN}/members/{_membership_id(app, elder_id)}/password", data={"password": "zhao-2026-ok"})
    assert _user(app, "zhao.daye").can_log_in


@pytest.mark.parametrize("password", ["short1", "onlyletters", "", "maple.res123"])
def test_weak_password_set_by_staff_is_refused(client, auth, community, app, password):
    auth.login("maple.coord")
    auth.use_language("en")
    membership_id = _membership_id(app, community["resident"])
    before = _user(app, "maple.res")
    response = client.post(f"{ADMIN}/members/{membership_id}/password", data={"password": password},
                           follow_redirects=True)
    assert response.status_code == 200
    assert 'class="notice notice-error"' in response.get_data(as_text=True)
    after = _user(app, "maple.res")
    assert after.password_hash == before.password_hash and after.session_version == 1


@pytest.mark.parametrize("target", ["coordinator", "admin"])
def test_coordinator_cannot_reset_staff_passwords(client, auth, community, make, app, target):
    auth.login("maple.coord")
    other_coordinator = make.member("maple", "coord2", role="coordinator")
    user_id = other_coordinator if target == "coordinator" else community["admin"]
    before = _counts(app)
    response = client.post(f"{ADMIN}/members/{_membership_id(app, user_id)}/password",
                           data={"password": "taken-over-1"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, user_id).session_version == 1
    assert _counts(app) == before


def test_community_admin_resets_a_coordinators_password(client, auth, community, app):
    auth.login("maple.admin")
    client.post(f"{ADMIN}/members/{_membership_id(app, community['coordinator'])}/password",
                data={"password": "coord-new-1"})
    assert _user(app, "maple.coord").session_version == 2


def test_nobody_resets_their_own_password_from_the_member_page(client, auth, community, app):
    auth.login("maple.admin")
    response = client.post(f"{ADMIN}/members/{_membership_id(app, community['admin'])}/password",
                           data={"password": "self-reset-1"})
    assert response.status_code == 403
    assert _user(app, "maple.admin").session_version == 1


# --- Roles -----------------------------------------------------------------------------------------------------


def test_member_page(client, auth, community, app):
    auth.login("maple.coord")
    membership_id = _membership_id(app, community["volunteer"])
    response = client.get(f"{ADMIN}/members/{membership_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "陈志强" in html and "V00003" in html
    assert f'action="{ADMIN}/members/{membership_id}/role"' in html
    assert 'value="coordinator"' not in html  # not offered to a coordinator


def test_coordinator_changes_a_role(client, auth, community, app):
    auth.login("maple.coord")
    membership_id = _membership_id(app, community["resident"])
    response = client.post(f"{ADMIN}/members/{membership_id}/role", data={"role": "volunteer"})
    assert response.status_code == 302
    membership = _membership(app, community["resident"])
    assert membership.role == "volunteer" and membership.volunteer_number == "V00004"
    assert "membership.role_changed" in _audit_actions(app)
    # Back to resident: the number stays (it is the person's record in this community).
    client.post(f"{ADMIN}/members/{membership_id}/role", data={"role": "resident"})
    membership = _membership(app, community["resident"])
    assert membership.role == "resident" and membership.volunteer_number == "V00004"


@pytest.mark.parametrize("role", ["coordinator", "community_admin", "superuser", ""])
def test_coordinator_cannot_grant_staff_roles(client, auth, community, app, role):
    auth.login("maple.coord")
    before = _counts(app)
    response = client.post(f"{ADMIN}/members/{_membership_id(app, community['volunteer'])}/role",
                           data={"role": role})
    assert response.status_code == 302
    assert _membership(app, community["volunteer"]).role == "volunteer"
    assert _counts(app) == before


def test_coordinator_cannot_demote_staff(client, auth, community, app):
    auth.login("maple.coord")
    response = client.post(f"{ADMIN}/members/{_membership_id(app, community['admin'])}/role",
                           data={"role": "resident"})
    assert response.status_code == 403
    assert _membership(app, community["admin"]).role == "community_admin"


def test_community_admin_names_a_coordinator(client, auth, community, app):
    auth.login("maple.admin")
    client.post(f"{ADMIN}/members/{_membership_id(app, community['volunteer'])}/role", data={"role": "coordinator"})
    assert _membership(app, community["volunteer"]).role == "coordinator"


def test_new_role_takes_effect_at_once(app, client, auth, community):
    volunteer = app.test_client()
    volunteer.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD})
    assert volunteer.get(f"{ADMIN}/").status_code == 403
    auth.login("maple.admin")
    client.post(f"{ADMIN}/members/{_membership_id(app, community['volunteer'])}/role", data={"role": "coordinator"})
    assert volunteer.get(f"{ADMIN}/").status_code == 200


# --- Households ------------------------------------------------------------------------------------------------


def test_household_assignment(client, auth, community, app):
    household_id = _household(app, "maple")
    auth.login("maple.coord")
    membership_id = _membership_id(app, community["resident"])
    response = client.post(f"{ADMIN}/members/{membership_id}/household", data={"household_id": str(household_id)})
    assert response.status_code == 302
    assert _membership(app, community["resident"]).household_id == household_id
    assert "1号楼" in client.get(f"/c/maple/members/{community['resident']}").get_data(as_text=True)
    client.post(f"{ADMIN}/members/{membership_id}/household", data={"household_id": "0"})
    assert _membership(app, community["resident"]).household_id is None


@pytest.mark.parametrize("value", ["oak", "99999", "abc", "-1"])
def test_household_assignment_is_scoped_to_the_community(client, auth, community, other_community, app, value):
    oak_household = _household(app, "oak")
    auth.login("maple.coord")
    before = _counts(app)
    household = str(oak_household) if value == "oak" else value
    response = client.post(f"{ADMIN}/members/{_membership_id(app, community['resident'])}/household",
                           data={"household_id": household})
    assert response.status_code == 302
    assert _membership(app, community["resident"]).household_id is None
    assert _counts(app) == before
    assert 'class="notice notice-error"' in client.get(response.headers["Location"]).get_data(as_text=True)


# --- Places ----------------------------------------------------------------------------------------------------


def test_structure_page_adds_grids_buildings_and_households(client, auth, community, app):
    auth.login("maple.coord")
    assert client.get(f"{ADMIN}/structure").status_code == 200
    response = client.post(f"{ADMIN}/structure", data={"which": "grid", "grid-name": "第一网格",
                                                        "grid-level": "small", "grid-parent_id": "0"})
    assert response.status_code == 302
    with app.app_context():
        grid = db.session.scalar(select(Grid).where(Grid.name == "第一网格"))
        grid_id = grid.id
        assert grid.level == "small"
    response = client.post(f"{ADMIN}/structure", data={"which": "building", "building-name": "3号楼",
                                                        "building-grid_id": str(grid_id), "building-stairwells": "3"})
    assert response.status_code == 302
    with app.app_context():
        building = db.session.scalar(select(Building).where(Building.name == "3号楼"))
        building_id = building.id
        assert building.grid_id == grid_id
        stairwells = db.session.scalars(select(Stairwell).where(Stairwell.building_id == building_id)
                                        .order_by(Stairwell.id)).all()
        assert len(stairwells) == 3
        stairwell_id = stairwells[1].id
    response = client.post(f"{ADMIN}/structure", data={
        "which": "household", "household-building_id": str(building_id),
        "household-stairwell_id": str(stairwell_id), "household-room": "402"})
    assert response.status_code == 302
    with app.app_context():
        household = db.session.scalar(select(Household).where(Household.room == "402"))
        assert household.building_id == building_id and household.stairwell_id == stairwell_id
    html = client.get(f"{ADMIN}/structure").get_data(as_text=True)
    assert "第一网格" in html and "3号楼" in html and "402" in html
    actions = _audit_actions(app)
    for action in ("structure.grid_added", "structure.building_added", "structure.household_added"):
        assert action in actions


def test_structure_page_reads_the_stairwells_of_all_buildings_at_once(client, auth, community, app):
    from timebank.testing import page_statements

    auth.login("maple.coord")
    _household(app, "maple", building="1号楼", stairwells=2)
    few = page_statements(app, client, f"{ADMIN}/structure")
    for number in range(2, 7):
        _household(app, "maple", building=f"{number}号楼", stairwells=3)
    assert page_statements(app, client, f"{ADMIN}/structure") == few
    html = client.get(f"{ADMIN}/structure").get_data(as_text=True)
    assert "6号楼" in html and html.count("3个单元") == 5 and "2个单元" in html


@pytest.mark.parametrize("which, data", [
    ("grid", {"grid-name": "第一网格", "grid-level": "small", "grid-parent_id": "0"}),
    ("building", {"building-name": "1号楼", "building-grid_id": "0", "building-stairwells": "0"}),
    ("household", {"household-building_id": "BUILDING", "household-stairwell_id": "0", "household-room": "101"}),
])
def test_structure_duplicates_are_rejected(client, auth, community, app, which, data):
    household_id = _household(app, "maple", "1号楼", "101", stairwells=0)
    with app.app_context():
        building_id = db.session.get(Household, household_id).building_id
    auth.login("maple.coord")
    auth.use_language("en")
    client.post(f"{ADMIN}/structure", data={"which": "grid", "grid-name": "第一网格", "grid-level": "small"})
    before = _counts(app)
    data = {key: str(building_id) if value == "BUILDING" else value for key, value in data.items()}
    response = client.post(f"{ADMIN}/structure", data={"which": which, **data})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "already" in html
    assert 'role="alert"' in html
    assert _counts(app) == before


@pytest.mark.parametrize("data", [
    {"which": "grid", "grid-name": "", "grid-level": "small"},
    {"which": "grid", "grid-name": "网格", "grid-level": "huge"},
    {"which": "grid", "grid-name": "网格", "grid-level": "small", "grid-parent_id": "99999"},
    {"which": "grid", "grid-name": "网格", "grid-level": "small", "grid-parent_id": "abc"},
    {"which": "building", "building-name": "", "building-stairwells": "1"},
    {"which": "building", "building-name": "9号楼", "building-stairwells": "31"},
    {"which": "building", "building-name": "9号楼", "building-stairwells": "-1"},
    {"which": "building", "building-name": "9号楼", "building-stairwells": "many"},
    {"which": "building", "building-name": "9号楼", "building-grid_id": "99999"},
    {"which": "building", "building-name": "楼" * 41},
    {"which": "household", "household-building_id": "99999", "household-room": "101"},
    {"which": "household", "household-building_id": "abc", "household-room": "101"},
    {"which": "household", "household-building_id": "0", "household-room": "101"},
    {"which": "household", "household-building_id": "BUILDING", "household-room": ""},
    {"which": "household", "household-building_id": "BUILDING", "household-room": "1" * 21},
    {"which": "household", "household-building_id": "BUILDING", "household-stairwell_id": "OTHER",
     "household-room": "101"},
    {"which": "something"},
    {},
])
def test_structure_bad_input_writes_nothing(client, auth, community, app, data):
    from timebank.communities import structure
    from timebank.communities.services import community_by_slug

    with app.test_request_context():
        community_row = community_by_slug("maple")
        coordinator = db.session.get(User, community["coordinator"])
        building = structure.add_building(community_row, coordinator, "1号楼", stairwells=1)
        other = structure.add_building(community_row, coordinator, "2号楼", stairwells=1)
        building_id, other_stairwell = building.id, other.stairwells[0].id
    auth.login("maple.coord")
    before = _counts(app)
    replace = {"BUILDING": str(building_id), "OTHER": str(other_stairwell)}
    response = client.post(f"{ADMIN}/structure", data={key: replace.get(value, value) for key, value in data.items()})
    assert response.status_code == 200
    assert 'role="alert"' in response.get_data(as_text=True)
    assert _counts(app) == before


def test_structure_ids_of_another_community_are_refused(client, auth, community, other_community, app):
    oak_household = _household(app, "oak")
    with app.app_context():
        oak_building = db.session.get(Household, oak_household).building_id
    auth.login("maple.coord")
    before = _counts(app)
    response = client.post(f"{ADMIN}/structure", data={"which": "household", "household-building_id": str(oak_building),
                                                        "household-room": "999"})
    assert response.status_code == 200
    assert _counts(app) == before


# --- Teams -----------------------------------------------------------------------------------------------------


def _team_id(app, name):
    with app.app_context():
        return db.session.scalar(select(Team.id).where(Team.name == name))


def test_create_team_and_add_members(client, auth, community, app):
    auth.login("maple.coord")
    assert client.get(f"{ADMIN}/teams").status_code == 200
    response = client.post(f"{ADMIN}/teams", data={"name": "平安巡逻队", "kind": "patrol", "description": "每晚巡逻"})
    team_id = _team_id(app, "平安巡逻队")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{ADMIN}/teams/{team_id}"
    response = client.post(f"{ADMIN}/teams/{team_id}", data={"member": "V00003"})
    assert response.status_code == 302
    response = client.post(f"{ADMIN}/teams/{team_id}", data={"member": "Maple.Res"})
    assert response.status_code == 302
    with app.app_context():
        members = {tm.user_id: tm.is_leader for tm in db.session.scalars(select(TeamMember))}
    assert members == {community["volunteer"]: False, community["resident"]: False}
    html = client.get(f"{ADMIN}/teams/{team_id}").get_data(as_text=True)
    assert "陈志强" in html and "刘洋" in html
    assert "平安巡逻队" in client.get(f"/c/maple/members/{community['volunteer']}").get_data(as_text=True)


def test_adding_a_leader_raises_the_role(client, auth, community, app):
    auth.login("maple.coord")
    client.post(f"{ADMIN}/teams", data={"name": "便民维修队", "kind": "repair"})
    team_id = _team_id(app, "便民维修队")
    client.post(f"{ADMIN}/teams/{team_id}", data={"member": "maple.res", "is_leader": "y"})
    membership = _membership(app, community["resident"])
    assert membership.role == "team_leader"
    assert membership.volunteer_number == "V00004"
    # A coordinator who leads a team keeps the higher role.
    client.post(f"{ADMIN}/teams/{team_id}", data={"member": "maple.coord", "is_leader": "y"})
    assert _membership(app, community["coordinator"]).role == "coordinator"
    with app.app_context():
        assert db.session.scalar(select(func.count(TeamMember.id)).where(TeamMember.is_leader)) == 2


def test_removing_a_team_member(client, auth, community, app):
    auth.login("maple.coord")
    client.post(f"{ADMIN}/teams", data={"name": "助餐队", "kind": "meals"})
    team_id = _team_id(app, "助餐队")
    client.post(f"{ADMIN}/teams/{team_id}", data={"member": "maple.vol"})
    response = client.post(f"{ADMIN}/teams/{team_id}/remove/{community['volunteer']}")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(TeamMember.id))) == 0
    assert client.post(f"{ADMIN}/teams/{team_id}/remove/{community['volunteer']}").status_code == 404


@pytest.mark.parametrize("data, field", [
    ({"name": "", "kind": "patrol"}, "name"),
    ({"name": "队" * 61, "kind": "patrol"}, "name"),
    ({"name": "新队", "kind": "army"}, "kind"),
    ({"name": "平安巡逻队", "kind": "patrol"}, "name"),
])
def test_team_bad_input(client, auth, community, app, data, field):
    auth.login("maple.coord")
    client.post(f"{ADMIN}/teams", data={"name": "平安巡逻队", "kind": "patrol"})
    before = _counts(app)
    response = client.post(f"{ADMIN}/teams", data=data)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _counts(app) == before


@pytest.mark.parametrize("member", ["oak.res", "nobody", "V99999", "", "zhang.ayi"])
def test_only_active_members_of_the_community_join_teams(client, auth, community, other_community, app, member):
    app.test_client().post("/c/maple/join", data={"display_name": "张阿姨", "username": "zhang.ayi",
                                                  "password": "good-pass-123", "confirm": "good-pass-123"})
    auth.login("maple.coord")
    client.post(f"{ADMIN}/teams", data={"name": "平安巡逻队", "kind": "patrol"})
    team_id = _team_id(app, "平安巡逻队")
    before = _counts(app)
    response = client.post(f"{ADMIN}/teams/{team_id}", data={"member": member, "is_leader": "y"})
    assert response.status_code == 200
    assert 'id="member-error"' in response.get_data(as_text=True)
    assert _counts(app) == before


# --- Community settings and audit log --------------------------------------------------------------------------


def test_community_settings_only_for_community_admins(client, auth, community, app):
    auth.login("maple.coord")
    assert client.get(f"{ADMIN}/settings").status_code == 403
    assert client.post(f"{ADMIN}/settings", data={"name": "改名", "timezone": "Asia/Shanghai"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Community.name).where(Community.slug == "maple")) == "枫林社区"
    assert f'href="{ADMIN}/settings"' not in client.get(f"{ADMIN}/").get_data(as_text=True)


def test_community_admin_edits_the_settings(client, auth, community, app):
    auth.login("maple.admin")
    assert client.get(f"{ADMIN}/settings").status_code == 200
    response = client.post(f"{ADMIN}/settings", data={
        "name": "枫林社区居委会", "organising_unit": "枫林社区居民委员会", "contact_phone": "010-12345678",
        "address": "枫林路1号", "timezone": "Asia/Urumqi"})  # self_registration unticked
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(Community).where(Community.slug == "maple"))
        assert (row.name, row.organising_unit, row.contact_phone, row.address, row.timezone, row.self_registration) \
            == ("枫林社区居委会", "枫林社区居民委员会", "010-12345678", "枫林路1号", "Asia/Urumqi", False)
    assert "community.updated" in _audit_actions(app)


@pytest.mark.parametrize("data, field", [
    ({"name": "", "timezone": "Asia/Shanghai"}, "name"),
    ({"name": "枫林", "timezone": "Mars/Olympus"}, "timezone"),
    ({"name": "枫林", "timezone": "../../etc/passwd"}, "timezone"),
    ({"name": "枫林", "timezone": ""}, "timezone"),
    ({"name": "枫" * 81, "timezone": "Asia/Shanghai"}, "name"),
])
def test_community_settings_bad_input(client, auth, community, app, data, field):
    auth.login("maple.admin")
    before = _counts(app)
    response = client.post(f"{ADMIN}/settings", data=data)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(Community.timezone).where(Community.slug == "maple")) == "Asia/Shanghai"


def _settings_with_phone(phone):
    return {"name": "枫林社区", "organising_unit": "枫林社区", "contact_phone": phone, "timezone": "Asia/Shanghai"}


@pytest.mark.parametrize("typed, stored", [
    ("021-12345678", "021-12345678"),
    ("010 1234 5678", "01012345678"),
    ("13812345678", "13812345678"),
    ("(0755) 8888 6666", "075588886666"),
    ("021-12345678-801", "021-12345678-801"),  # an extension
    ("+86 138 1234 5678", "+8613812345678"),
    ("０２１－１２３４５６７８", "021-12345678"),  # typed with a Chinese input method
    ("  ", ""),  # no phone
])
def test_the_community_phone_takes_an_office_line_or_a_mobile(client, auth, community, app, typed, stored):
    auth.login("maple.admin")
    assert client.post(f"{ADMIN}/settings", data=_settings_with_phone(typed)).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Community.contact_phone).where(Community.slug == "maple")) == stored


@pytest.mark.parametrize("typed", ["xxxxxxxxxxxxxxxxxxxx", "021-1234abcd", "电话021-12345678", "12", "1" * 30,
                                   "javascript:alert(1)"])
def test_the_community_phone_refuses_what_is_not_a_number(client, auth, community, app, typed):
    """It becomes a tel: link on every member's home page and the contact on certificates."""
    from flask_babel import force_locale, gettext
    from markupsafe import escape

    auth.login("maple.admin")
    before = _counts(app)
    response = client.post(f"{ADMIN}/settings", data=_settings_with_phone(typed))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="contact_phone-error"' in html
    with app.test_request_context(), force_locale("zh_CN"):
        message = gettext("Enter a phone number, e.g. 021-12345678 (an extension after a dash: 021-12345678-801) "
                          "or 13800138000.")
    assert message.startswith("请输入电话号码") and str(escape(message)) in html
    assert f'value="{escape(typed)}"' in html  # what was typed stays in the field, to be corrected
    assert "已保存" not in html
    assert _counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(Community.contact_phone).where(Community.slug == "maple")) == ""


def test_audit_log_only_for_community_admins(client, auth, community, other_community, app):
    auth.login("maple.coord")
    client.post(f"{ADMIN}/teams", data={"name": "平安巡逻队", "kind": "patrol"})
    assert client.get(f"{ADMIN}/audit").status_code == 403
    auth.logout()
    auth.login("maple.admin")
    response = client.get(f"{ADMIN}/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-action="team.created"' in html and "创建了队伍" in html and "平安巡逻队" in html and "王芳" in html
    assert f'href="{ADMIN}/audit"' in client.get(f"{ADMIN}/").get_data(as_text=True)


def test_audit_log_shows_only_this_community(client, auth, community, other_community, app):
    oak = app.test_client()
    oak.post("/login", data={"username": "oak.coord", "password": TEST_PASSWORD})
    oak.post("/c/oak/admin/teams", data={"name": "橡树巡逻队", "kind": "patrol"})
    auth.login("maple.admin")
    html = client.get(f"{ADMIN}/audit").get_data(as_text=True)
    assert "team.created" not in html and "周强" not in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "500"])
def test_audit_log_odd_pages(client, auth, community, page):
    auth.login("maple.admin")
    assert client.get(f"{ADMIN}/audit?page={page}").status_code == 200


def test_overview(client, auth, community):
    auth.login("maple.coord")
    response = client.get(f"{ADMIN}/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="{ADMIN}/members/new"' in html
    assert '<p class="stat">4</p>' in html


def test_the_last_community_admin_cannot_step_down(app, client, auth, community):
    from sqlalchemy import select

    from timebank.communities.models import Membership
    from timebank.extensions import db

    auth.login("maple.admin")
    with app.app_context():
        own = db.session.scalar(select(Membership).where(Membership.user_id == community["admin"]))
        own_id = own.id
    client.post(f"/c/maple/admin/members/{own_id}/role", data={"role": "coordinator"})
    with app.app_context():
        assert db.session.get(Membership, own_id).role == "community_admin"


def test_a_large_team_is_paged_leaders_first_and_searchable(client, auth, community, app, make):
    from timebank.testing import page_statements

    team_id = make.team_volunteers("平安巡逻队", 53, display_name="张队员", number="V1", leaders=1)
    auth.login("maple.coord")
    first = client.get(f"{ADMIN}/teams/{team_id}").get_data(as_text=True)
    assert "(53)" in first and first.count("张队员") == 50 + 50  # name and "remove <name>" on each row
    assert first.index("张队员01") < first.index("张队员02") and "张队员51" not in first
    assert f'href="{ADMIN}/teams/{team_id}?page=2' in first
    second = client.get(f"{ADMIN}/teams/{team_id}?page=2").get_data(as_text=True)
    assert all(f"张队员{index}" in second for index in (51, 52, 53)) and "张队员50" not in second
    beyond = client.get(f"{ADMIN}/teams/{team_id}?page=999").get_data(as_text=True)
    assert "张队员53" in beyond  # a page beyond the last shows the last
    found = client.get(f"{ADMIN}/teams/{team_id}?q=队员07").get_data(as_text=True)
    assert "(1)" in found and "张队员07" in found and "张队员08" not in found
    assert "张队员12" in client.get(f"{ADMIN}/teams/{team_id}?q=V10012").get_data(as_text=True)
    nothing = client.get(f"{ADMIN}/teams/{team_id}?q=%25").get_data(as_text=True)  # "%" is no wildcard
    assert "张队员" not in nothing and "(0)" in nothing
    small = page_statements(app, client, f"{ADMIN}/teams/{team_id}?q=队员0")
    assert page_statements(app, client, f"{ADMIN}/teams/{team_id}") == small  # whatever the size of the page
    listing = client.get(f"{ADMIN}/teams").get_data(as_text=True)
    assert "53" in listing and "平安巡逻队" in listing


def test_household_choices_name_every_household_of_the_community_in_order(community, other_community, app):
    """The forms' household lists, read as plain columns, say what each household's ``label`` says, in the order of
    ``households_in``: with and without a stairwell, several buildings, not another community's."""
    from timebank.communities import structure
    from timebank.communities.models import Stairwell
    from timebank.communities.services import community_by_slug

    for building, room in (("2号楼", "301"), ("1号楼", "102"), ("1号楼", "101"), ("10号楼", "1")):
        _household(app, "maple", building=building, room=room, stairwells=0)
    _household(app, "oak", building="9号楼", room="909")
    with app.test_request_context():
        community = community_by_slug("maple")
        admin = db.session.scalar(select(User).where(User.username == "maple.admin"))
        building = structure.add_building(community, admin, "3号楼", stairwells=2)
        second = db.session.scalar(select(Stairwell).where(Stairwell.building_id == building.id,
                                                           Stairwell.name == "2单元"))
        structure.add_household(community, admin, building.id, "502", stairwell_id=second.id)
        structure.add_household(community, admin, building.id, "101")
        households = structure.households_in(community)
        assert structure.household_choices(community) == [(household.id, household.label) for household in households]
        assert [building for _id, building, _label in structure.household_lines(community)] == [
            household.building.name for household in households]
        labels = [label for _id, label in structure.household_choices(community)]
        assert len(labels) == 6 and "3号楼 2单元 502" in labels and "3号楼 101" in labels and "9号楼 909" not in labels
