"""Self-registration in a community and the coordinator's decision, over HTTP."""

import pytest
from sqlalchemy import func, select

from timebank.audit.models import AuditEvent
from timebank.communities.models import Community, Membership
from timebank.extensions import db
from timebank.identity.models import User
from timebank.notifications.models import Notification

NEW_PASSWORD = "good-pass-123"


def _registration(**overrides):
    data = {"display_name": "张阿姨", "username": "zhang.ayi", "phone": "13800000009", "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD, "address_note": "3号楼2单元402", "wants_to_volunteer": "y",
            "application_note": "退休教师"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _membership(app, username, slug="maple"):
    with app.app_context():
        membership = db.session.scalar(
            select(Membership).join(User, Membership.user_id == User.id).join(Community)
            .where(User.username == username, Community.slug == slug))
        db.session.expunge_all()
        return membership


def _counts(app):
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _notifications(app, username, kind=None):
    with app.app_context():
        query = select(Notification).join(User, Notification.recipient_id == User.id).where(User.username == username)
        if kind:
            query = query.where(Notification.kind == kind)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def _audit(app, action):
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        db.session.expunge_all()
        return rows


def _register(app, **overrides):
    """A fresh browser registers in maple; returns (client, membership)."""
    browser = app.test_client()
    response = browser.post("/c/maple/join", data=_registration(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser, _membership(app, overrides.get("username", "zhang.ayi"))


# --- The applicant ---------------------------------------------------------------------------------------------


def test_join_page_has_the_registration_form(client, community):
    response = client.get("/c/maple/join")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("display_name", "username", "phone", "password", "confirm", "address_note", "wants_to_volunteer"):
        assert f'name="{name}"' in html
    assert 'autocomplete="new-password"' in html and 'inputmode="tel"' in html


def test_registration_creates_a_pending_membership_and_logs_in(client, community, app):
    response = client.post("/c/maple/join", data=_registration())
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/maple/"
    membership = _membership(app, "zhang.ayi")
    assert membership.status == "pending"
    assert membership.role == "resident"
    assert membership.volunteer_number is None
    assert membership.wants_to_volunteer is True
    assert membership.address_note == "3号楼2单元402"
    assert membership.application_note == "退休教师"
    with app.app_context():
        user = db.session.get(User, membership.user_id)
        assert user.display_name == "张阿姨" and user.phone == "13800000009"
        assert user.check_password(NEW_PASSWORD)
        assert user.locale == "zh_CN"
    # Logged in as the new account.
    assert client.get("/account").status_code == 200
    assert [event.actor_id for event in _audit(app, "membership.applied")] == [membership.user_id]


def test_coordinators_are_told_about_a_registration(client, community, app):
    client.post("/c/maple/join", data=_registration())
    for staff in ("maple.coord", "maple.admin"):
        [notification] = _notifications(app, staff, "membership.applied")
        assert notification.link == "/c/maple/admin/registrations"
    assert _notifications(app, "maple.vol") == []


def test_registration_keeps_the_language_and_elder_mode_chosen_before(client, community, app):
    client.post("/account/language", data={"locale": "en"})
    client.post("/account/elder-mode", data={"enabled": "1"})
    client.post("/c/maple/join", data=_registration())
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "zhang.ayi"))
        assert user.locale == "en"
        assert user.elder_mode is True
    html = client.get("/account").get_data(as_text=True)
    assert '<html lang="en">' in html and '<body class="elder' in html


def test_pending_member_sees_the_waiting_page_not_the_community(community, app):
    browser, _membership_row = _register(app)
    browser.post("/account/language", data={"locale": "en"})
    for path in ("/c/maple/", "/c/maple/me", "/c/maple/tasks", "/c/maple/admin/", f"/c/maple/members/{community['volunteer']}"):
        response = browser.get(path)
        assert response.status_code == 403, path
        html = response.get_data(as_text=True)
        assert "Your registration is waiting for approval" in html
        assert "陈志强" not in html  # nothing of the community leaks
    # Coming back to the join page does not make a second application.
    response = browser.get("/c/maple/join")
    assert response.status_code == 302
    browser.post("/c/maple/join", data={"application_note": "again"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Membership.id)).join(User, Membership.user_id == User.id)
                                 .where(User.username == "zhang.ayi")) == 1


def test_pending_applicant_logging_in_again_lands_on_the_waiting_page(community, app):
    browser, _membership_row = _register(app)
    browser.post("/logout")
    browser.post("/login", data={"username": "zhang.ayi", "password": NEW_PASSWORD})
    response = browser.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/maple/"
    assert browser.get("/c/maple/").status_code == 403


def test_account_without_any_community_sees_where_to_join(app, auth, client, community):
    from timebank.identity.services import new_user

    with app.test_request_context():
        new_user("lonely", "孤独的人", password="quiet-pass-1")
        db.session.commit()
    auth.login("lonely", "quiet-pass-1")
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/c/maple/join"' in response.get_data(as_text=True)


def test_pending_member_of_one_community_gets_404_in_another(community, other_community, app):
    browser, _ = _register(app)
    assert browser.get("/c/oak/").status_code == 404


# --- Bad input -------------------------------------------------------------------------------------------------


def test_duplicate_username_is_refused(client, community, app):
    auth_before = _counts(app)
    client.post("/account/language", data={"locale": "en"})
    response = client.post("/c/maple/join", data=_registration(username="Maple.Vol"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This username is already taken. Choose another one." in html
    assert 'id="username-error"' in html
    assert _counts(app) == auth_before
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("overrides, field, message", [
    ({"username": "ab"}, "username", "Use 3–40 characters"),
    ({"username": "张三"}, "username", "Use 3–40 characters"),
    ({"username": "-dash-first"}, "username", "Use 3–40 characters"),
    ({"username": "a" * 41}, "username", ""),
    ({"username": ""}, "username", "Choose a username."),
    ({"display_name": ""}, "display_name", "Enter your name."),
    ({"display_name": "   "}, "display_name", "Enter your name."),
    ({"display_name": "名" * 61}, "display_name", ""),
    ({"phone": "not a phone"}, "phone", "Enter a phone number with digits only"),
    ({"phone": "1" * 21}, "phone", ""),
    ({"password": "short1", "confirm": "short1"}, "password", "Use at least 8 characters."),
    ({"password": "lettersonly", "confirm": "lettersonly"}, "password", "Use both letters and digits."),
    ({"password": "zhang.ayi-99", "confirm": "zhang.ayi-99"}, "password", "must not contain the username"),
    ({"confirm": "other-pass-123"}, "confirm", "The two passwords are different."),
    ({"password": "", "confirm": ""}, "password", "Choose a password."),
    ({"address_note": "x" * 121}, "address_note", ""),
    ({"application_note": "x" * 1001}, "application_note", ""),
])
def test_malformed_registration_shows_a_field_error_and_writes_nothing(client, community, app, overrides, field,
                                                                        message):
    client.post("/account/language", data={"locale": "en"})
    before = _counts(app)
    response = client.post("/c/maple/join", data=_registration(**overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert _counts(app) == before
    assert client.get("/account").status_code == 302


def test_empty_registration_post_does_not_fail(client, community, app):
    before = _counts(app)
    response = client.post("/c/maple/join", data={})
    assert response.status_code == 200
    assert _counts(app) == before


def test_registration_in_an_unknown_community_is_404(client, community):
    assert client.get("/c/nowhere/join").status_code == 404
    assert client.post("/c/nowhere/join", data=_registration()).status_code == 404
    assert client.get("/c/Bad_Slug!/join").status_code == 404


# --- Closed registration ---------------------------------------------------------------------------------------


def test_registration_closed(client, community, app):
    with app.app_context():
        db.session.scalar(select(Community).where(Community.slug == "maple")).self_registration = False
        db.session.commit()
    client.post("/account/language", data={"locale": "en"})
    before = _counts(app)
    response = client.get("/c/maple/join")
    assert response.status_code == 403
    assert "does not accept registrations online" in response.get_data(as_text=True)
    response = client.post("/c/maple/join", data=_registration())
    assert response.status_code == 403
    assert _counts(app) == before
    # The registration start page no longer lists the community.
    response = client.get("/register")
    assert response.status_code == 200
    assert "/c/maple/join" not in response.get_data(as_text=True)


def test_register_start_goes_straight_to_the_only_open_community(client, community):
    response = client.get("/register")
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/maple/join"


def test_register_start_lists_open_communities(client, community, other_community):
    html = client.get("/register").get_data(as_text=True)
    assert "/c/maple/join" in html and "/c/oak/join" in html


# --- An existing account joins a second community --------------------------------------------------------------


def test_existing_user_applies_to_a_second_community(client, auth, community, other_community, app):
    auth.login("oak.res")
    response = client.get("/c/maple/join")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="username"' not in html and 'name="password"' not in html
    response = client.post("/c/maple/join", data={"address_note": "5号楼101", "application_note": "刚搬来"})
    assert response.status_code == 302
    membership = _membership(app, "oak.res", "maple")
    assert membership.status == "pending" and membership.address_note == "5号楼101"
    assert _membership(app, "oak.res", "oak").status == "active"
    assert client.get("/c/maple/").status_code == 403
    assert client.get("/c/oak/").status_code == 200
    assert _notifications(app, "maple.coord", "membership.applied")


def test_active_member_visiting_join_goes_to_the_community(client, auth, community):
    auth.login("maple.vol")
    response = client.get("/c/maple/join")
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/maple/"


@pytest.mark.parametrize("data", [{"address_note": "3号楼2单元401"}, {}])
def test_rejected_applicant_may_apply_again(client, auth, community, app, data):
    browser, membership = _register(app)
    auth.login("maple.coord")
    client.post(f"/c/maple/admin/registrations/{membership.id}/reject", data={"reason": "地址不对"})
    response = browser.post("/c/maple/join", data=data)
    assert response.status_code == 302
    again = _membership(app, "zhang.ayi")
    assert again.id == membership.id
    assert again.status == "pending" and again.address_note == data.get("address_note", "")
    assert again.application_note == ""
    assert again.decided_at is None and again.decided_by_id is None


# --- The coordinator decides -----------------------------------------------------------------------------------


def test_registrations_page_lists_pending_applications(client, auth, community, app):
    _browser, membership = _register(app)
    auth.login("maple.coord")
    response = client.get("/c/maple/admin/registrations")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "张阿姨" in html
    assert f'action="/c/maple/admin/registrations/{membership.id}/approve"' in html
    assert f'action="/c/maple/admin/registrations/{membership.id}/reject"' in html
    # A coordinator is only offered roles up to team leader.
    assert 'value="coordinator"' not in html and 'value="community_admin"' not in html


def test_coordinator_approves_a_volunteer(client, auth, community, app):
    browser, membership = _register(app)
    auth.login("maple.coord")
    response = client.post(f"/c/maple/admin/registrations/{membership.id}/approve", data={"role": "volunteer"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/maple/admin/registrations"
    approved = _membership(app, "zhang.ayi")
    assert approved.status == "active" and approved.role == "volunteer"
    assert approved.volunteer_number == "V00004"  # the community fixture handed out V00001..V00003
    assert approved.decided_by_id == community["coordinator"]
    [notification] = _notifications(app, "zhang.ayi", "membership.approved")
    assert notification.link == "/c/maple/"
    assert notification.read_at is None
    [event] = _audit(app, "membership.approved")
    assert event.actor_id == community["coordinator"]
    assert event.target_type == "membership" and event.target_id == str(membership.id)
    # The applicant's own session now opens the community.
    assert browser.get("/c/maple/").status_code == 200
    browser.post("/account/language", data={"locale": "en"})
    assert "Welcome! You are now a member of 枫林社区." in browser.get("/inbox").get_data(as_text=True)


def test_resident_gets_no_volunteer_number(client, auth, community, app):
    _browser, membership = _register(app, wants_to_volunteer=None)
    auth.login("maple.coord")
    client.post(f"/c/maple/admin/registrations/{membership.id}/approve", data={"role": "resident"})
    approved = _membership(app, "zhang.ayi")
    assert approved.status == "active" and approved.role == "resident"
    assert approved.volunteer_number is None


def test_volunteer_numbers_are_consecutive(client, auth, community, app):
    _b1, first = _register(app, username="first.one")
    _b2, second = _register(app, username="second.one")
    auth.login("maple.coord")
    client.post(f"/c/maple/admin/registrations/{first.id}/approve", data={"role": "team_leader"})
    client.post(f"/c/maple/admin/registrations/{second.id}/approve", data={"role": "volunteer"})
    assert _membership(app, "first.one").volunteer_number == "V00004"
    assert _membership(app, "second.one").volunteer_number == "V00005"


def test_coordinator_cannot_approve_as_coordinator(client, auth, community, app):
    _browser, membership = _register(app)
    auth.login("maple.coord")
    for role in ("coordinator", "community_admin", "king"):
        response = client.post(f"/c/maple/admin/registrations/{membership.id}/approve", data={"role": role})
        assert response.status_code == 302
        assert _membership(app, "zhang.ayi").status == "pending"
    assert _audit(app, "membership.approved") == []


def test_community_admin_can_approve_as_coordinator(client, auth, community, app):
    _browser, membership = _register(app)
    auth.login("maple.admin")
    client.post(f"/c/maple/admin/registrations/{membership.id}/approve", data={"role": "coordinator"})
    assert _membership(app, "zhang.ayi").role == "coordinator"


def test_approving_twice_changes_nothing(client, auth, community, app):
    _browser, membership = _register(app)
    auth.login("maple.coord")
    client.post(f"/c/maple/admin/registrations/{membership.id}/approve", data={"role": "volunteer"})
    client.post(f"/c/maple/admin/registrations/{membership.id}/approve", data={"role": "team_leader"})
    client.post(f"/c/maple/admin/registrations/{membership.id}/reject", data={"reason": "不对"})
    approved = _membership(app, "zhang.ayi")
    assert approved.status == "active" and approved.role == "volunteer"
    assert len(_notifications(app, "zhang.ayi")) == 1


def test_coordinator_rejects_with_a_reason(client, auth, community, app):
    browser, membership = _register(app)
    auth.login("maple.coord")
    response = client.post(f"/c/maple/admin/registrations/{membership.id}/reject",
                           data={"reason": "  不是本社区居民  "})
    assert response.status_code == 302
    rejected = _membership(app, "zhang.ayi")
    assert rejected.status == "rejected"
    assert rejected.decision_note == "不是本社区居民"
    assert rejected.volunteer_number is None
    [notification] = _notifications(app, "zhang.ayi", "membership.rejected")
    assert "不是本社区居民" in notification.params_json
    [event] = _audit(app, "membership.rejected")
    assert event.actor_id == community["coordinator"]
    assert browser.get("/c/maple/").status_code == 404


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_rejection_needs_a_reason(client, auth, community, app, reason):
    _browser, membership = _register(app)
    auth.login("maple.coord")
    auth.use_language("en")
    before = _counts(app)
    data = {} if reason is None else {"reason": reason}
    response = client.post(f"/c/maple/admin/registrations/{membership.id}/reject", data=data,
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Give a reason; the applicant will see it." in response.get_data(as_text=True)
    assert _membership(app, "zhang.ayi").status == "pending"
    assert _counts(app) == before


def test_too_long_a_reason_says_so(client, auth, community, app):
    _browser, membership = _register(app)
    auth.login("maple.coord")
    auth.use_language("en")
    response = client.post(f"/c/maple/admin/registrations/{membership.id}/reject", data={"reason": "长" * 501},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "500" in html and "Give a reason" not in html
    assert _membership(app, "zhang.ayi").status == "pending"


def test_residents_and_volunteers_cannot_decide(client, auth, community, app):
    _browser, membership = _register(app)
    for username in ("maple.res", "maple.vol"):
        auth.login(username)
        assert client.get("/c/maple/admin/registrations").status_code == 403
        assert client.post(f"/c/maple/admin/registrations/{membership.id}/approve",
                           data={"role": "volunteer"}).status_code == 403
        assert client.post(f"/c/maple/admin/registrations/{membership.id}/reject",
                           data={"reason": "no"}).status_code == 403
        auth.logout()
    assert _membership(app, "zhang.ayi").status == "pending"


def test_registration_task_shows_for_coordinators(client, auth, community, app):
    _register(app)
    auth.login("maple.coord")
    html = client.get("/c/maple/tasks").get_data(as_text=True)
    assert 'href="/c/maple/admin/registrations"' in html
    auth.logout()
    auth.login("maple.vol")
    assert 'href="/c/maple/admin/registrations"' not in client.get("/c/maple/tasks").get_data(as_text=True)


def test_unknown_registration_id_is_404(client, auth, community):
    auth.login("maple.coord")
    assert client.post("/c/maple/admin/registrations/99999/approve", data={"role": "volunteer"}).status_code == 404
    assert client.post("/c/maple/admin/registrations/99999/reject", data={"reason": "x"}).status_code == 404
