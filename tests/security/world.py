"""A small but complete world for the security tests, built through the real services of the core and of every
bundled plugin: community A ("maple") with one real object of every kind a route can name, community B ("oak")
with its own staff, and a district admin.

The clock is frozen at ``NOW`` (Friday 20 November 2026, 10:00 in Shanghai) and moved back while the history is
written, so that every object is in a known state. ``build_world(app)`` returns the ids the tests need (plain
data: it is built once per test process and copied for each test).

Who is who in A (the roles under test are marked *):

* ``a.admin`` community admin*, ``a.coord`` coordinator*, ``a.vol`` volunteer*, ``a.res`` resident*;
* ``a.leader`` team leader (leads the duty shift), ``a.vol2`` a second volunteer, ``a.cook`` canteen staff,
  ``a.elder`` an enrolled elder (diet notes), ``a.son`` the elder's son, ``a.applicant`` waiting for approval.

``a.vol`` serves: ledger records, a certificate, a correction request, a duty shift, the repair job, the delivery
round, the mutual-aid help. ``a.res`` asks: the repair request, the mutual-aid listing. ``a.son`` nominated the
volunteer's family (with a photo), so that the resident and the volunteer stand in different places towards it.
"""

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PIL import Image

from timebank.clock import set_clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai
TODAY = date(2026, 11, 20)
PASSWORD = "test-pass-123"

#: username → (display name, role, phone)
MEMBERS_A = {
    "a.admin": ("李主任", "community_admin", "13912340001"),
    "a.coord": ("王芳", "coordinator", "13912340002"),
    "a.leader": ("张队长", "team_leader", "13912340003"),
    "a.vol": ("陈志强", "volunteer", "13912340004"),
    "a.vol2": ("周小明", "volunteer", "13912340005"),
    "a.res": ("刘洋", "resident", "13912340006"),
    "a.cook": ("孙师傅", "resident", "13912340007"),
    "a.elder": ("赵大爷", "resident", "13912340008"),
    "a.son": ("赵小军", "resident", "13912340009"),
}
MEMBERS_B = {
    "b.admin": ("钱主任", "community_admin", "13712340001"),
    "b.coord": ("周强", "coordinator", "13712340002"),
    "b.res": ("吴敏", "resident", "13712340003"),
}
#: Personal data planted in the world that must never reach a log or a page it does not belong on.
ELDER_DIET_NOTES = "糖尿病史，低糖饮食，青霉素过敏"
ELDER_DELIVERY_NOTE = "门铃坏了，请敲门三下"
ELDER_ADDRESS = "枫林路 8 号 1 号楼 101"


def at(day, hour, minute=0):
    """A Shanghai wall-clock time as an aware datetime."""
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def jpeg_with_gps(size=(320, 240), colour=(200, 120, 40)):
    """A real JPEG carrying EXIF with a GPS position and a camera model (what a phone sends)."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x0110] = "PhoneCam 12"  # Model
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


class _Clock:
    def __init__(self, app):
        self.moment = NOW
        set_clock(app, lambda: self.moment)

    def set(self, moment):
        self.moment = moment


def build_world(app):
    """Build the world into the app's (empty) database; returns the ids (plain data)."""
    clock = _Clock(app)
    ids = {}
    with app.test_request_context():
        _core(app, clock, ids)
        _ledger(clock, ids)
        _qr_checkin(clock, ids)
        _repair_team(app, clock, ids)
        _mutual_aid(clock, ids)
        _elder_meals(clock, ids)
        _honor_awards(clock, ids)
        _notification(ids)
        _api_token(ids)
    clock.set(NOW)
    return ids


# --- Helpers ---------------------------------------------------------------------------------------------------


def _community(slug):
    from timebank.communities.services import community_by_slug

    return community_by_slug(slug)


def _user(username):
    from sqlalchemy import select

    from timebank.extensions import db
    from timebank.identity.models import User

    return db.session.scalar(select(User).where(User.username == username))


def _membership(username, slug="maple"):
    from timebank.communities.services import membership_of

    return membership_of(_user(username), _community(slug))


# --- Core: communities, people, places, teams -----------------------------------------------------------------


def _core(app, clock, ids):
    from timebank.communities import structure, teams
    from timebank.communities.joining import next_volunteer_number, register
    from timebank.communities.models import Membership
    from timebank.communities.services import create_community
    from timebank.events import commit
    from timebank.extensions import db
    from timebank.identity.services import create_district_admin, new_user
    from timebank.plugin_state import CommunityPlugin
    from timebank.roles import RANK, VOLUNTEER

    clock.set(NOW - timedelta(days=60))
    ids["district"] = create_district_admin("district", "区管理员", PASSWORD).id
    ids["users"] = {"district": ids["district"]}
    for slug, name, members in (("maple", "枫林社区", MEMBERS_A), ("oak", "橡树社区", MEMBERS_B)):
        community = create_community(slug, name)
        for username, (display_name, role, phone) in members.items():
            user = new_user(username=username, display_name=display_name, password=PASSWORD, phone=phone)
            membership = Membership(user=user, community=community, role=role, status="active",
                                    created_at=clock.moment, decided_at=clock.moment)
            if RANK[role] >= RANK[VOLUNTEER]:
                membership.volunteer_number = next_volunteer_number(community)
            db.session.add(membership)
            db.session.flush()
            ids["users"][username] = user.id
        # Every optional plugin on, in both communities (B needs them on to try A's ids through its own pages).
        for info in app.extensions["timebank"].optional_plugins:
            db.session.add(CommunityPlugin(community_id=community.id, plugin_name=info.name, enabled=True,
                                           changed_at=clock.moment))
        commit()
    maple, oak = _community("maple"), _community("oak")
    ids["maple"], ids["oak"] = maple.id, oak.id
    coordinator = _user("a.coord")
    grid = structure.add_grid(maple, coordinator, "第一网格", grid_worker_id=ids["users"]["a.coord"])
    building = structure.add_building(maple, coordinator, "1号楼", grid_id=grid.id, stairwells=1)
    stairwell = building.stairwells[0].id
    homes = {}
    for username, room in (("a.vol", "101"), ("a.res", "102"), ("a.elder", "201"), ("a.son", "202"),
                           ("a.vol2", "301"), ("a.coord", "302"), ("a.admin", "401"), ("a.leader", "402")):
        household = structure.add_household(maple, coordinator, building.id, room, stairwell)
        structure.assign_household(_membership(username), coordinator, household.id)
        homes[username] = household.id
    oak_building = structure.add_building(oak, _user("b.coord"), "橡树1号楼", stairwells=0)
    ids["oak_household"] = structure.add_household(oak, _user("b.coord"), oak_building.id, "101").id
    ids.update(grid=grid.id, building=building.id, homes=homes)
    team = teams.create_team(maple, coordinator, "平安巡逻队", "patrol")
    teams.add_team_member(team, maple, coordinator, ids["users"]["a.vol"])
    teams.add_team_member(team, maple, coordinator, ids["users"]["a.leader"], is_leader=True)
    ids["team"] = team.id
    oak_team = teams.create_team(oak, _user("b.coord"), "橡树巡逻队", "patrol")
    ids["oak_team"] = oak_team.id
    applicant = register(maple, "a.applicant", "张阿姨", "applicant-pass-1", phone="13912340010",
                         wants_to_volunteer=True, address_note="1号楼2单元402")
    ids["users"]["a.applicant"] = applicant.user_id if hasattr(applicant, "user_id") else applicant.id
    ids["memberships"] = {username: _membership(username).id for username in MEMBERS_A}
    ids["memberships"]["a.applicant"] = _membership("a.applicant").id
    ids["oak_memberships"] = {username: _membership(username, "oak").id for username in MEMBERS_B}


# --- Ledger: records, a certificate, a correction request, a relative -----------------------------------------


def _ledger(clock, ids):
    from timebank.ledger import credits
    from timebank.ledger.accounts import atomic
    from timebank.ledger.certificates import issue_certificate
    from timebank.ledger.corrections import request_correction
    from timebank.ledger.records import confirm, record_service

    maple, volunteer, coordinator = _community("maple"), _user("a.vol"), _user("a.coord")
    records = []
    for days_ago, hours in ((20, 3), (13, 2), (6, 2)):
        day = TODAY - timedelta(days=days_ago)
        clock.set(at(day, 20))
        with atomic():
            record = record_service(maple, volunteer, category="ledger.elder_care", activity_name="陪伴独居老人",
                                    started_at=at(day, 14), ended_at=at(day, 14 + hours), place="1号楼",
                                    content="陪老人聊天、读报。", actor=volunteer)
        records.append(record)
    for record in records[:2]:
        confirm(record, maple, coordinator)
    clock.set(at(TODAY - timedelta(days=5), 9))
    ids["record_confirmed"], ids["record_pending"] = records[0].id, records[2].id
    ids["correction_request"] = request_correction(records[1], maple, volunteer, "实际服务了三个小时，请更正。",
                                                   requested_minutes=180).id
    certificate = issue_certificate(maple, volunteer, coordinator)
    ids["certificate"] = certificate.number
    relative = credits.name_relative(maple, volunteer, _user("a.res"), "parent", volunteer)
    ids["relative"] = relative.id


# --- QR check-in: posts, a shift with a sign-up and an attendance, insurance ----------------------------------


def _qr_checkin(clock, ids):
    from timebank_plugins.qr_checkin import attendance, services, tokens

    maple, coordinator, volunteer = _community("maple"), _user("a.coord"), _user("a.vol")
    clock.set(at(TODAY - timedelta(days=3), 9))
    gate = services.save_post(maple, coordinator, name="北门岗亭", kind="gate", place="北门",
                              checkin_policy="static")
    crossing = services.save_post(maple, coordinator, name="路口文明劝导岗", kind="intersection", place="路口",
                                  checkin_policy="rotating")
    services.record_insurance(maple, coordinator, volunteer, "中国人民财产保险", "PICC-000001",
                              TODAY + timedelta(days=365))
    # Yesterday's shift: the volunteer signed up and checked in and out (an attendance to retry).
    past = services.create_shift(maple, coordinator, gate, at(TODAY - timedelta(days=1), 7),
                                 at(TODAY - timedelta(days=1), 9), capacity=3, leader_id=ids["users"]["a.leader"])
    services.sign_up(past, maple, volunteer)
    clock.set(at(TODAY - timedelta(days=1), 7, 2))
    result = attendance.scan(gate, maple, volunteer, "static")
    clock.set(at(TODAY - timedelta(days=1), 9, 1))
    attendance.scan(gate, maple, volunteer, "static")
    clock.set(at(TODAY, 8))
    # Tomorrow's shift, open for sign-ups (the volunteer is on it).
    coming = services.create_shift(maple, coordinator, gate, at(TODAY + timedelta(days=1), 7),
                                   at(TODAY + timedelta(days=1), 9), capacity=3, leader_id=ids["users"]["a.leader"])
    services.sign_up(coming, maple, volunteer)
    ids.update(post_static=gate.id, post_rotating=crossing.id, shift=coming.id, shift_past=past.id,
               attendance=result.attendance.id if hasattr(result, "attendance") else _attendance_id(past, volunteer),
               scan_token=tokens.poster_token(gate))


def _attendance_id(shift, user):
    from sqlalchemy import select
    from timebank_plugins.qr_checkin.models import Attendance

    from timebank.extensions import db

    return db.session.scalar(select(Attendance.id).where(Attendance.shift_id == shift.id,
                                                         Attendance.user_id == user.id))


# --- Repair team: the roster, a request with photos, at work, a material with a receipt ------------------------


def _repair_team(app, clock, ids):
    from timebank_plugins.repair_team import dispatch, materials, roster, services, workflow
    from werkzeug.datastructures import FileStorage

    maple, coordinator, volunteer, resident = (_community("maple"), _user("a.coord"), _user("a.vol"),
                                               _user("a.res"))
    clock.set(at(TODAY, 8))
    entry = roster.add_to_roster(maple, coordinator, volunteer)
    roster.save_skills(maple, coordinator, entry, ["water", "drains", "locks"])
    photo = FileStorage(io.BytesIO(jpeg_with_gps()), filename="水管.jpg", content_type="image/jpeg")
    order = services.submit_request(maple, resident, resident, category="water", description="厨房水龙头一直滴水",
                                    household_id=ids["homes"]["a.res"], photo_files=[photo])
    dispatch.assign(order, maple, coordinator, volunteer, at(TODAY, 9))
    clock.set(at(TODAY, 8, 50))
    workflow.set_on_the_way(order, maple, volunteer)
    clock.set(at(TODAY, 9, 10))
    workflow.start_work(order, maple, volunteer)
    receipt = FileStorage(io.BytesIO(jpeg_with_gps(colour=(250, 250, 250))), filename="小票.jpg",
                          content_type="image/jpeg")
    material = materials.add_material(order, maple, volunteer, "水龙头密封圈", "2", "6.50", receipt)
    photos = services.photos_of(order)
    ids.update(repair_order=order.id, repair_photo=photos[0].id, repair_material=material.id,
               repair_entry=entry.id)


# --- Mutual aid: a request, a response, an agreement, a report ------------------------------------------------


def _mutual_aid(clock, ids):
    from timebank_plugins.mutual_aid import services

    maple, volunteer, resident = _community("maple"), _user("a.vol"), _user("a.res")
    clock.set(at(TODAY - timedelta(days=1), 10))
    listing = services.post_listing(maple, resident, resident, kind="request", category="errands",
                                    title="帮忙买菜", description="周六上午帮我买些蔬菜。", expected_minutes=60,
                                    wanted_on=TODAY + timedelta(days=1))
    response = services.respond(listing, maple, volunteer, volunteer, "我周六有空。")
    agreement = services.accept(listing, maple, resident, response, at(TODAY + timedelta(days=1), 9))
    open_listing = services.post_listing(maple, resident, resident, kind="request", category="errands",
                                         title="帮忙取快递", description="快递放在北门驿站。", expected_minutes=30)
    clock.set(at(TODAY, 9))
    report = services.report(maple, resident, volunteer, "约好的时间没有来，也没有打电话。", agreement)
    ids.update(listing=open_listing.id, listing_agreed=listing.id, response=response.id, agreement=agreement.id,
               report=report.id)


# --- Elder meals: the elder, family, canteen staff, menus, orders, a round with an alert, samples -------------


def _elder_meals(clock, ids):
    from sqlalchemy import select
    from timebank_plugins.elder_meals import enrolment, kitchen, menus, orders, rounds, services
    from timebank_plugins.elder_meals.models import Alert, Order

    from timebank.extensions import db

    maple, coordinator, volunteer = _community("maple"), _user("a.coord"), _user("a.vol")
    elder_user, son, cook = _user("a.elder"), _user("a.son"), _user("a.cook")
    clock.set(at(TODAY - timedelta(days=2), 9))
    staff = services.add_canteen_staff(maple, coordinator, cook)
    elder = enrolment.enrol(maple, coordinator, elder_user, enrolment.Details(
        birth_date=date(1946, 5, 1), diet_notes=ELDER_DIET_NOTES, consent=True, consent_note="书面同意书",
        household_id=ids["homes"]["a.elder"], needs_delivery=True, delivery_note=ELDER_DELIVERY_NOTE))
    link = enrolment.add_family(maple, coordinator, elder, son, "child")
    dishes = [menus.DishInput("套餐A", "红烧肉、青菜、米饭", "13"),
              menus.DishInput("软食套餐", "清蒸鱼、南瓜粥", "11", soft=True, low_salt=True)]
    menu_ids = {}
    for offset in range(0, 5):
        day = TODAY + timedelta(days=offset)
        menu_ids[offset] = menus.save_menu(maple, coordinator, day, "lunch", 20, dishes, publish=True).id
    # Yesterday morning the son ordered today's lunch (delivered) and tomorrow's (to collect).
    clock.set(at(TODAY - timedelta(days=1), 9))
    today_menu = menus.menu_for(maple, TODAY, "lunch")
    today_order = orders.place_order(maple, son, elder, today_menu, today_menu.dishes[0].id, "delivery")
    clock.set(at(TODAY, 8))
    tomorrow_menu = menus.menu_for(maple, TODAY + timedelta(days=1), "lunch")
    tomorrow_order = orders.place_order(maple, son, elder, tomorrow_menu, tomorrow_menu.dishes[1].id, "pickup")
    # The kitchen keeps a sample; today's round is planned, taken, started; nobody opened the door.
    sample = kitchen.record_sample(maple, cook, today_menu.dishes[0].id, 125, "留样冰箱第二层")
    rounds.plan_rounds(maple, cook, TODAY, "lunch", time(11, 0))
    delivery_round = rounds.rounds_between(maple, TODAY, TODAY)[0]
    rounds.sign_up(maple, volunteer, delivery_round)
    clock.set(at(TODAY, 9, 30))
    rounds.start_round(maple, volunteer, delivery_round)
    clock.set(at(TODAY, 9, 40))
    rounds.mark_stop(maple, volunteer, delivery_round, db.session.get(Order, today_order.id), "no_answer")
    alert = db.session.scalar(select(Alert).where(Alert.community_id == maple.id))
    ids.update(elder=elder.id, family_link=link.id, canteen_staff=staff.id, menu=menu_ids[3],
               menu_day=(TODAY + timedelta(days=3)).isoformat(), order=tomorrow_order.id,
               order_delivered=today_order.id, sample=sample.id, round=delivery_round.id,
               alert=alert.id)


# --- Honour awards: a finished campaign with an award, one on notice with an objection, one voting, one open ---


STORY = "热心帮助邻居，常年照顾楼里的独居老人，邻里评价很好，值得大家学习。"


def _schedule(open_day, close_day, review_until, vote=None, notice_days=3, award_on=None):
    from timebank_plugins.honor_awards.campaigns import Schedule

    last = max(review_until, vote[1]) if vote else review_until
    return Schedule(open_day, close_day, review_until, vote[0] if vote else None, vote[1] if vote else None,
                    notice_days, award_on or last + timedelta(days=notice_days + 1))


def _campaign(maple, coordinator, title, schedule, level="community"):
    from timebank_plugins.honor_awards.campaigns import save_campaign

    return save_campaign(maple, coordinator, title=title, kind="household", year=2026, criteria="邻里互助。",
                         quota=3, rubric="家庭和睦 60\n邻里互助 40", schedule=schedule, level=level)


def _shortlist(nomination, maple, coordinator, day):
    from timebank_plugins.honor_awards import review

    review.record_visit(nomination, maple, coordinator, day, "入户走访，情况属实。")
    first, second = nomination.campaign.criteria_items
    review.save_scores(nomination, maple, coordinator, {first.id: 50, second.id: 30})
    review.set_shortlisted(nomination, maple, coordinator)


def _honor_awards(clock, ids):
    from timebank_plugins.honor_awards import awards, nominations, notices

    maple, coordinator = _community("maple"), _user("a.coord")
    day = TODAY - timedelta(days=30)

    # 1. Finished: the volunteer's family was honoured (a certificate), after a notice with a dismissed objection.
    clock.set(at(day, 10))
    done = _campaign(maple, coordinator, "2026年度最美家庭", _schedule(day, day + timedelta(days=3),
                                                                   day + timedelta(days=5)))
    honoured = nominations.nominate(done, maple, _user("a.vol"), nominator_kind="self", statement=STORY,
                                    full_name_consent=True)
    clock.set(at(day + timedelta(days=4), 10))
    _shortlist(honoured, maple, coordinator, day + timedelta(days=4))
    clock.set(at(day + timedelta(days=6), 10))
    finished_notice = awards.publish_notice(done, maple, coordinator, [honoured.id])
    clock.set(at(day + timedelta(days=11), 10))
    notices.close_notice(finished_notice, maple, coordinator)
    award = awards.campaign_awards(done)[0]

    # 2. On notice now, with an open objection from a neighbour.
    day = TODAY - timedelta(days=8)
    clock.set(at(day, 10))
    shown = _campaign(maple, coordinator, "2026年度文明家庭", _schedule(day, day + timedelta(days=3),
                                                                   day + timedelta(days=5), notice_days=7))
    on_notice = nominations.nominate(shown, maple, _user("a.res"), nominator_kind="self", statement=STORY,
                                     full_name_consent=True)
    clock.set(at(day + timedelta(days=4), 10))
    _shortlist(on_notice, maple, coordinator, day + timedelta(days=4))
    clock.set(at(TODAY - timedelta(days=1), 10))
    notice = awards.publish_notice(shown, maple, coordinator, [on_notice.id])
    objection = notices.lodge_objection(notice, maple, _user("a.son"), "据我所知这家人上个月还在楼道里堆放杂物。",
                                        notice.items[0].id)

    # 3. Voting now (the second volunteer's family is shortlisted).
    day = TODAY - timedelta(days=6)
    clock.set(at(day, 10))
    voting = _campaign(maple, coordinator, "2026年度好邻居", _schedule(day, day + timedelta(days=2),
                                                                  day + timedelta(days=4),
                                                                  vote=(day + timedelta(days=5),
                                                                        day + timedelta(days=9))))
    candidate = nominations.nominate(voting, maple, _user("a.vol2"), nominator_kind="self", statement=STORY,
                                     full_name_consent=True)
    clock.set(at(day + timedelta(days=3), 10))
    _shortlist(candidate, maple, coordinator, day + timedelta(days=3))

    # 4. Open for nominations (sub-district level): the son nominated the volunteer's family, with a photo (EXIF and GPS inside).
    clock.set(at(TODAY - timedelta(days=1), 10))
    open_campaign = _campaign(maple, coordinator, "2026年度和睦家庭",
                              _schedule(TODAY - timedelta(days=1), TODAY + timedelta(days=5),
                                        TODAY + timedelta(days=7)), level="subdistrict")
    nominated = nominations.nominate(open_campaign, maple, _user("a.son"), nominator_kind="neighbour",
                                     statement=STORY, household_id=ids["homes"]["a.vol"], nominee_name="陈志强",
                                     photos=[jpeg_with_gps()])
    ids.update(campaign_done=done.id, award=award.id, campaign_notice=shown.id, notice=notice.id,
               objection=objection.id, campaign_voting=voting.id, nomination_voting=candidate.id,
               campaign_open=open_campaign.id, nomination=nominated.id,
               nomination_photo=nominations.photos_of(nominated)[0], notice_finished=finished_notice.id)


def _notification(ids):
    from sqlalchemy import select

    from timebank.extensions import db
    from timebank.notifications.models import Notification

    ids["notification"] = db.session.scalar(select(Notification.id).where(
        Notification.recipient_id == ids["users"]["a.vol"]).order_by(Notification.id.desc()).limit(1))


def _api_token(ids):
    """A personal API token of the volunteer (its web page lets the owner revoke it)."""
    import importlib.util

    if importlib.util.find_spec("timebank.api.tokens") is None:
        return
    from timebank.api import tokens

    token, _secret = tokens.create_personal_token(_user("a.vol"), "手机助手", list(tokens.SCOPES)[:1])
    ids["api_token"] = token.id
