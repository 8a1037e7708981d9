"""Demo data: 幸福里社区's 便民维修队 (four volunteers, one a licensed electrician), six weeks of repairs (rated,
one reopened after a poor rating, one cancelled, one closed without a rating), and today's board: an overdue
emergency, requests waiting, a visit this afternoon for the demo resident, a finished repair waiting for the
elder's sign-off. Everything goes through the services, with the application's clock moved to the past."""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from timebank.clock import now, set_clock
from timebank.communities.models import Household, Membership
from timebank.extensions import db
from timebank.identity.models import User

from . import dispatch, materials, roster, services, workflow
from .models import RepairOrder

#: (days ago, category, description, requester index, material (name, quantity, yuan) or None, rating, comment)
HISTORY = [
    (41, "water", "厨房水龙头关不紧，一直滴水", 0, ("水龙头阀芯", "1个", "18.00"), 5, "师傅很细心，还教我怎么换"),
    (38, "electricity", "卫生间灯不亮，换了灯泡也不行", 1, ("墙壁开关", "1个", "12.50"), 5, "动作快，讲解清楚"),
    (35, "drains", "厨房水槽下水特别慢", 2, None, 4, "疏通好了，就是来得晚了点"),
    (33, "locks", "防盗门锁芯卡住，钥匙很难拧", 3, ("锁芯润滑剂", "1瓶", "9.90"), 5, ""),
    (30, "appliances", "电饭煲不加热", 4, ("温控器", "1个", "15.00"), 4, "修好了，省得买新的"),
    (27, "gas_check", "老人闻到一点燃气味，不放心", 5, None, 5, "查出软管老化，已联系燃气公司更换"),
    (24, "heating", "卧室暖气片不热", 6, None, 5, "放了气就热了，谢谢"),
    (20, "water", "马桶水箱一直流水", 7, ("马桶进水阀", "1套", "28.00"), 2, "第二天又开始流水了"),
    (16, "electricity", "客厅插座没电", 8, None, 5, "很专业"),
    (12, "locks", "阳台窗户插销坏了", 9, ("窗户插销", "2个", "8.00"), None, ""),
    (9, "drains", "卫生间地漏反味", 10, ("防臭地漏芯", "1个", "16.80"), 5, "没有味道了"),
]

VOLUNTEER_FOR = {"water": "volunteer", "drains": "neighbour03", "locks": "neighbour03", "gas_check": "volunteer",
                 "electricity": "neighbour01", "appliances": "neighbour02", "heating": "neighbour02"}


def _demo_photo(colour):
    """A small picture standing in for a resident's photo (drawn, so the demo needs no image files)."""
    image = Image.new("RGB", (480, 360), (232, 236, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((150, 60, 330, 120), fill=colour)
    draw.rectangle((225, 120, 255, 250), fill=colour)
    draw.ellipse((232, 270, 248, 290), fill=(60, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return FileStorage(io.BytesIO(buffer.getvalue()), filename="photo.jpg", content_type="image/jpeg")


def load_demo(community, users):
    zone = ZoneInfo(community.timezone)
    previous_clock = current_app.extensions["timebank"].clock  # the system clock, or a test's frozen one
    start = now()
    today = start.astimezone(zone).date()
    people = _people(community, users)
    coordinator = users["coordinator"]
    homes = db.session.scalars(select(Household).where(Household.community_id == community.id)
                               .order_by(Household.id)).all()
    if len(people["requesters"]) < 4 or not homes:  # the core demo's neighbours are missing (a partial demo)
        return

    def at(days_ago, hour, minute=0):
        """Move the clock to that local time; returns the moment."""
        moment = when(days_ago, hour, minute)
        set_clock(current_app, lambda: moment)
        return moment

    def when(days_ago, hour, minute=0):
        return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), zone)

    at.when = when

    try:
        at(45, 9)
        _roster(community, coordinator, people)
        for index, (days_ago, category, text, who, material, rating, comment) in enumerate(HISTORY):
            requester = people["requesters"][who % len(people["requesters"])]
            at(days_ago + 1, 18, 10)
            order = services.submit_request(community, requester, requester, category=category, description=text,
                                            household_id=homes[(who * 5 + 3) % len(homes)].id,
                                            preferred_days=[(today - timedelta(days=days_ago)).isoformat()],
                                            preferred_parts=["pm"])
            volunteer = people[VOLUNTEER_FOR[category]]
            _visit(community, order, coordinator, volunteer, at, days_ago, material, index)
            if index == 4:
                continue  # the resident never rated it: closed after the follow-up period, below
            at(days_ago, 20)
            workflow.sign_off(order, community, requester, requester)
            if rating is not None:
                at(days_ago - 1, 10)
                workflow.rate(order, community, requester, requester, rating, comment)
            if rating == 2:  # reopened: the coordinator sends the volunteer again; fixed for good
                at(days_ago - 1, 11)
                dispatch.assign(order, community, coordinator, volunteer, at.when(days_ago - 2, 13))
                _visit(community, order, None, volunteer, at, days_ago - 2, ("马桶浮球", "1个", "12.00"), 99)
                at(days_ago - 2, 19)
                workflow.sign_off(order, community, requester, requester)
                at(days_ago - 3, 9)
                workflow.rate(order, community, requester, requester, 5, "这次彻底修好了")
        _unrated_and_cancelled(community, users, people, homes, at)
        _today(community, users, people, homes, start)
    finally:
        set_clock(current_app, previous_clock)
    _confirm_older_hours(community, coordinator, today, zone)


def _people(community, users):
    neighbours = {user.username: user for user in db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.community_id == community.id, User.username.like("neighbour%")).order_by(User.username))}
    requesters = [neighbours[f"neighbour{index:02d}"] for index in range(10, 21) if f"neighbour{index:02d}"
                  in neighbours] or [users["resident"]]
    return {"volunteer": users["volunteer"], **neighbours, "requesters": requesters}


def _roster(community, coordinator, people):
    today = roster.local_day(community)
    team = [("volunteer", ["water", "gas_check", "drains"], "", None, "工作日午后、周末全天"),
            ("neighbour01", ["electricity", "appliances"], "T320102196805124411", today.replace(year=today.year + 3),
             "退休电工，持低压电工作业证"),
            ("neighbour02", ["appliances", "heating"], "", None, "周一到周五上午"),
            ("neighbour03", ["locks", "drains", "water"], "", None, "随叫随到")]
    for username, skills, licence, valid_until, note in team:
        if username not in people:
            continue
        entry = roster.add_to_roster(community, coordinator, people[username])
        roster.save_skills(community, coordinator, entry, skills, licence, valid_until)
        roster.set_availability(community, coordinator, entry, True, range(7), ["am", "pm", "eve"], note)


def _visit(community, order, coordinator, volunteer, at, days_ago, material, index):
    """Assign (or not, when already assigned), go, work from 13:00 for 30–50 minutes, record materials."""
    if coordinator is not None:
        at(days_ago, 8, 30)
        if index % 3 == 0:
            dispatch.claim(order, community, volunteer, at.when(days_ago, 13))
        else:
            dispatch.assign(order, community, coordinator, volunteer, at.when(days_ago, 13))
    at(days_ago, 12, 45)
    workflow.set_on_the_way(order, community, volunteer)
    at(days_ago, 13)
    workflow.start_work(order, community, volunteer)
    if material is not None:
        name, quantity, cost = material
        at(days_ago, 13, 20)
        materials.add_material(order, community, volunteer, name, quantity, cost, _demo_photo((250, 250, 245)))
    at(days_ago, 13, 30 + (index * 7) % 21)
    note = "已检查燃气软管和阀门，软管老化，已通知燃气公司上门更换" if order.category == "gas_check" else "已修好，试用正常"
    workflow.finish_work(order, community, volunteer, note, "燃气公司客服：已登记上门" if order.category ==
                         "gas_check" else "")


def _unrated_and_cancelled(community, users, people, homes, at):
    """The order the resident signed off but never rated is closed after the follow-up period; one request was
    cancelled by the resident."""
    unrated = db.session.scalar(select(RepairOrder).where(RepairOrder.community_id == community.id,
                                                          RepairOrder.status == "done"))
    if unrated is not None:
        at(29, 19)
        workflow.sign_off(unrated, community, unrated.requester, unrated.requester)
        at(26, 9)
        workflow.close_unrated(community)
    at(8, 9)
    order = services.submit_request(community, users["resident"], users["resident"], category="locks",
                                    description="单元门禁卡刷不开", household_id=_home(community, users["resident"]))
    at(8, 11)
    services.cancel_order(order, community, users["resident"], users["resident"], "物业已经来修好了")


def _today(community, users, people, homes, start):
    """What each demo account sees now, whatever the time of day the demo is loaded."""
    coordinator, resident, elder, volunteer = (users["coordinator"], users["resident"], users["elder"],
                                               users["volunteer"])
    requesters = people["requesters"]

    def ago(minutes):
        moment = start - timedelta(minutes=minutes)
        set_clock(current_app, lambda: moment)
        return moment

    # The resident's earlier repair: a flickering light, signed off a day ago, waiting for a rating.
    ago(60 * 30)
    bulb = services.submit_request(community, resident, resident, category="electricity",
                                   description="厨房吸顶灯一闪一闪", household_id=_home(community, resident))
    electrician = people.get("neighbour01", volunteer)
    ago(60 * 29)
    dispatch.assign(bulb, community, coordinator, electrician, start - timedelta(hours=27))
    ago(60 * 27)
    workflow.start_work(bulb, community, electrician)
    ago(60 * 27 - 35)
    workflow.finish_work(bulb, community, electrician, "更换了镇流器，灯不再闪烁")
    ago(60 * 26)
    workflow.sign_off(bulb, community, resident, resident)
    # The resident now: a leaking tap; the demo volunteer comes in two hours (and sees it in "today's jobs").
    ago(150)
    tap = services.submit_request(community, resident, resident, category="water",
                                  description="卫生间洗手池水龙头漏水，关紧了还在滴", household_id=_home(community, resident),
                                  preferred_parts=["pm", "eve"], contact_phone="13800000004",
                                  photo_files=[_demo_photo((170, 170, 180))])
    ago(130)
    dispatch.assign(tap, community, coordinator, volunteer, start + timedelta(hours=2))
    # The elder (who does not use the phone much): the coordinator took his call; the blocked drain is cleared
    # and waits for his sign-off, with ¥12 of materials.
    ago(300)
    drain = services.submit_request(community, coordinator, coordinator, category="drains",
                                    description="赵大爷来电：厨房下水道堵了，水下不去", for_member="elder",
                                    contact_phone="010-12345678", household_id=_home(community, elder))
    helper = people.get("neighbour03", volunteer)
    ago(290)
    dispatch.assign(drain, community, coordinator, helper, start - timedelta(minutes=120))
    ago(135)
    workflow.set_on_the_way(drain, community, helper)
    ago(120)
    workflow.start_work(drain, community, helper)
    ago(100)
    materials.add_material(drain, community, helper, "下水管疏通剂", "1瓶", "12.00", _demo_photo((250, 250, 245)))
    ago(80)
    workflow.finish_work(drain, community, helper, "拆开存水弯清理了油污和菜渣，试水通畅")
    # A repair rated poorly yesterday: open again for the coordinator.
    ago(60 * 50)
    tap2 = services.submit_request(community, requesters[3], requesters[3], category="water",
                                   description="阳台洗衣机水龙头接口漏水", household_id=homes[30 % len(homes)].id)
    dispatch.assign(tap2, community, coordinator, volunteer, start - timedelta(hours=48))
    ago(60 * 48)
    workflow.start_work(tap2, community, volunteer)
    ago(60 * 48 - 25)
    workflow.finish_work(tap2, community, volunteer, "缠了生料带，重新拧紧接口")
    workflow.sign_off(tap2, community, requesters[3], requesters[3])
    ago(60 * 20)
    workflow.rate(tap2, community, requesters[3], requesters[3], 2, "洗衣服的时候接口还是渗水")
    # The board: a request waiting since yesterday (overdue), an emergency nobody has taken for 40 minutes
    # (overdue), a fresh one for the electrician.
    ago(60 * 26)
    services.submit_request(community, requesters[0], requesters[0], category="heating",
                            description="暖气片阀门漏水，地上有一摊水", household_id=homes[40 % len(homes)].id)
    ago(40)
    services.submit_request(community, requesters[1], requesters[1], category="water", urgency="emergency",
                            description="楼上漏水，水从卫生间天花板往下滴", household_id=homes[55 % len(homes)].id)
    ago(15)
    services.submit_request(community, requesters[2], requesters[2], category="appliances",
                            description="电风扇不转了", household_id=homes[70 % len(homes)].id, preferred_parts=["am"])
    set_clock(current_app, lambda: start)
    workflow.close_unrated(community)  # tidy: older signed-off orders without a rating


def _home(community, user):
    from timebank.communities.services import active_membership

    return active_membership(user, community).household_id


def _confirm_older_hours(community, coordinator, today, zone):
    """The coordinators confirmed the repair hours of all but the last ten days."""
    from timebank.ledger.models import ServiceRecord
    from timebank.ledger.records import confirm

    cutoff = datetime.combine(today - timedelta(days=10), time(0), zone)
    pending = db.session.scalars(select(ServiceRecord).where(
        ServiceRecord.community_id == community.id, ServiceRecord.category == "repair_team.repair",
        ServiceRecord.status == "pending", ServiceRecord.started_at < cutoff)).all()
    for record in pending:
        confirm(record, community, coordinator)
