"""Demo data: four real-looking posts of 幸福里社区, a rota over the past two weeks and the coming two, sign-ups,
insurance, and check-ins made by moving the application's clock through the past shifts."""

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from timebank.clock import now, set_clock
from timebank.communities.models import Membership
from timebank.extensions import db
from timebank.identity.models import User

from . import attendance, services
from .models import Shift

POSTS = [
    dict(name="北门岗亭", kind="gate", place="幸福路 88 号北门", checkin_policy="static",
         description="核对外来人员和车辆，提醒居民锁好电动车。"),
    dict(name="幸福路与光明街路口文明劝导岗", kind="intersection", place="幸福路与光明街交叉口",
         checkin_policy="rotating", risky=True, description="早晚高峰劝导行人和电动车遵守信号灯，不闯红灯。"),
    dict(name="夜间平安巡逻", kind="patrol", place="小区主干道、地下车库、消防通道", checkin_policy="leader_scan",
         risky=True, description="检查消防通道和楼道杂物，提醒居民关好门窗，发现可疑情况及时报告。"),
    dict(name="党员示范岗", kind="party_post", place="社区党群服务中心", checkin_policy="static",
         description="在职党员双报到：接待居民、代办事项、政策宣传。"),
]

#: post index → (weekdays, start, end, capacity)
ROTA = {0: ("0,1,2,3,4", time(7, 0), time(9, 0), 2), 1: ("0,1,2,3,4", time(17, 0), time(18, 30), 4),
        2: ("0,1,2,3,4,5,6", time(19, 0), time(21, 0), 5), 3: ("5", time(9, 0), time(11, 0), 3)}


def load_demo(community, users):
    from flask import current_app

    app_clock = current_app.extensions["timebank"].clock  # the system clock, or a test's frozen one
    rng = random.Random(7)
    zone = services._zone(community)
    coordinator = users["coordinator"]
    volunteers = [users["volunteer"], *db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.community_id == community.id, User.username.like("neighbour%")).order_by(User.id).limit(8))]
    today = services.local_day(community)
    posts = [services.save_post(community, coordinator, **spec) for spec in POSTS]
    for person in volunteers:
        services.record_insurance(community, coordinator, person, "中国人民财产保险", f"PICC-{person.id:06d}",
                                  today.replace(year=today.year + 1))

    history_start = today - timedelta(days=14)
    try:
        for index, post in enumerate(posts):
            weekdays, start, end, capacity = ROTA[index]
            set_clock(current_app, lambda: datetime.combine(history_start, time(0), zone))
            services.create_series(community, coordinator, post, weekdays.split(","), start, end, history_start,
                                   today + timedelta(days=14), capacity,
                                   leader_id=coordinator.id if index in (0, 2) else users["admin"].id,
                                   note="请提前5分钟到岗，穿红马甲。" if index == 1 else "")
        _past_attendance(community, posts, volunteers, rng, today, zone, app_clock())
    finally:
        set_clock(current_app, app_clock)
    _sign_up_ahead(community, posts, volunteers, today)


def _past_attendance(community, posts, volunteers, rng, today, zone, start):
    """Walk through the past shifts with the clock: sign up, check in, check out (some late, one forgotten).
    ``start``: the moment the demo is loaded; nothing here happens after it."""
    from flask import current_app

    shifts = db.session.scalars(select(Shift).where(Shift.community_id == community.id,
                                                    Shift.starts_at < datetime.combine(today, time(0), zone))
                                .order_by(Shift.starts_at)).all()
    for shift in shifts:
        post = next(post for post in posts if post.id == shift.post_id)
        people = rng.sample(volunteers, k=min(len(volunteers), rng.randint(1, shift.capacity)))
        for person in people:
            set_clock(current_app, lambda moment=shift.starts_at - timedelta(days=2): moment)
            services.sign_up(shift, community, person)
            if rng.random() < 0.1:
                continue  # did not come
            arrival = shift.starts_at + timedelta(minutes=rng.choice([-8, -3, 0, 2, 12]))
            set_clock(current_app, lambda moment=arrival: moment)
            attendance.scan(post, community, person, "static" if post.checkin_policy != "rotating" else "rotating")
            if rng.random() < 0.05:
                continue  # forgot to check out: closed at the end of the shift below
            leaving = shift.ends_at + timedelta(minutes=rng.choice([-20, -2, 0, 3, 6]))
            set_clock(current_app, lambda moment=leaving: moment)
            attendance.scan(post, community, person, "static")
    # The morning's tidy-up: at 06:00, or now when the demo is loaded before six (never in the future).
    tidy = min(datetime.combine(today, time(6), zone), start)
    set_clock(current_app, lambda: tidy)
    attendance.close_forgotten(community)
    # The leaders confirmed the on-time attendances of all but the last few days.
    for shift in shifts:
        if shift.starts_at < datetime.combine(today - timedelta(days=4), time(0), zone):
            leader = shift.leader or db.session.get(User, shift.leader_id)
            attendance.confirm_on_time(shift, community, leader)


def _sign_up_ahead(community, posts, volunteers, today):
    """The demo volunteer is on duty at the north gate on the next weekdays and on tonight's patrol."""
    moment = now()
    upcoming = services.shifts_between(community, moment, moment + timedelta(days=7))
    volunteer = volunteers[0]
    for shift in upcoming:
        if shift.starts_at <= moment:
            continue  # under way (the window takes shifts that end after now): too late to sign up
        if shift.post_id == posts[0].id and len([s for s in services.upcoming_for(community, volunteer)]) < 3:
            services.sign_up(shift, community, volunteer)
        elif shift.post_id == posts[2].id and shift.starts_at.date() <= today + timedelta(days=1):
            for person in volunteers[1:4]:
                services.sign_up(shift, community, person)
