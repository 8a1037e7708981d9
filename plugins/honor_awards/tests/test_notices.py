"""Public notice and awards: publishing within the quota, objections during the period only, an open objection
blocks finalisation, upheld withdraws, dismissed keeps a reason, the awards and the ``timebank_award_granted``
hook exactly once, and the reusable notice step used by another plugin."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from timebank_plugins.honor_awards import awards, nominations, notices, review
from timebank_plugins.honor_awards.models import Award, Campaign, Notice, Objection
from timebank_plugins.honor_awards.services import campaign_in, nomination_in

from timebank import hookimpl
from timebank.errors import PermissionDenied, ValidationFailed
from timebank.extensions import db

from .conftest import TODAY

STORY = "热心帮助邻居，常年照顾楼里的独居老人，邻里评价很好。"


@pytest.fixture
def reviewed(ctx, make_campaign, clock):
    """A campaign without public vote (quota 2), three shortlisted families scored 90/80/70; day 10 (ready)."""
    campaign_id = make_campaign(vote=None, quota=2)

    def build(c, users):
        campaign = campaign_in(c, campaign_id)
        return [nominations.nominate(campaign, c, users[name], nominator_kind="self", statement=STORY,
                                     full_name_consent=name == "vol").id for name in ("vol", "res", "res2")]

    ids = ctx(build)
    clock.day(8)
    for nomination_id, points in zip(ids, (90, 80, 70), strict=True):
        def score(c, users, n=nomination_id, p=points):
            nomination = nomination_in(c, n)
            review.record_visit(nomination, c, users["coord"], TODAY + timedelta(days=7), "入户走访，情况属实。")
            first, second = nomination.campaign.criteria_items
            review.save_scores(nomination, c, users["coord"], {first.id: p * 60 // 100, second.id: p * 40 // 100})
            review.set_shortlisted(nomination, c, users["coord"])
        ctx(score)
    clock.day(10)
    return {"campaign": campaign_id, "nominations": ids}


def publish(ctx, reviewed, winners=None):
    ids = reviewed["nominations"][:2] if winners is None else winners
    return ctx(lambda c, users: awards.publish_notice(campaign_in(c, reviewed["campaign"]), c, users["coord"],
                                                      ids).id)


def test_publishing_respects_the_quota_the_shortlist_and_the_phase(ctx, reviewed, clock):
    with pytest.raises(ValidationFailed, match="At most 2"):
        publish(ctx, reviewed, reviewed["nominations"])
    with pytest.raises(ValidationFailed, match="among the shortlisted"):
        publish(ctx, reviewed, [])
    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: awards.publish_notice(campaign_in(c, reviewed["campaign"]), c, users["leader"],
                                                   reviewed["nominations"][:1]))
    clock.day(5)
    with pytest.raises(ValidationFailed, match="after the nominations"):
        publish(ctx, reviewed)
    assert ctx(lambda c, users: db.session.scalar(select(func.count(Notice.id)))) == 0
    clock.day(10)
    notice_id = publish(ctx, reviewed)

    def published(c, users):
        notice = notices.notice_in(c, notice_id)
        return (campaign_in(c, reviewed["campaign"]).status, [item.label for item in notice.items],
                awards.notice_last_day(notice, c), [nomination_in(c, n).status for n in reviewed["nominations"]])

    assert ctx(published) == ("notice", ["The 陈志强 family", "The 赵*爷 family"], TODAY + timedelta(days=16),
                              ["on_notice", "on_notice", "shortlisted"])
    with pytest.raises(ValidationFailed, match="already been published"):
        publish(ctx, reviewed)


def lodge(ctx, notice_id, username, reason="据我所知这家人上个月还在楼道里堆放杂物，不符合条件。", item=None):
    def run(c, users):
        notice = notices.notice_in(c, notice_id)
        item_id = notice.items[item].id if item is not None else None
        return notices.lodge_objection(notice, c, users[username], reason, item_id).id

    return ctx(run)


def test_objections_only_during_the_period_and_with_a_reason(ctx, reviewed, clock, make):
    notice_id = publish(ctx, reviewed)
    with pytest.raises(ValidationFailed, match="at least 10"):
        lodge(ctx, notice_id, "res2", reason="不同意")
    make.community("oak", "橡树社区")
    make.member("oak", "outsider", role="resident", display_name="外人")
    lodge(ctx, notice_id, "outsider", item=1)  # anyone logged in, not only members
    with pytest.raises(ValidationFailed, match="already lodged"):
        lodge(ctx, notice_id, "outsider", item=1)
    clock.day(17)  # the last day was day 16
    with pytest.raises(ValidationFailed, match="no longer accepted"):
        lodge(ctx, notice_id, "res2", item=0)
    assert ctx(lambda c, users: db.session.scalar(select(func.count(Objection.id)))) == 1


def test_an_open_objection_blocks_finalisation_then_dismissal_lets_it_through(ctx, reviewed, clock, register_plugin):
    granted = []

    class Listener:
        @hookimpl
        def timebank_award_granted(self, award, community):
            granted.append((award.title, award.household_id, community.slug))

    register_plugin(Listener(), "award_listener")
    notice_id = publish(ctx, reviewed)
    objection_id = lodge(ctx, notice_id, "res3", item=0)
    with pytest.raises(ValidationFailed, match="not over yet"):
        ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, users["coord"]))
    clock.day(17)
    with pytest.raises(ValidationFailed, match="Decide every open objection first"):
        ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, users["coord"]))
    assert ctx(lambda c, users: [n.id for n in notices.due_notices(c)]) == []
    with pytest.raises(ValidationFailed, match="Record why"):
        ctx(lambda c, users: notices.resolve_objection(notices.objection_in(c, objection_id), c, users["coord"],
                                                       upheld=False, resolution=""))
    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: notices.resolve_objection(notices.objection_in(c, objection_id), c, users["vol"],
                                                       upheld=False, resolution="没问题"))
    ctx(lambda c, users: notices.resolve_objection(notices.objection_in(c, objection_id), c, users["coord"],
                                                   upheld=False, resolution="经核实杂物已清理，不影响评选。"))
    ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, users["coord"]))
    with pytest.raises(ValidationFailed, match="already closed"):  # a second tap does nothing
        ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, users["coord"]))

    def results(c, users):
        rows = db.session.scalars(select(Award).order_by(Award.id)).all()
        return ([(a.title, a.level, a.year, a.awarded_on, a.certificate_number) for a in rows],
                [nomination_in(c, n).status for n in reviewed["nominations"]],
                campaign_in(c, reviewed["campaign"]).status)

    rows, statuses, status = ctx(results)
    assert rows == [("2026年度household", "community", 2026, TODAY + timedelta(days=25), "RY2026-MAPLE-0001"),
                    ("2026年度household", "community", 2026, TODAY + timedelta(days=25), "RY2026-MAPLE-0002")]
    assert statuses == ["awarded", "awarded", "not_selected"] and status == "final"
    assert len(granted) == 2 and {slug for _t, _h, slug in granted} == {"maple"}


def test_an_upheld_objection_withdraws_the_candidate(ctx, reviewed, clock):
    notice_id = publish(ctx, reviewed)
    objection_id = lodge(ctx, notice_id, "res3", item=1)
    ctx(lambda c, users: notices.resolve_objection(notices.objection_in(c, objection_id), c, users["coord"],
                                                   upheld=True, resolution="核实属实：家庭成员有违法记录。"))
    clock.day(17)
    assert ctx(lambda c, users: [n.id for n in notices.due_notices(c)]) == [notice_id]
    ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, None))  # the cron job
    assert ctx(lambda c, users: ([a.nomination_id for a in db.session.scalars(select(Award))],
                                 nomination_in(c, reviewed["nominations"][1]).status)) == (
        [reviewed["nominations"][0]], "withdrawn")


def test_hook_timebank_award_granted_listener_failing_does_not_undo_the_award(ctx, reviewed, clock, register_plugin):
    class Broken:
        @hookimpl
        def timebank_award_granted(self, award):
            raise RuntimeError("boom")

    register_plugin(Broken(), "broken_listener")
    notice_id = publish(ctx, reviewed)
    clock.day(17)
    ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, users["coord"]))
    assert ctx(lambda c, users: db.session.scalar(select(func.count(Award.id)))) == 2


def test_awards_appear_on_the_profile_wall_and_certificate(ctx, reviewed, clock):
    notice_id = publish(ctx, reviewed)
    clock.day(17)
    ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, users["coord"]))

    def read(c, users):
        wall = awards.honour_wall(c, 2026)
        mine = awards.awards_of(c, users["vol"])
        return ([(title, [name for _a, name in rows]) for title, rows in wall], [a.title for a in mine],
                awards.may_see_certificate(mine[0], c, users["vol"]), awards.may_see_certificate(mine[0], c,
                                                                                                 users["res"]),
                awards.certificate_name(mine[0]))

    wall, mine, own, other, name = ctx(read)
    assert wall == [("2026年度household", ["The 陈志强 family", "The 赵*爷 family"])]
    assert mine == ["2026年度household"] and own and not other and name == "陈志强家庭"  # the certificate is in Chinese


def test_forwarding_to_the_sub_district_once_final(ctx, reviewed, clock):
    notice_id = publish(ctx, reviewed)
    with pytest.raises(ValidationFailed, match="Only final"):
        ctx(lambda c, users: awards.forward_results(campaign_in(c, reviewed["campaign"]), c, users["coord"], "幸福街道"))
    clock.day(17)
    ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, users["coord"]))
    ctx(lambda c, users: awards.forward_results(campaign_in(c, reviewed["campaign"]), c, users["coord"], "幸福街道"))
    with pytest.raises(ValidationFailed, match="already been forwarded"):
        ctx(lambda c, users: awards.forward_results(campaign_in(c, reviewed["campaign"]), c, users["coord"], "x"))
    assert ctx(lambda c, users: db.session.scalar(select(Campaign.forwarded_to))) == "幸福街道"


class NoticeOwner:
    """Another plugin using the reusable notice step."""

    def __init__(self):
        self.upheld, self.closed = [], []

    @hookimpl
    def honor_awards_objection_upheld(self, notice, item, objection, actor, community):
        if notice.owner == "micro_wishes":
            self.upheld.append((item.key, objection.resolution, actor.username))

    @hookimpl
    def honor_awards_notice_closed(self, notice, items, actor, community):
        if notice.owner == "micro_wishes":
            self.closed.append([item.key for item in items])


def test_hook_honor_awards_objection_upheld_and_notice_closed_serve_other_plugins(ctx, maple, clock,
                                                                                 register_plugin):
    owner = register_plugin(NoticeOwner(), "micro_wishes")

    def open_(c, users):
        notice = notices.open_notice(c, users["coord"], owner="micro_wishes", subject="round-1", title="微心愿认领公示",
                                     ends_at=clock.now() + timedelta(days=3),
                                     items=[("wish-1", "王*明", "轮椅一台"), ("wish-2", "李*", "助听器")])
        db.session.commit()
        return notice.id

    notice_id = ctx(open_)
    objection_id = lodge(ctx, notice_id, "res", item=0)
    ctx(lambda c, users: notices.resolve_objection(notices.objection_in(c, objection_id), c, users["coord"],
                                                   upheld=True, resolution="重复申请"))
    clock.day(3)
    ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, users["coord"]))
    assert owner.upheld == [("wish-1", "重复申请", "coord")] and owner.closed == [["wish-2"]]
    assert ctx(lambda c, users: db.session.scalar(select(func.count(Award.id)))) == 0


def test_a_failing_owner_rolls_the_closing_back(ctx, maple, clock, register_plugin):
    class FailingOwner:
        @hookimpl
        def honor_awards_notice_closed(self, notice):
            raise RuntimeError("owner broken")

    register_plugin(FailingOwner(), "failing_owner")

    def open_(c, users):
        notice = notices.open_notice(c, users["coord"], owner="failing_owner", subject="x", title="公示",
                                     ends_at=clock.now() + timedelta(days=1))
        db.session.commit()
        return notice.id

    notice_id = ctx(open_)
    clock.day(2)
    with pytest.raises(RuntimeError):
        ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, users["coord"]))
    assert ctx(lambda c, users: notices.notice_in(c, notice_id).status) == "open"


@pytest.mark.parametrize("fields, building, expected", [
    ({"nominee_name": "陈志强", "name_consent": "full", "user_id": 3}, None, "陈志强"),
    ({"nominee_name": "陈志强", "name_consent": "masked", "user_id": 3}, None, "陈*强"),
    ({"nominee_name": "赵大爷", "name_consent": "masked", "household_id": 2}, None, "The 赵*爷 family"),
    ({"nominee_name": "赵大爷", "name_consent": "full", "household_id": 2, "user_id": 4}, None, "赵大爷"),
    ({"nominee_name": "3号楼", "name_consent": "undecided", "building_id": 5}, "幸福里3号楼", "幸福里3号楼"),
    ({"nominee_name": "3号楼", "name_consent": "undecided", "building_id": 5}, None, "3号楼"),  # building gone
])
def test_the_wall_names_people_from_columns_as_their_nomination_would(app, fields, building, expected):
    """The honour wall reads columns (``public_label``); nominations name themselves (``public_name``): the same."""
    from timebank_plugins.honor_awards.models import Nomination
    from timebank_plugins.honor_awards.services import public_label, public_name

    from timebank.communities.models import Building

    nomination = Nomination(**fields)
    if building:
        nomination.building = Building(name=building)
    columns = {"user_id": None, "household_id": None, "building_id": None, **fields}
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        assert public_name(nomination) == expected
        assert public_label(columns["nominee_name"], columns["name_consent"], columns["user_id"],
                            columns["household_id"], columns["building_id"], building) == expected


def test_the_home_card_reads_the_running_campaigns_and_the_notices_up_in_one_statement(app, ctx, reviewed, make):
    """``running_with_open_notices``: the notices' count with the running campaigns left-joined: the same campaigns
    as ``campaigns_in``, the same count as the notices, and a count also where no campaign runs."""
    from timebank_plugins.honor_awards.campaigns import campaigns_in, running_with_open_notices

    from timebank.communities.models import Community
    from timebank.testing import statements_during

    def read(c, users):
        seen = statements_during(lambda: running_with_open_notices(c), app)
        campaigns, count = running_with_open_notices(c)
        up = db.session.scalar(select(func.count(Notice.id)).where(Notice.community_id == c.id,
                                                                   Notice.status == "open"))
        assert [x.id for x in campaigns] == [x.id for x in campaigns_in(c, include_finished=False)]
        assert count == up and len(seen) == 1
        return len(campaigns), count

    assert ctx(read) == (1, 0)
    publish(ctx, reviewed)
    assert ctx(read) == (1, 1)
    make.community("pine", "松树社区")
    with app.test_request_context():
        pine = db.session.scalar(select(Community).where(Community.slug == "pine"))
        assert running_with_open_notices(pine) == ([], 0)
