"""Demo data of 幸福里社区, written through the plugin's services with the clock moved through the past:

* last year's 最美家庭: nominated, visited, scored, voted, on notice with one dismissed objection, final,
  forwarded to the sub-district (the resident's household is on the honour wall, with a certificate);
* this year's 文明家庭 in its public vote (the resident and the elder can vote today; a burst of stuffed votes
  from one phone waits for the coordinator; the elder is asked how his family's name may appear);
* this year's 最美楼院 on public notice with an objection waiting for the coordinator;
* this year's 道德模范 taking nominations (the volunteer can nominate);
* star volunteers: proposed by the ledger's own demo history (their notice is up).
"""

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from timebank.clock import set_clock
from timebank.communities.models import Building, Household, Membership
from timebank.extensions import db
from timebank.identity.models import User

from . import awards, nominations, notices, review, voting
from .campaigns import Schedule, save_campaign
from .services import local_today, zone

FAMILY_STORIES = [
    ("孙桂兰", "孙阿姨一家三代同住，照顾卧床的老母亲十余年如一日；儿子儿媳常年参加楼道清洁和垃圾分类督导。"),
    ("周建国", "周师傅退休后义务为邻居修理水电，家里常备工具箱，谁家有事一个电话就到；孩子考上大学后回社区辅导作业。"),
    ("吴淑珍", "吴老师一家热心公益，疫情期间主动承担楼栋团购分发，平时邻里有困难总是第一个伸出援手。"),
    ("郭海燕", "郭女士夫妻和睦、孝敬公婆，家风家训“勤俭持家、与人为善”，多次获评楼栋文明户。"),
]
BUILDING_STORIES = {
    "2号楼": "楼道干净整洁无杂物，居民自发种植绿植；楼栋长每月组织一次邻里议事，电动车统一到充电棚充电。",
    "5号楼": "五号楼成立“邻里守望”小组，独居老人每天有人问候；楼道消防器材齐全，多年无安全事故。",
}


def _at(community, day, hour=10):
    return datetime.combine(day, time(hour), zone(community))


def _move(moment):
    set_clock(current_app, lambda: moment)


def load_demo(community, users):
    today = local_today(community)
    people = db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.community_id == community.id, User.username.like("neighbour%")).order_by(User.username)).all()
    households = db.session.scalars(select(Household).where(Household.community_id == community.id)
                                    .order_by(Household.id)).all()
    if len(people) < 26 or len(households) < 40 + 3 * len(FAMILY_STORIES):  # a partial demo: no neighbours
        return
    previous_clock = current_app.extensions["timebank"].clock  # the system clock, or a test's frozen one
    try:
        _last_years_families(community, users, people, households, today)
        _this_years_civilised_families(community, users, people, households, today)
        _this_years_buildings(community, users, today)
        _this_years_models(community, users, people, today)
    finally:
        set_clock(current_app, previous_clock)


def _score_and_shortlist(community, users, nomination, points, visit_day):
    coordinator, admin = users["coordinator"], users["admin"]
    review.record_visit(nomination, community, coordinator, visit_day,
                        "入户走访：家庭和睦，邻里评价好，材料属实。")
    criteria = nomination.campaign.criteria_items
    for reviewer, offset in ((coordinator, 0), (admin, -2)):
        review.save_scores(nomination, community, reviewer, {
            criterion.id: max(0, min(criterion.max_points, round(criterion.max_points * points / 100) + offset))
            for criterion in criteria})
    review.set_shortlisted(nomination, community, coordinator)


def _family_nominations(community, people, households, campaign, start, stories):
    created = []
    for index, (name, story) in enumerate(stories):
        _move(_at(community, start + timedelta(days=index)))
        created.append(nominations.nominate(
            campaign, community, people[index + 2], nominator_kind="neighbour",
            household_id=households[40 + FAMILY_STORIES.index((name, story)) * 3].id, nominee_name=name,
            statement=story))
    return created


def _last_years_families(community, users, people, households, today):
    coordinator, resident, volunteer = users["coordinator"], users["resident"], users["volunteer"]
    start = today - timedelta(days=150)
    _move(_at(community, start, 9))
    campaign = save_campaign(
        community, coordinator, title=f"{today.year - 1}年度最美家庭", kind="household", year=today.year - 1,
        criteria="夫妻和睦、尊老爱幼、科学教子、勤俭持家、邻里互助。",
        quota=3, rubric="家庭和睦 30\n邻里互助 25\n热心公益 20\n家风家训 15\n勤俭持家 10",
        schedule=Schedule(start, start + timedelta(days=20), start + timedelta(days=30), start + timedelta(days=31),
                          start + timedelta(days=37), 7, start + timedelta(days=50)))
    _move(_at(community, start + timedelta(days=1)))
    own = nominations.nominate(campaign, community, resident, nominator_kind="self", nominee_name="刘洋",
                               full_name_consent=True, motto="家和万事兴，邻里一家亲",
                               statement="我家三口人，平时积极参加社区志愿活动，照顾楼上独居的赵大爷，每周帮他买菜、陪他聊天。")
    others = _family_nominations(community, people, households, campaign, start + timedelta(days=3),
                                 FAMILY_STORIES)
    visit_day = start + timedelta(days=24)
    _move(_at(community, visit_day, 15))
    for nomination, points in zip([own, *others], (92, 88, 81, 85, 70), strict=True):
        _score_and_shortlist(community, users, nomination, points, visit_day)
    for day in range(0, 7, 2):
        for voter_index, voter in enumerate([volunteer, *people[8:16]]):
            _move(_at(community, start + timedelta(days=31 + day), 8 + voter_index % 12))
            choice = [own, *others][(voter_index + day) % 5]
            voting.cast_vote(campaign, community, voter, choice, device=f"demo-{voter.id}")
    _move(_at(community, start + timedelta(days=38), 9))
    winners = [row.nomination.id for row in review.standings(campaign, community)[:3]]
    notice = awards.publish_notice(campaign, community, coordinator, winners)
    _move(_at(community, start + timedelta(days=40), 20))
    objection = notices.lodge_objection(notice, community, people[25],
                                        "听说这家人去年和邻居因为停车吵过架，是否还符合条件？", notice.items[-1].id)
    _move(_at(community, start + timedelta(days=41), 11))
    notices.resolve_objection(objection, community, coordinator, upheld=False,
                              resolution="经网格员和楼栋长核实，双方已在社区调解下和解，不影响评选。")
    _move(_at(community, start + timedelta(days=46), 9))
    notices.close_notice(notice, community, coordinator)
    awards.forward_results(campaign, community, coordinator, "幸福街道办事处")


def _this_years_civilised_families(community, users, people, households, today):
    coordinator, volunteer = users["coordinator"], users["volunteer"]
    start = today - timedelta(days=30)
    _move(_at(community, start, 9))
    campaign = save_campaign(
        community, coordinator, title=f"{today.year}年度文明家庭", kind="household", year=today.year,
        criteria="爱国守法、遵德守礼、平等和谐、敬业诚信、家风淳朴、绿色节俭、热心公益。",
        quota=3, rubric="遵德守礼 25\n平等和谐 20\n家风淳朴 20\n热心公益 20\n绿色节俭 15",
        schedule=Schedule(start, today - timedelta(days=12), today - timedelta(days=5), today - timedelta(days=4),
                          today + timedelta(days=3), 7, today + timedelta(days=15)))
    _move(_at(community, start + timedelta(days=2)))
    elder_household = db.session.scalar(select(Membership.household_id).where(
        Membership.user_id == users["elder"].id, Membership.community_id == community.id))
    elders = nominations.nominate(campaign, community, volunteer, nominator_kind="neighbour",
                                  household_id=elder_household, nominee_name=users["elder"].display_name,
                                  statement="赵大爷老两口退休后坚持每天清扫单元楼道，二十年来风雨无阻，还把自家小院的蔬菜分给邻居。")
    _move(_at(community, start + timedelta(days=3)))
    own = nominations.nominate(campaign, community, volunteer, nominator_kind="self", nominee_name="陈志强",
                               full_name_consent=True, motto="做好事不留名，帮邻居不图报",
                               statement="我们全家都是志愿者：我参加夜间巡逻和便民维修，爱人在老年食堂帮厨，孩子周末到四点半学校当小老师。")
    others = _family_nominations(community, people, households, campaign, start + timedelta(days=5),
                                 FAMILY_STORIES[1:])
    visit_day = today - timedelta(days=8)
    _move(_at(community, visit_day, 15))
    for nomination, points in zip([elders, own, *others], (90, 86, 84, 79, 75), strict=True):
        _score_and_shortlist(community, users, nomination, points, visit_day)
    candidates = [elders, own, *others]
    for day in range(4):
        for voter_index, voter in enumerate(people[4:12]):
            _move(_at(community, today - timedelta(days=4 - day), 7 + voter_index % 14))
            voting.cast_vote(campaign, community, voter, candidates[(voter_index * 3 + day) % 5],
                             device=f"demo-{voter.id}")
    # Ballot stuffing: four accounts voting for one family from the same phone within three minutes.
    burst = _at(community, today - timedelta(days=1), 23)
    for offset, voter in enumerate(people[20:24]):
        _move(burst + timedelta(seconds=50 * offset))
        voting.cast_vote(campaign, community, voter, others[-1], device="demo-same-phone")


def _this_years_buildings(community, users, today):
    coordinator, resident = users["coordinator"], users["resident"]
    start = today - timedelta(days=40)
    _move(_at(community, start, 9))
    campaign = save_campaign(
        community, coordinator, title=f"{today.year}年度最美楼院", kind="building", year=today.year,
        criteria="楼道整洁无杂物、消防通道畅通、邻里和睦互助、垃圾分类到位。", quota=2,
        rubric="环境整洁 30\n安全有序 25\n邻里互助 25\n垃圾分类 20",
        schedule=Schedule(start, today - timedelta(days=25), today - timedelta(days=3), None, None, 7,
                          today + timedelta(days=10)))
    buildings = {b.name: b for b in db.session.scalars(select(Building).where(Building.community_id == community.id))}
    created = []
    for index, (name, story) in enumerate(BUILDING_STORIES.items()):
        _move(_at(community, start + timedelta(days=2 + index)))
        created.append(nominations.nominate(campaign, community, resident if index else users["volunteer"],
                                            nominator_kind="neighbour", building_id=buildings[name].id,
                                            statement=story))
    visit_day = today - timedelta(days=10)
    _move(_at(community, visit_day, 15))
    for nomination, points in zip(created, (91, 87), strict=True):
        _score_and_shortlist(community, users, nomination, points, visit_day)
    _move(_at(community, today - timedelta(days=2), 9))
    notice = awards.publish_notice(campaign, community, coordinator, [n.id for n in created])
    _move(_at(community, today - timedelta(days=1), 19))
    notices.lodge_objection(notice, community, users["elder"],
                            "5号楼地下室最近堆了很多纸箱，消防通道不畅，希望核实后再评。", notice.items[-1].id)


def _this_years_models(community, users, people, today):
    coordinator = users["coordinator"]
    start = today - timedelta(days=3)
    _move(_at(community, start, 9))
    campaign = save_campaign(
        community, coordinator, title=f"{today.year}年度道德模范", kind="person", year=today.year,
        criteria="助人为乐、见义勇为、诚实守信、敬业奉献、孝老爱亲。", quota=5,
        rubric="事迹突出 40\n群众认可 30\n示范带动 30",
        schedule=Schedule(start, today + timedelta(days=11), today + timedelta(days=18), None, None, 5,
                          today + timedelta(days=30)))
    _move(_at(community, start + timedelta(days=1)))
    nominations.nominate(campaign, community, coordinator, nominator_kind="organisation", organisation_name="社区妇联",
                         nominee_user=people[0],
                         statement="十年如一日照顾瘫痪在床的婆婆，还义务照看楼里三位独居老人，被邻居称为“好媳妇”。")
    _move(_at(community, start + timedelta(days=2)))
    nominations.nominate(campaign, community, users["resident"], nominator_kind="neighbour", nominee_user=people[1],
                         statement="去年冬天在小区门口发现晕倒的老人，第一时间拨打急救电话并做心肺复苏，挽救了老人生命。")
