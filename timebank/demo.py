"""The demo community: a small, realistic 社区 with the five demo accounts (password ``demo-password``).

Only in demo mode (``DEMO_MODE``, set by ``make run``): a production installation never gets accounts with a
published password.
"""

from flask import current_app
from sqlalchemy import func, select, update

from . import roles
from .clock import now
from .communities.models import Building, Community, Grid, Household, Membership, Stairwell, Team, TeamMember
from .events import commit
from .extensions import db
from .identity.models import User
from .notifications.models import Notification
from .notifications.services import notify
from .plugin_state import CommunityPlugin

DEMO_PASSWORD = "demo-password"

#: username, display name, role in the demo community, phone, elder mode
DEMO_ACCOUNTS = (
    ("admin", "管理员 李主任", roles.COMMUNITY_ADMIN, "13800000001", False),
    ("coordinator", "协调员 王芳", roles.COORDINATOR, "13800000002", False),
    ("volunteer", "志愿者 陈志强", roles.VOLUNTEER, "13800000003", False),
    ("resident", "居民 刘洋", roles.RESIDENT, "13800000004", False),
    ("elder", "赵大爷", roles.RESIDENT, None, True),
)


class DemoRefused(Exception):
    pass


def load_demo(if_empty=False):
    """Create the demo community. Returns False (and does nothing) when any community exists already."""
    if not current_app.config.get("DEMO_MODE"):
        raise DemoRefused("Demo data is only loaded in demo mode (set TIMEBANK_DEMO_MODE=1). It creates accounts "
                          "with a published password and must never run in production.")
    if db.session.scalar(select(func.count(Community.id))):
        if if_empty:
            return False
        raise DemoRefused("The database already holds communities; the demo is loaded into an empty database only.")
    moment = now()
    community = Community(slug="xingfuli", name="幸福里社区", timezone="Asia/Shanghai",
                          organising_unit="幸福里社区居民委员会", contact_phone="010-12345678",
                          address="幸福路 88 号", self_registration=True, created_at=moment)
    db.session.add(community)
    db.session.flush()

    grids = [Grid(community_id=community.id, name=name, level="small") for name in ("第一网格", "第二网格")]
    db.session.add_all(grids)
    db.session.flush()
    households = []
    for number in range(1, 7):
        building = Building(community_id=community.id, name=f"{number}号楼", grid_id=grids[(number - 1) // 3].id)
        db.session.add(building)
        db.session.flush()
        for unit in (1, 2):
            stairwell = Stairwell(community_id=community.id, building_id=building.id, name=f"{unit}单元")
            db.session.add(stairwell)
            db.session.flush()
            for floor in range(1, 7):
                for door in (1, 2):
                    households.append(Household(community_id=community.id, building_id=building.id,
                                                stairwell_id=stairwell.id, room=f"{floor}0{door}"))
    db.session.add_all(households)
    db.session.flush()

    users = {}
    for index, (username, name, role, phone, elder) in enumerate(DEMO_ACCOUNTS):
        user = User(username=username, display_name=name, phone=phone, locale="zh_CN", elder_mode=elder,
                    is_district_admin=username == "admin", created_at=moment)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
        number = None
        if roles.role_at_least(role, roles.VOLUNTEER):
            number = f"V{index + 1:05d}"
        db.session.add(Membership(user_id=user.id, community_id=community.id, role=role, status="active",
                                  volunteer_number=number, household_id=households[index * 7].id,
                                  created_at=moment, decided_at=moment))
        users[username] = user

    applicant = User(username="zhang.ayi", display_name="张阿姨", phone="13800000009", locale="zh_CN",
                     created_at=moment)
    applicant.set_password("zhang-ayi-2026")
    db.session.add(applicant)
    db.session.flush()
    db.session.add(Membership(user_id=applicant.id, community_id=community.id, role=roles.RESIDENT,
                              status="pending", wants_to_volunteer=True, address_note="3号楼2单元402",
                              application_note="退休教师，想参加周末巡逻。", created_at=moment))

    patrol = Team(community_id=community.id, name="平安巡逻队", kind="patrol",
                  description="每晚 18:30 出发，检查消防通道和楼道。", created_at=moment)
    repair = Team(community_id=community.id, name="便民维修队", kind="repair",
                  description="水电、门锁、小家电，材料按成本价，人工免费。", created_at=moment)
    db.session.add_all([patrol, repair])
    db.session.flush()
    db.session.add_all([
        TeamMember(team_id=patrol.id, user_id=users["coordinator"].id, is_leader=True, joined_at=moment),
        TeamMember(team_id=patrol.id, user_id=users["volunteer"].id, joined_at=moment),
        TeamMember(team_id=repair.id, user_id=users["volunteer"].id, joined_at=moment),
    ])
    system = current_app.extensions["timebank"]
    for info in system.optional_plugins:
        db.session.add(CommunityPlugin(community_id=community.id, plugin_name=info.name, enabled=True,
                                       changed_at=moment))
    commit()
    from .ledger.demo import load_demo_ledger

    load_demo_ledger(community, users)
    from .hooks import call_each

    call_each("timebank_demo_data", community=community, users=users)
    # A year of "your hours were confirmed" messages would bury the inbox: the history counts as read.
    db.session.execute(update(Notification).values(read_at=now()))
    notify(users["coordinator"], "membership.applied", "%(name)s asked to join %(community_name)s.",
           community=community, link=f"/c/{community.slug}/admin/registrations", name="张阿姨",
           community_name=community.name)
    commit()
    return True
