"""Acting on behalf of an elder without a phone (代办), over HTTP."""

import pytest
from sqlalchemy import func, select

from timebank.audit.models import AuditEvent
from timebank.communities.models import Community, Membership
from timebank.extensions import db

BANNER = 'class="proxy-banner"'


@pytest.fixture
def elder(make, community):
    """赵大爷, a resident of maple without a login of his own."""
    return make.member("maple", "zhao.daye", role="resident", password=None, display_name="赵大爷")


def _membership_id(app, user_id, slug="maple"):
    with app.app_context():
        return db.session.scalar(select(Membership.id).join(Community)
                                 .where(Membership.user_id == user_id, Community.slug == slug))


def _events(app, action):
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return rows


def _counts(app):
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _start(client, app, user_id, slug="maple"):
    return client.post(f"/c/{slug}/admin/members/{_membership_id(app, user_id, slug)}/act-for")


def _proxy_in_session(client):
    with client.session_transaction() as session:
        return session.get("timebank_proxy")


def test_member_page_offers_to_act_on_behalf(client, auth, app, elder):
    auth.login("maple.coord")
    membership_id = _membership_id(app, elder)
    html = client.get(f"/c/maple/admin/members/{membership_id}").get_data(as_text=True)
    assert f'action="/c/maple/admin/members/{membership_id}/act-for"' in html


def test_coordinator_acts_for_an_elder(client, auth, app, community, elder):
    auth.login("maple.coord")
    auth.use_language("en")
    response = _start(client, app, elder)
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/maple/"
    html = client.get("/c/maple/").get_data(as_text=True)
    assert BANNER in html
    assert "You are acting on behalf of 赵大爷." in html
    assert "Hello, 赵大爷" in html
    assert 'action="/account/proxy/end"' in html
    # The "Me" tab shows the elder.
    html = client.get("/c/maple/me").get_data(as_text=True)
    assert "<h1>赵大爷</h1>" in html
    [event] = _events(app, "proxy.started")
    assert event.actor_id == community["coordinator"]
    assert event.on_behalf_of_id == elder
    assert event.target_type == "user" and event.target_id == str(elder)


def test_audit_events_while_acting_record_actor_and_person(client, auth, app, community, elder):
    auth.login("maple.coord")
    _start(client, app, elder)
    client.post("/c/maple/admin/teams", data={"name": "助餐队", "kind": "meals"})
    [event] = _events(app, "team.created")
    assert event.actor_id == community["coordinator"]
    assert event.on_behalf_of_id == elder
    # The community's audit log shows both names.
    auth.logout()
    auth.login("maple.admin")
    auth.use_language("en")
    html = client.get("/c/maple/admin/audit").get_data(as_text=True)
    assert "on behalf of 赵大爷" in html


def test_stopping_the_proxy(client, auth, app, community, elder):
    auth.login("maple.coord")
    _start(client, app, elder)
    response = client.post("/account/proxy/end", data={"next": "/c/maple/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/maple/"
    assert _proxy_in_session(client) is None
    html = client.get("/c/maple/").get_data(as_text=True)
    assert BANNER not in html
    assert "<h1>王芳</h1>" in client.get("/c/maple/me").get_data(as_text=True)
    [event] = _events(app, "proxy.ended")
    assert event.actor_id == community["coordinator"]
    assert event.on_behalf_of_id == elder
    with app.app_context():
        assert event.community_id == db.session.scalar(select(Community.id).where(Community.slug == "maple"))
    # Later events are the coordinator's own again.
    client.post("/c/maple/admin/teams", data={"name": "助餐队", "kind": "meals"})
    assert _events(app, "team.created")[0].on_behalf_of_id is None


def test_stop_redirect_stays_on_site(client, auth, app, elder):
    auth.login("maple.coord")
    _start(client, app, elder)
    response = client.post("/account/proxy/end", data={"next": "//evil.com"})
    assert response.headers["Location"] == "/"


def test_logout_ends_the_proxy(client, auth, app, elder):
    auth.login("maple.coord")
    _start(client, app, elder)
    auth.logout()
    assert len(_events(app, "proxy.ended")) == 1
    auth.login("maple.coord")
    assert BANNER not in client.get("/c/maple/").get_data(as_text=True)


def test_stopping_without_a_proxy_does_nothing(client, auth, app, community):
    auth.login("maple.coord")
    before = _counts(app)
    response = client.post("/account/proxy/end")
    assert response.status_code == 302
    assert _counts(app) == before


def test_cannot_act_for_staff(client, auth, app, community, make):
    other_coordinator = make.member("maple", "coord2", role="coordinator")
    auth.login("maple.coord")
    before = _counts(app)
    for target in (other_coordinator, community["admin"]):
        assert _start(client, app, target).status_code == 403
    assert _proxy_in_session(client) is None
    assert _counts(app) == before
    auth.logout()
    auth.login("maple.admin")  # not even a community admin may act for a coordinator
    assert _start(client, app, community["coordinator"]).status_code == 403
    assert _proxy_in_session(client) is None


def test_cannot_act_for_oneself(client, auth, app, community):
    auth.login("maple.coord")
    before = _counts(app)
    response = _start(client, app, community["coordinator"])
    assert response.status_code in (302, 403)
    assert _proxy_in_session(client) is None
    assert _counts(app) == before


def test_cannot_act_for_a_pending_applicant(client, auth, app, community):
    app.test_client().post("/c/maple/join", data={"display_name": "张阿姨", "username": "zhang.ayi",
                                                  "password": "good-pass-123", "confirm": "good-pass-123"})
    with app.app_context():
        applicant = db.session.scalar(select(Membership.user_id).where(Membership.status == "pending"))
    auth.login("maple.coord")
    assert _start(client, app, applicant).status_code == 403
    assert _proxy_in_session(client) is None


def test_cannot_act_for_members_of_another_community(client, auth, app, community, other_community, elder):
    auth.login("oak.coord")
    before = _counts(app)
    membership_id = _membership_id(app, elder)
    assert client.post(f"/c/maple/admin/members/{membership_id}/act-for").status_code == 404
    assert client.post(f"/c/oak/admin/members/{membership_id}/act-for").status_code == 404
    assert _proxy_in_session(client) is None
    assert _counts(app) == before


def test_residents_cannot_act_for_anyone(client, auth, app, elder):
    auth.login("maple.res")
    assert _start(client, app, elder).status_code == 403
    assert _proxy_in_session(client) is None


def test_proxy_is_bound_to_its_community(client, auth, app, make, community, other_community, elder):
    make.district_admin()
    auth.login("district")
    _start(client, app, elder)
    assert BANNER in client.get("/c/maple/").get_data(as_text=True)
    html = client.get("/c/oak/").get_data(as_text=True)
    assert BANNER not in html and "赵大爷" not in html


def test_proxy_ends_when_the_coordinator_loses_the_role(app, client, auth, community, elder):
    auth.login("maple.coord")
    _start(client, app, elder)
    admin = app.test_client()
    admin.post("/login", data={"username": "maple.admin", "password": "test-pass-123"})
    admin.post(f"/c/maple/admin/members/{_membership_id(app, community['coordinator'])}/role",
               data={"role": "volunteer"})
    html = client.get("/c/maple/").get_data(as_text=True)
    assert BANNER not in html
    assert "<h1>王芳</h1>" in client.get("/c/maple/me").get_data(as_text=True)


def test_proxy_ends_when_the_elder_leaves(client, auth, app, community, elder):
    auth.login("maple.coord")
    _start(client, app, elder)
    with app.app_context():
        db.session.scalar(select(Membership).where(Membership.user_id == elder)).status = "left"
        db.session.commit()
    assert BANNER not in client.get("/c/maple/").get_data(as_text=True)


def test_proxy_does_not_survive_a_new_login(client, auth, app, elder):
    auth.login("maple.coord")
    _start(client, app, elder)
    auth.login("maple.coord")
    assert _proxy_in_session(client) is None


def test_a_service_handed_the_elder_as_actor_still_logs_the_helper(app, community, elder):
    """Services act as the person a helper acts for; the audit log names the helper, on behalf of that person."""
    from flask import g, session
    from flask_login import login_user

    from timebank.audit.services import record_audit
    from timebank.identity.models import User

    with app.test_request_context("/c/maple/"):
        maple = db.session.scalar(select(Community).where(Community.slug == "maple"))
        coordinator, elder_user = db.session.get(User, community["coordinator"]), db.session.get(User, elder)
        g.community = maple
        login_user(coordinator)
        session["timebank_proxy"] = {"community_id": maple.id, "user_id": elder}
        record_audit("test.as_elder", actor=elder_user, community=maple)
        record_audit("test.as_helper", actor=coordinator, community=maple)
        session.pop("timebank_proxy")
        g.pop("_timebank_proxied")
        record_audit("test.plain", actor=coordinator, community=maple)
        db.session.commit()
    with app.app_context():
        stored = {action: (actor, on_behalf_of) for action, actor, on_behalf_of in db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.on_behalf_of_id)
            .where(AuditEvent.action.like("test.%")))}
    assert stored == {"test.as_elder": (community["coordinator"], elder),
                      "test.as_helper": (community["coordinator"], elder),
                      "test.plain": (community["coordinator"], None)}
