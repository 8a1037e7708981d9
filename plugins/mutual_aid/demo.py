"""Demo data: offers and requests in Chinese, completed exchanges with credits moved, a donation pool with a
balance, and a priority elder (赵大爷) helped and paid from the pool."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from timebank.clock import now, set_clock
from timebank.extensions import db
from timebank.identity.models import User
from timebank.ledger.credits import decide_relative, donate_credits, name_relative

from . import exchange, services

OFFERS = [
    ("teaching", "教老人用智能手机：微信视频、健康码、网上挂号", 60, "周末下午"),
    ("escorting", "陪同去医院复诊、取药", 120, "工作日上午"),
    ("culture", "太极拳晨练带练", 60, "每天早上7点"),
]
REQUESTS = [
    ("companionship", "周二上午陪我母亲在小区散步", 60, "每周二上午"),
    ("errands", "帮忙去超市买米和油（拎不动）", 45, "这周内"),
    ("small_repairs", "阳台晾衣架绳子断了，需要帮忙换", 60, "周六"),
    ("teaching", "辅导孩子小学数学作业", 60, "工作日晚上"),
]


def load_demo(community, users):
    volunteer, coordinator, elder, resident = users["volunteer"], users["coordinator"], users["elder"], \
        users["resident"]
    neighbours = db.session.scalars(select(User).where(User.username.like("neighbour%")).order_by(User.id)
                                    .limit(6)).all()
    if len(neighbours) < 6:  # the core demo's neighbours are missing (a test loading only part of the demo)
        return
    zone = ZoneInfo(community.timezone)
    today = now().astimezone(zone).date()
    # 赵大爷 lives alone: a priority elder, helped from the donation pool; some neighbours donate.
    services.update_profile(community, coordinator, elder, priority_elder=True, birth_year=today.year - 82)
    services.update_profile(community, coordinator, volunteer, verified=True)
    for person in neighbours[:3]:
        services.update_profile(community, coordinator, person, verified=True)
        donate_credits(community, person, 120, person)
    # 刘洋 (resident) and 赵大爷 are relatives: 刘洋 may post for him.
    if elder not in services.confirmed_relatives(community, resident):
        named = name_relative(community, resident, elder, "parent", resident)
        decide_relative(community, named, coordinator, True)

    for index, (category, title, minutes, when) in enumerate(OFFERS):
        services.post_listing(community, (neighbours + [volunteer])[index], (neighbours + [volunteer])[index],
                              kind="offer", category=category, title=title, expected_minutes=minutes, when_text=when)
    for index, (category, title, minutes, when) in enumerate(REQUESTS[1:], start=1):
        owner = neighbours[3 + index % 3] if index < 3 else resident
        services.post_listing(community, owner, owner, kind="request", category=category, title=title,
                              expected_minutes=minutes, when_text=when)

    # History: 刘洋 asked for a walk with 赵大爷 last week; 陈志强 helped; paid from the pool (priority elder).
    past = datetime.combine(today - timedelta(days=6), time(9, 0), zone)
    previous_clock = current_app.extensions["timebank"].clock  # the system clock, or a test's frozen one
    try:
        set_clock(current_app, lambda: past - timedelta(days=2))
        request = services.post_listing(community, resident, elder, kind="request", category="companionship",
                                        title=REQUESTS[0][1], expected_minutes=60, when_text=REQUESTS[0][3])
        response = services.respond(request, community, volunteer, volunteer, "我周二上午有空，可以陪大爷散步。")
        agreement = services.accept(request, community, resident, response, past)
        set_clock(current_app, lambda: past + timedelta(hours=2))
        exchange.complete(agreement, community, resident, 60, 5, "陈师傅很耐心，老人很开心。")
        # And one paid by the person helped: a neighbour learned to use the phone from another neighbour.
        set_clock(current_app, lambda: past - timedelta(days=1))
        lesson = services.post_listing(community, neighbours[4], neighbours[4], kind="request", category="teaching",
                                       title="想学用手机交水电费", expected_minutes=60, when_text="这周")
        answer = services.respond(lesson, community, neighbours[0], neighbours[0], "我可以教您。")
        deal = services.accept(lesson, community, neighbours[4], answer, past + timedelta(days=1))
        set_clock(current_app, lambda: past + timedelta(days=1, hours=2))
        exchange.complete(deal, community, neighbours[4], 60, 4, "学会了，谢谢！")
    finally:
        set_clock(current_app, previous_clock)
    # Coming: 刘洋's next request for 赵大爷 already agreed for the day after tomorrow.
    upcoming = services.post_listing(community, resident, elder, kind="request", category="errands",
                                     title="帮赵大爷去药店取降压药", expected_minutes=45, when_text="后天上午")
    answer = services.respond(upcoming, community, volunteer, volunteer, "没问题，我后天上午去。")
    services.accept(upcoming, community, resident, answer, datetime.combine(today + timedelta(days=2), time(10, 0),
                                                                            zone))
