"""Personal-information rights: download my data, ask for erasure, erasure keeps the records anonymously."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from timebank.extensions import db


def seed_record(app, community):
    from timebank.communities.models import Community
    from timebank.identity.models import User
    from timebank.ledger.accounts import atomic
    from timebank.ledger.certificates import issue_certificate
    from timebank.ledger.records import confirm, record_service

    with app.test_request_context():
        maple = db.session.scalar(select(Community).where(Community.slug == "maple"))
        volunteer = db.session.get(User, community["volunteer"])
        start = datetime.now(UTC) - timedelta(days=2)
        with atomic():
            record = record_service(maple, volunteer, category="ledger.elder_care", activity_name="陪伴老人",
                                    started_at=start, ended_at=start + timedelta(hours=2), actor=volunteer)
        confirm(record, maple, db.session.get(User, community["coordinator"]))
        return record.id, issue_certificate(maple, volunteer, volunteer).number


def test_a_member_downloads_their_data(app, client, auth, community):
    seed_record(app, community)
    auth.login("maple.vol")
    response = client.get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["username"] == "maple.vol"
    assert data["memberships"][0]["balances_minutes"] == {"service": 120, "credits": 120}
    assert data["service_records"][0]["activity_name"] == "陪伴老人"
    assert "qr_checkin" in data and "check_ins" in data["qr_checkin"]
    assert response.headers["Cache-Control"] == "no-store"
    auth.logout()
    assert client.get("/account/data.json").status_code == 302  # only for oneself, logged in


def test_asking_for_erasure_tells_the_community_admins(app, client, auth, community):
    auth.login("maple.vol")
    assert client.post("/account/erasure", data={"reason": "搬家了"}).status_code == 302
    auth.logout()
    auth.login("maple.admin")
    auth.use_language("en")
    assert "asks for their personal data to be erased" in client.get("/inbox").get_data(as_text=True)


def test_erasure_replaces_identifying_fields_and_keeps_the_records(app, client, auth, community):
    record_id, number = seed_record(app, community)
    auth.login("maple.admin")
    with app.app_context():
        from timebank.communities.models import Membership

        membership_id = db.session.scalar(select(Membership.id).where(Membership.user_id == community["volunteer"]))
    client.post(f"/c/maple/admin/members/{membership_id}/erase", data={"confirm_username": "wrong"})
    with app.app_context():
        from timebank.identity.models import User

        assert db.session.get(User, community["volunteer"]).username == "maple.vol"
    client.post(f"/c/maple/admin/members/{membership_id}/erase", data={"confirm_username": "maple.vol"})
    with app.app_context():
        from timebank.ledger.models import ServiceRecord
        from timebank.ledger.verify import verify_ledger

        user = db.session.get(User, community["volunteer"])
        assert user.username == f"erased-{user.id}" and user.phone is None and user.password_hash is None
        assert user.disabled and "陈志强" not in user.display_name
        assert db.session.get(ServiceRecord, record_id).minutes == 120  # kept, as the rules require
        assert verify_ledger() == []
    auth.logout()
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "陈志强" not in page
    assert auth.login("maple.vol").status_code != 302  # can no longer log in


def test_a_coordinator_cannot_erase(app, client, auth, community):
    auth.login("maple.coord")
    with app.app_context():
        from timebank.communities.models import Membership

        membership_id = db.session.scalar(select(Membership.id).where(Membership.user_id == community["volunteer"]))
    client.post(f"/c/maple/admin/members/{membership_id}/erase", data={"confirm_username": "maple.vol"})
    with app.app_context():
        from timebank.identity.models import User

        assert db.session.get(User, community["volunteer"]).username == "maple.vol"


def test_hook_timebank_personal_data(app, register_plugin, community):
    from timebank import hookimpl
    from timebank.identity.models import User
    from timebank.identity.privacy import export_personal_data

    class Extra:
        @hookimpl
        def timebank_personal_data(self, user):
            return {"favourite_post": "北门岗亭", "user": user.username}

    register_plugin(Extra(), "extra_data")
    with app.test_request_context():
        data = export_personal_data(db.session.get(User, community["volunteer"]))
    assert data["extra_data"] == {"favourite_post": "北门岗亭", "user": "maple.vol"}


def test_hook_timebank_member_erased(app, register_plugin, community):
    from timebank import hookimpl
    from timebank.identity.models import User
    from timebank.identity.privacy import erase_member

    heard = []

    class Listener:
        @hookimpl
        def timebank_member_erased(self, user, community):
            heard.append((user.username, community.slug))

    register_plugin(Listener(), "listener")
    with app.test_request_context():
        volunteer = db.session.get(User, community["volunteer"])
        erase_member(volunteer, db.session.get(User, community["admin"]), "maple.vol")
    assert heard == [(f"erased-{community['volunteer']}", "maple")]
