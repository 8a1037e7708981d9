"""Fixtures for the repair-team tests: the community "maple" with buildings and households, a coordinator, a grid
worker, two roster volunteers (a plumber-handyman and a licensed electrician), a volunteer off the roster, two
residents; a second community "oak" with its own coordinator. The clock starts on Friday 2026-11-20, 09:00 in
Shanghai, and the tests move it."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from timebank.clock import set_clock

START = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 on Friday 20 November in Shanghai


@pytest.fixture
def clock(app):
    state = {"now": START}
    set_clock(app, lambda: state["now"])

    class Clock:
        @staticmethod
        def at(minutes_from_start):
            state["now"] = START + timedelta(minutes=minutes_from_start)

        @staticmethod
        def now():
            return state["now"]

    return Clock


@pytest.fixture
def repair(app, make, clock):
    """Ids of the people and households of "maple" (and "oak")."""
    make.community("maple", "枫林社区")
    make.community("oak", "橡树社区")
    ids = {
        "coordinator": make.member("maple", "coord", role="coordinator", display_name="王芳"),
        "gridworker": make.member("maple", "grid", role="resident", display_name="网格员小李"),
        "volunteer": make.member("maple", "vol", role="volunteer", display_name="陈志强"),
        "electrician": make.member("maple", "elec", role="volunteer", display_name="刘电工"),
        "volunteer2": make.member("maple", "vol2", role="volunteer", display_name="周小明"),
        "resident": make.member("maple", "res", role="resident", display_name="赵大爷"),
        "resident2": make.member("maple", "res2", role="resident", display_name="孙阿姨"),
        "oak_coordinator": make.member("oak", "oak.coord", role="coordinator", display_name="周强"),
    }
    with app.test_request_context():
        from timebank_plugins.repair_team import roster

        from timebank.communities import structure
        from timebank.communities.models import Community, Membership
        from timebank.extensions import db
        from timebank.identity.models import User

        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, ids["coordinator"])
        grid = structure.add_grid(maple, coordinator, "第一网格", grid_worker_id=ids["gridworker"])
        building = structure.add_building(maple, coordinator, "3号楼", grid_id=grid.id, stairwells=2)
        stairwell = building.stairwells[0]
        home = structure.add_household(maple, coordinator, building.id, "402", stairwell_id=stairwell.id)
        other = structure.add_household(maple, coordinator, building.id, "101", stairwell_id=stairwell.id)
        for username, household in (("res", home), ("res2", other)):
            membership = db.session.scalar(db.select(Membership).join(User, User.id == Membership.user_id).where(
                User.username == username))
            membership.household_id = household.id
        db.session.commit()
        plumber = roster.add_to_roster(maple, coordinator, db.session.get(User, ids["volunteer"]))
        roster.save_skills(maple, coordinator, plumber, ["water", "drains", "locks", "gas_check"])
        electrician = roster.add_to_roster(maple, coordinator, db.session.get(User, ids["electrician"]))
        roster.save_skills(maple, coordinator, electrician, ["electricity", "appliances"], "T3201-0042",
                           date(2028, 6, 30))
        ids.update(community=maple.id, home=home.id, other_home=other.id)
    return ids


@pytest.fixture
def ctx(app, repair):
    """Run service calls: ``ctx(lambda c, users: ...)`` in a fresh request context (``users`` by username)."""
    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    def run(function):
        from flask_babel import force_locale

        with app.test_request_context(), force_locale("en"):  # messages in English, as the tests spell them
            community = db.session.get(Community, repair["community"])
            users = {user.username: user for user in db.session.scalars(db.select(User))}
            return function(community, users)

    return run


def jpeg_bytes(size=(640, 480), colour=(200, 120, 40), exif=None, fmt="JPEG"):
    """A real little picture (optionally with EXIF) as an upload would carry it."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif is not None:
        image.save(buffer, fmt, exif=exif)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


class Upload:
    """What a form's file input sends, for the service functions (a ``FileStorage``)."""

    def __new__(cls, data, filename="photo.jpg", content_type="image/jpeg"):
        from werkzeug.datastructures import FileStorage

        return FileStorage(io.BytesIO(data), filename=filename, content_type=content_type)


@pytest.fixture
def order_for(ctx):
    """``order_for(category="water", urgency="normal", requester="res", **kwargs)`` → order id (submitted)."""

    def create(category="water", urgency="normal", requester="res", **kwargs):
        from timebank_plugins.repair_team import services

        def submit(c, users):
            person = users[requester]
            from timebank.communities.services import active_membership

            household = kwargs.pop("household_id", None) or active_membership(person, c).household_id
            return services.submit_request(c, person, person, category=category, urgency=urgency,
                                           description=kwargs.pop("description", "厨房水龙头一直滴水"),
                                           household_id=household, **kwargs).id

        return ctx(submit)

    return create


@pytest.fixture
def advance(ctx, clock):
    """``advance(order_id, to="done")``: walk an order through the workflow with the default volunteer."""

    def walk(order_id, to="done", volunteer="vol", minutes_on_job=50):
        from timebank_plugins.repair_team import dispatch, services, workflow

        steps = ["assigned", "on_the_way", "in_progress", "done", "signed_off"]
        for step in steps[:steps.index(to) + 1]:
            def act(c, users, step=step):
                order = services.order_in(c, order_id)
                person = users[volunteer]
                if step == "assigned":
                    dispatch.assign(order, c, users["coord"], person, clock.now() + timedelta(hours=1))
                elif step == "on_the_way":
                    workflow.set_on_the_way(order, c, person)
                elif step == "in_progress":
                    workflow.start_work(order, c, person)
                elif step == "done":
                    workflow.finish_work(order, c, person, "换了新的密封圈", "已检查，无泄漏" if
                                         order.category == "gas_check" else "")
                else:
                    workflow.sign_off(order, c, order.requester, order.requester)

            if step == "in_progress":
                clock.at((clock.now() - START).total_seconds() / 60 + 20)  # twenty minutes of travel
            if step == "done":
                clock.at((clock.now() - START).total_seconds() / 60 + minutes_on_job)
            ctx(act)

    return walk


def post_form(client, url, fields, files=()):
    """POST a multipart form with files (``[(field, bytes, filename)]``), encoded in memory: the test client would
    spool a large body to a temporary file that it never closes (a ResourceWarning, an error in these tests)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    values = MultiDict(fields)
    for name, data, filename in files:
        values.add(name, FileStorage(io.BytesIO(data), filename, content_type="image/jpeg"))
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
