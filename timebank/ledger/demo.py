"""A year of ledger history for the demo community, written through the ledger's own services.

The demo volunteer gets about 130 confirmed hours (one star and progress to the next), thirty neighbours get a
realistic spread, the coordinator's queue holds pending and overdue claims, one gift between relatives, and
one certificate with a fixed number (``DEMO_CERTIFICATE``) that the README mentions.
"""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..clock import now
from ..communities.models import Membership
from ..extensions import db
from ..identity.models import User
from ..settings import save_settings
from .accounts import atomic
from .certificates import issue_certificate
from .credits import decide_relative, gift_credits, name_relative
from .records import confirm, record_service

DEMO_CERTIFICATE = "ZY2026-XFLQ-8888"

ACTIVITIES = [
    ("ledger.elder_care", "陪伴独居老人聊天", "3号楼", 60, 120),
    ("ledger.elder_care", "帮助老人买菜送菜", "社区菜市场", 60, 90),
    ("ledger.elder_care", "陪同老人就医", "区人民医院", 120, 180),
    ("ledger.mutual_help", "帮邻居搬运家具", "5号楼", 60, 120),
    ("ledger.mutual_help", "辅导孩子作业", "社区活动室", 60, 90),
    ("ledger.community_service", "小区环境清洁", "中心花园", 90, 150),
    ("ledger.community_service", "垃圾分类督导", "垃圾分类点", 60, 120),
    ("ledger.safety", "夜间平安巡逻", "小区主干道", 60, 120),
    ("ledger.safety", "北门值守", "北门岗亭", 120, 180),
    ("ledger.culture_education", "反诈骗宣传", "社区广场", 90, 120),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["秀英", "建国", "桂兰", "志明", "丽华", "国强", "淑珍", "海燕", "德明", "玉梅", "文杰", "晓燕", "长江",
         "红梅", "子涵", "浩然", "雅琴", "振华", "美玲", "立新"]


def _at(day, hour, minute, tz):
    return datetime.combine(day, time(hour, minute), tz)


def _serve(community, person, start, length, activity, leader, confirmer=None):
    category, name, place, _low, _high = activity
    with atomic():
        record = record_service(community, person, category=category, activity_name=name, started_at=start,
                                ended_at=start + timedelta(minutes=length), place=place,
                                content=f"{name}，服务认真。", activity_leader=leader.display_name, leader=leader,
                                actor=person)
        if confirmer is not None:
            confirm(record, community, confirmer, within_transaction=True)
    return record


def load_demo_ledger(community, users):
    """``users``: the demo accounts by username. Returns the number of records written."""
    rng = random.Random(2026)
    tz = ZoneInfo(community.timezone)
    today = now().astimezone(tz).date()
    coordinator, volunteer, admin = users["coordinator"], users["volunteer"], users["admin"]
    written = 0

    neighbours = []
    for index in range(30):
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]
        person = User(username=f"neighbour{index + 1:02d}", display_name=name, locale="zh_CN", created_at=now())
        db.session.add(person)
        db.session.flush()
        db.session.add(Membership(user_id=person.id, community_id=community.id, role="volunteer", status="active",
                                  volunteer_number=f"V{index + 10:05d}", public_consent=index % 3 != 0,
                                  created_at=now(), decided_at=now()))
        neighbours.append(person)
    db.session.commit()

    # The demo volunteer: about two services a week for a year.
    day = today - timedelta(days=365)
    while day < today - timedelta(days=16):
        activity = ACTIVITIES[rng.randrange(len(ACTIVITIES))]
        length = rng.choice([60, 90, 120])
        _serve(community, volunteer, _at(day, rng.choice([8, 9, 14, 19]), 0, tz), length, activity, coordinator,
               coordinator)
        written += 1
        day += timedelta(days=rng.choice([3, 4]))

    # Neighbours: a few services each month, more for some.
    for index, person in enumerate(neighbours):
        day = today - timedelta(days=rng.randrange(200, 360))
        step = 14 + index % 12
        while day < today - timedelta(days=16):
            activity = ACTIVITIES[rng.randrange(len(ACTIVITIES))]
            _serve(community, person, _at(day, rng.choice([8, 9, 15, 19]), 30, tz), rng.choice([60, 90, 120]),
                   activity, coordinator, admin if index % 2 else coordinator)
            written += 1
            day += timedelta(days=step + rng.randrange(0, 5))

    # The coordinator's queue: recent claims, some already overdue (older than ten working days).
    for offset, person in zip((18, 19, 22, 24, 27, 30), [volunteer, *neighbours[:5]], strict=False):
        activity = ACTIVITIES[offset % len(ACTIVITIES)]
        with atomic():
            record_service(community, person, category=activity[0], activity_name=activity[1],
                           started_at=_at(today - timedelta(days=offset), 9, 0, tz),
                           ended_at=_at(today - timedelta(days=offset), 10, 30, tz), place=activity[2],
                           is_backfill=True, evidence_note="活动群里有照片，队长可作证。", actor=person)
        written += 1

    # A gift between relatives: the demo volunteer gives credits to their mother.
    mother = users["resident"]
    named = name_relative(community, volunteer, mother, "parent", volunteer)
    decide_relative(community, named, coordinator, True)
    gift_credits(community, volunteer, mother, 5 * 60, volunteer, note="给妈妈以后用")

    # One certificate with a number everybody can try on the public verification page.
    save_settings("core_ledger", {"certificate_person_in_charge": "李主任", "certificate_handler": "王芳"},
                  community, admin)
    certificate = issue_certificate(community, volunteer, volunteer, number=DEMO_CERTIFICATE)
    return written, certificate
