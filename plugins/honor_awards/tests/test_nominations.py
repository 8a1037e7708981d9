"""Campaigns and nominations: schedule and rubric rules, who may nominate, eligibility, photos, consent and the
one veto — each refusal writes nothing."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select
from timebank_plugins.honor_awards import campaigns, nominations
from timebank_plugins.honor_awards.models import Award, Campaign, Nomination, Photo
from timebank_plugins.honor_awards.services import campaign_in, nomination_in

from timebank.errors import PermissionDenied, ValidationFailed
from timebank.extensions import db
from timebank.settings import save_settings

from .conftest import TODAY, schedule


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def nominate(ctx, campaign_id, username, **kwargs):
    kwargs.setdefault("nominator_kind", "neighbour")
    kwargs.setdefault("statement", "热心帮助邻居，常年照顾楼里的独居老人，邻里评价很好。")
    return ctx(lambda c, users: nominations.nominate(campaign_in(c, campaign_id), c, users[username], **kwargs).id)


def test_rubric_is_parsed_and_bad_lines_are_refused():
    assert campaigns.parse_rubric("家庭和睦 30\n邻里互助：25；热心公益,20分") == [
        ("家庭和睦", 30), ("邻里互助", 25), ("热心公益", 20)]
    for bad in ("", "家庭和睦", "家庭和睦 0", "家庭和睦 30\n家庭和睦 20", "\n".join(f"c{i} 10" for i in range(11))):
        with pytest.raises(ValidationFailed) as error:
            campaigns.parse_rubric(bad)
        assert error.value.field == "rubric"


@pytest.mark.parametrize("when, field", [
    ({"notice_days": 2}, "notice_days"),
    ({"notice_days": 8}, "notice_days"),
    ({"close_offset": -1}, "nominations_close_on"),
    ({"review_offset": 3}, "review_until"),
    ({"vote": (5, 13)}, "vote_opens_on"),
    ({"vote": (12, 11)}, "vote_closes_on"),
    ({"award_offset": 15}, "award_on"),
])
def test_a_bad_schedule_gets_a_clear_message_and_writes_nothing(ctx, maple, when, field):
    def create(c, users):
        with pytest.raises(ValidationFailed) as error:
            campaigns.save_campaign(c, users["coord"], title="2026年度最美家庭", kind="household", year=2026,
                                    rubric="家庭和睦 100", schedule=schedule(**when))
        return error.value.field, count(Campaign)

    assert ctx(create) == (field, 0)


def test_only_coordinators_create_campaigns(ctx, maple):
    def create(c, users):
        with pytest.raises(PermissionDenied):
            campaigns.save_campaign(c, users["leader"], title="x", kind="household", year=2026, rubric="a 10",
                                    schedule=schedule())
        return count(Campaign)

    assert ctx(create) == 0


def test_phases_follow_the_schedule(ctx, make_campaign, clock):
    campaign_id = make_campaign(open_offset=1)

    def phase(offset):
        from datetime import timedelta

        return ctx(lambda c, users: campaigns.phase_of(campaign_in(c, campaign_id), TODAY + timedelta(days=offset)))

    assert [phase(day) for day in (0, 1, 6, 7, 10, 13, 14)] == [
        "upcoming", "nominating", "nominating", "reviewing", "voting", "voting", "ready"]


def test_self_neighbour_and_household_nominations(ctx, make_campaign):
    campaign_id = make_campaign()
    own = nominate(ctx, campaign_id, "vol", nominator_kind="self", nominee_name="陈志强", full_name_consent=True)
    other = nominate(ctx, campaign_id, "vol", household_id=_household(ctx, "res"), nominee_name="赵大爷")

    def check(c, users):
        mine, theirs = nomination_in(c, own), nomination_in(c, other)
        return (mine.household_id, mine.name_consent, theirs.nominee_name, theirs.name_consent,
                theirs.nominated_by_id == users["vol"].id)

    assert ctx(check) == (_household(ctx, "vol"), "full", "赵大爷", "undecided", True)


def _household(ctx, username):
    from timebank.communities.models import Membership

    return ctx(lambda c, users: db.session.scalar(select(Membership.household_id).where(
        Membership.user_id == users[username].id)))


@pytest.mark.parametrize("kwargs, message", [
    ({"nominator_kind": "grid_worker"}, "grid worker"),
    ({"nominator_kind": "organisation", "organisation_name": "社区妇联"}, "team leaders or staff"),
    ({"nominator_kind": "ledger"}, "Choose one"),
    ({"statement": "太短了"}, "at least 20"),
])
def test_who_may_nominate_and_what_is_needed(ctx, make_campaign, kwargs, message):
    campaign_id = make_campaign()
    with pytest.raises(ValidationFailed, match=message):
        nominate(ctx, campaign_id, "res", nominee_name="孙桂兰", household_id=_household(ctx, "res2"), **kwargs)
    assert ctx(lambda c, users: count(Nomination)) == 0


def test_organisations_nominate_through_team_leaders_and_grid_workers_through_their_grid(ctx, make_campaign):
    campaign_id = make_campaign()
    nominate(ctx, campaign_id, "leader", nominator_kind="organisation", organisation_name="社区妇联",
             household_id=_household(ctx, "res2"), nominee_name="孙桂兰")

    def make_grid_worker(c, users):
        from timebank.communities.structure import add_grid

        add_grid(c, users["coord"], "第一网格", grid_worker_id=users["res3"].id)

    ctx(make_grid_worker)
    nominate(ctx, campaign_id, "res3", nominator_kind="grid_worker", household_id=_household(ctx, "res"),
             nominee_name="赵大爷")
    assert ctx(lambda c, users: sorted(n.organisation_name for n in db.session.scalars(select(Nomination)))) == [
        "", "社区妇联"]


def test_people_are_found_by_household_and_name(ctx, make_campaign):
    campaign_id = make_campaign(kind="person")
    nominate(ctx, campaign_id, "res", household_id=_household(ctx, "vol2"), nominee_name="刘洋")
    with pytest.raises(ValidationFailed, match="Nobody of this name") as error:
        nominate(ctx, campaign_id, "res", household_id=_household(ctx, "vol2"), nominee_name="刘大洋")
    assert error.value.field == "nominee_name"
    with pytest.raises(ValidationFailed, match="choose self-nomination"):
        nominate(ctx, campaign_id, "res", household_id=_household(ctx, "res"), nominee_name="赵大爷")
    assert ctx(lambda c, users: [n.user_id == users["vol2"].id for n in db.session.scalars(select(Nomination))]) \
        == [True]


def test_buildings_and_self_nomination_of_ones_own_building(ctx, make_campaign, maple):
    campaign_id = make_campaign(kind="building")
    nominate(ctx, campaign_id, "res", nominator_kind="self")
    with pytest.raises(ValidationFailed, match="Already nominated"):
        nominate(ctx, campaign_id, "vol", building_id=maple["buildings"][1])
    nominate(ctx, campaign_id, "vol", building_id=maple["buildings"][0])
    assert ctx(lambda c, users: sorted(n.nominee_name for n in db.session.scalars(select(Nomination)))) == [
        "1号楼", "2号楼"]


def test_nominations_only_while_the_window_is_open(ctx, make_campaign, clock):
    campaign_id = make_campaign(open_offset=1)
    with pytest.raises(ValidationFailed, match="closed"):
        nominate(ctx, campaign_id, "vol", nominator_kind="self")
    clock.day(7)
    with pytest.raises(ValidationFailed, match="closed"):
        nominate(ctx, campaign_id, "vol", nominator_kind="self")
    clock.day(6, hour=23)
    nominate(ctx, campaign_id, "vol", nominator_kind="self")


def test_residence_period_is_a_policy(ctx, make_campaign, clock):
    ctx(lambda c, users: save_settings("honor_awards", {"min_residence_months": 1}, c, users["admin"]))
    campaign_id = make_campaign(close_offset=40, review_offset=41, vote=None, award_offset=60)
    with pytest.raises(ValidationFailed, match="at least 1 month\\."):
        nominate(ctx, campaign_id, "vol", nominator_kind="self")
    clock.day(32)
    nominate(ctx, campaign_id, "vol", nominator_kind="self")


def test_not_honoured_twice_at_one_level_in_one_year(ctx, make_campaign, maple):
    first = make_campaign(title="2026年度最美家庭")
    own = nominate(ctx, first, "vol", nominator_kind="self")

    def honour(c, users):
        nomination = nomination_in(c, own)
        db.session.add(Award(community_id=c.id, campaign_id=first, nomination_id=own, kind="household",
                             household_id=nomination.household_id, title="2026年度最美家庭", level="community",
                             year=2026, awarded_on=TODAY, certificate_number="RY-TEST-1", created_at=nomination.created_at))
        db.session.commit()

    ctx(honour)
    second = make_campaign(title="2026年度文明家庭")
    with pytest.raises(ValidationFailed, match="Already honoured at this level this year"):
        nominate(ctx, second, "vol", nominator_kind="self")
    district = make_campaign(title="2026年度区级文明家庭", level="district")
    nominate(ctx, district, "vol", nominator_kind="self")


def jpeg_with_location():
    from PIL.ExifTags import Base

    image = Image.new("RGB", (2400, 1200), (200, 30, 40))
    exif = Image.Exif()
    exif[Base.GPSInfo] = {1: "N", 2: (31.0, 14.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photos_are_shrunk_and_lose_their_metadata(ctx, make_campaign):
    campaign_id = make_campaign()
    nominate(ctx, campaign_id, "vol", nominator_kind="self", photos=[jpeg_with_location()])

    def stored(c, users):
        photo = db.session.scalar(select(Photo))
        image = Image.open(io.BytesIO(photo.content))
        return image.size, dict(image.getexif())

    assert ctx(stored) == ((1600, 800), {})


@pytest.mark.parametrize("photos, message", [
    ([b"not a picture"], "JPEG, PNG or WebP"),
    ([jpeg_with_location()] * 4, "At most 3 photos"),
    ([b"\xff" * (5 * 1024 * 1024 + 1)], "5 MB"),
])
def test_bad_photos_are_refused_and_nothing_is_written(ctx, make_campaign, photos, message):
    campaign_id = make_campaign()
    with pytest.raises(ValidationFailed, match=message):
        nominate(ctx, campaign_id, "vol", nominator_kind="self", photos=photos)
    assert ctx(lambda c, users: (count(Nomination), count(Photo))) == (0, 0)


def test_only_the_candidate_decides_how_they_are_named(ctx, make_campaign):
    campaign_id = make_campaign()
    nomination_id = nominate(ctx, campaign_id, "vol", household_id=_household(ctx, "res"), nominee_name="赵大爷")
    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: nominations.set_consent(nomination_in(c, nomination_id), c, users["vol"], True))
    ctx(lambda c, users: nominations.set_consent(nomination_in(c, nomination_id), c, users["res"], True))
    assert ctx(lambda c, users: nomination_in(c, nomination_id).name_consent) == "full"
    assert ctx(lambda c, users: [n.id for n in nominations.undecided_consents(c, users["res"])]) == []


def test_the_one_veto_needs_a_reason_and_a_coordinator(ctx, make_campaign):
    campaign_id = make_campaign()
    nomination_id = nominate(ctx, campaign_id, "vol", nominator_kind="self")
    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: nominations.disqualify(nomination_in(c, nomination_id), c, users["leader"], "赌博"))
    with pytest.raises(ValidationFailed):
        ctx(lambda c, users: nominations.disqualify(nomination_in(c, nomination_id), c, users["coord"], "  "))
    ctx(lambda c, users: nominations.disqualify(nomination_in(c, nomination_id), c, users["coord"],
                                                "家庭成员有赌博违法记录"))
    assert ctx(lambda c, users: (nomination_in(c, nomination_id).status,
                                 nomination_in(c, nomination_id).disqualified_reason)) == (
        "disqualified", "家庭成员有赌博违法记录")
