"""The audit log in words: every action code the core and the bundled plugins record is described by the area or
plugin that records it (``timebank_audit_actions``); the pages show who, when, what happened and the object in the
reader's language, details formatted for people, and never fail on an action nobody describes any more."""

import json
import re
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from timebank.audit.models import AuditEvent
from timebank.clock import now
from timebank.communities.models import Community
from timebank.communities.services import community_by_slug
from timebank.extensions import db
from timebank.plugin_state import set_plugin_enabled

ROOT = Path(__file__).resolve().parent.parent
ADMIN_AUDIT = "/c/maple/admin/audit"

#: Codes built at run time (``"ledger.relative_" + relative.status``): the values each prefix takes. A new prefix
#: fails ``test_every_recorded_action_is_described`` until it is listed here.
BUILT_CODES = {
    "ledger.relative_": ("confirmed", "rejected"),
    "honor_awards.objection_": ("upheld", "dismissed"),
    "elder_meals.stop_": ("delivered", "no_answer"),
    "elder_meals.order_": ("served", "missed"),
}
RECORD_AUDIT = re.compile(r"record_audit\(\s*(.*?),\s*(?:actor|community|target|detail|on_behalf_of)=", re.S)
INSERTED = re.compile(r"\baction=\"([a-z_]+\.[a-z_]+)\"")
CODE = re.compile(r"\"([a-z_]+\.[a-z_]*)\"")


def recorded_codes():
    """Every action code passed to ``record_audit`` (or inserted as ``action="..."``) in the core and the bundled
    plugins, found in the source."""
    sources = [path for path in [*ROOT.joinpath("timebank").rglob("*.py"), *ROOT.joinpath("plugins").rglob("*.py")]
               if "tests" not in path.parts and "migrations" not in path.parts]
    codes = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for first_argument in RECORD_AUDIT.findall(text):
            for code in CODE.findall(first_argument):
                if code.endswith("_"):
                    assert code in BUILT_CODES, f"{path}: list the values of {code!r} in BUILT_CODES"
                    codes.update(code + value for value in BUILT_CODES[code])
                else:
                    codes.add(code)
        codes.update(INSERTED.findall(text))
    return codes


def page_text(html):
    """What a person reads: the page without tags, spaces collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace(" · ", " · ")


def entries_text(html):
    """The text of each audit entry, in order (spaces collapsed, none around the tags)."""
    items = re.findall(r'<li class="audit-entry"[^>]*>(.*?)</li>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def zh(app, text, **variables):
    with app.test_request_context(), force_locale("zh_CN"):
        return gettext(text, **variables)


def add_event(app, action, slug="maple", actor=None, target=("", ""), detail=None):
    """An event as a service (or a plugin that is gone now) recorded it."""
    with app.app_context():
        community_id = db.session.scalar(select(Community.id).where(Community.slug == slug)) if slug else None
        event = AuditEvent(created_at=now(), community_id=community_id, actor_id=actor, action=action,
                           target_type=target[0], target_id=str(target[1]), detail_json=json.dumps(detail or {}))
        db.session.add(event)
        db.session.commit()
        return event.id


@pytest.mark.database_independent
def test_the_source_scan_finds_the_recorded_codes():
    codes = recorded_codes()
    assert {"ledger.confirmed", "plugin.enabled", "plugin.disabled", "ledger.relative_rejected",
            "elder_meals.menu_saved", "elder_meals.stop_no_answer", "honor_awards.unshortlisted",
            "repair_team.signed_off", "qr_checkin.checked_out", "mutual_aid.settled"} <= codes
    assert len(codes) > 120


def test_every_recorded_action_is_described(app):
    declared = app.extensions["timebank"].audit_actions
    assert sorted(recorded_codes() - set(declared)) == []
    for code, action in declared.items():
        area = code.split(".")[0]
        info = app.extensions["timebank"].plugins[action.plugin]
        assert info.is_core or area == action.plugin, code
        with app.test_request_context(), force_locale("zh_CN"):
            chinese = str(action.label)
        with app.test_request_context(), force_locale("en"):
            assert chinese and chinese != str(action.label), f"{code}: translate {str(action.label)!r}"


def test_entries_read_as_words_with_details_formatted_for_people(app, client, auth, community):
    add_event(app, "ledger.confirmed", actor=community["coordinator"], target=("record", 606),
              detail={"minutes": 120, "bulk": True})
    add_event(app, "elder_meals.menu_saved", actor=community["admin"], target=("elder_meals_menu", 28))
    add_event(app, "team.member_added", actor=community["coordinator"], target=("team", 999),
              detail={"user_id": community["volunteer"], "leader": False})
    add_event(app, "membership.role_changed", actor=community["admin"], target=("user", community["resident"]),
              detail={"from": "resident", "to": "volunteer"})
    auth.login("maple.admin")
    html = client.get(ADMIN_AUDIT).get_data(as_text=True)
    role_changed, member_added, menu, confirmed = entries_text(html)[:4]  # newest first
    assert zh(app, "confirmed service hours") == "确认了服务时长"
    assert "王芳" in confirmed and "确认了服务时长 · 2小时 · 批量" in confirmed and "服务记录 #606" in confirmed
    assert "李主任" in menu and "保存了菜单" in menu and "菜单 #28" in menu
    assert "添加了队员 · 陈志强" in member_added and "任队长" not in member_added  # a false flag says nothing
    assert "更改了成员角色 · 变更前：居民 · 变更后：志愿者" in role_changed and "刘洋" in role_changed
    for code in ("ledger.confirmed", "elder_meals.menu_saved", "elder_meals_menu", "bulk", "True", "minutes"):
        assert code not in page_text(html), code
    assert 'data-action="ledger.confirmed"' in html  # the code stays findable for whoever needs it


def test_yes_and_no_in_words_and_amounts_in_yuan(app, client, auth, community):
    add_event(app, "mutual_aid.profile_updated", actor=community["coordinator"], target=("user", community["resident"]),
              detail={"priority_elder": True, "verified": False, "suspended": False})
    add_event(app, "repair_team.material_added", actor=community["volunteer"], target=("repair_order", 7),
              detail={"cost_fen": 1250})
    auth.login("maple.admin")
    materials, profile = entries_text(client.get(ADMIN_AUDIT).get_data(as_text=True))[:2]
    assert "登记了维修材料 · 费用：¥12.50" in materials and "工单 #7" in materials
    assert "社区已核实身份：否" in profile and "（由捐赠池支付时间币）：是" in profile and "刘洋" in profile


def test_an_action_nobody_describes_shows_its_code(app, client, auth, community):
    """A plugin that was removed: its entries still show, by their code, with their details as they are."""
    add_event(app, "parcel_lockers.locker_opened", actor=community["coordinator"],
              target=("parcel_lockers_locker", 7), detail={"door": 3, "forced": True, "note": None})
    add_event(app, "ledger.confirmed", actor=community["coordinator"], target=("record", 8),
              detail={"minutes": "many", "extra": False})  # a value of another shape, a key nobody declared
    add_event(app, "team.member_added", target=("team", "x"), detail={"user_id": {"id": 3}, "leader": "yes"})
    auth.login("maple.admin")
    response = client.get(ADMIN_AUDIT)
    assert response.status_code == 200
    odd, confirmed, opened = entries_text(response.get_data(as_text=True))[:3]
    assert "添加了队员 · id: 3 · 任队长" in odd and "队伍 #x" in odd
    assert "<code>parcel_lockers.locker_opened</code>" in response.get_data(as_text=True)
    assert "parcel_lockers.locker_opened · door：3 · forced：是" in opened and "parcel_lockers_locker 7" in opened
    assert "确认了服务时长 · many · extra：否" in confirmed


def test_a_plugin_switched_off_still_describes_its_past_entries(app, client, auth, community):
    with app.app_context():
        set_plugin_enabled(community_by_slug("maple"), "elder_meals", False)
    add_event(app, "elder_meals.order_placed", actor=community["resident"], target=("elder_meals_order", 3),
              detail={"day": "2026-11-20", "slot": "lunch", "mode": "delivery", "as": "self", "late": True})
    auth.login("maple.admin")
    entry = entries_text(client.get(ADMIN_AUDIT).get_data(as_text=True))[0]
    assert "订了餐 · 2026年11月20日 · 午餐 · 送餐上门 · 下单人：老人本人 · 超过截止时间" in entry
    assert "订餐 #3" in entry


def test_events_of_the_pages_services_read_in_words(app, client, auth, community):
    """Real events, recorded by the services behind the pages: a team, a setting and a plugin switch."""
    auth.login("maple.admin")
    client.post("/c/maple/admin/teams", data={"name": "平安巡逻队", "kind": "patrol"})
    client.post("/c/maple/admin/settings", data={"name": "枫林社区", "organising_unit": "枫林社区",
                                                "contact_phone": "021-12345678", "timezone": "Asia/Shanghai"})
    entries = entries_text(client.get(ADMIN_AUDIT).get_data(as_text=True))
    assert "修改了社区信息 · 修改项：联系电话、线上注册" in entries[0]
    assert "李主任" in entries[1] and "创建了队伍" in entries[1] and "平安巡逻队" in entries[1]


def test_the_district_log_names_the_community(app, client, auth, make, community):
    make.district_admin()
    add_event(app, "ledger.gift", actor=community["volunteer"], target=("user", community["resident"]),
              detail={"minutes": 90})
    add_event(app, "auth.login_failed", slug=None, detail={"username": "zhang"})
    auth.login("district")
    entries = entries_text(client.get("/district/audit").get_data(as_text=True))
    # (the district admin's own login comes first)
    assert any("系统" in entry and "登录失败 · 用户名：zhang" in entry for entry in entries)
    gift = next(entry for entry in entries if "转赠了时间币" in entry)
    assert "时间币：1.5" in gift and "枫林社区 · 刘洋" in gift and "陈志强" in gift


def test_one_page_of_the_log_takes_a_few_statements(app, client, auth, community):
    from timebank.testing import page_statements

    for number in range(30):
        add_event(app, "team.member_added", actor=community["coordinator"], target=("team", number),
                  detail={"user_id": community["volunteer"], "leader": True})
    auth.login("maple.admin")
    few = page_statements(app, client, ADMIN_AUDIT)
    for number in range(30):
        add_event(app, "membership.role_changed", actor=community["admin"], target=("membership", number),
                  detail={"from": "resident", "to": "volunteer"})
    assert page_statements(app, client, ADMIN_AUDIT) <= few + 1  # the memberships' names, once

