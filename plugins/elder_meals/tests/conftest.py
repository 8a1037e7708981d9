"""Fixtures for the elder meal tests: community "maple" with a coordinator, a cook (canteen staff), two volunteers,
the elder 赵大爷 (born 25 November 1951: he turns 75 on Wednesday 25 November 2026), his son, a neighbour, a grid
worker; a grid, a building and households; lunch menus for Tuesday to Thursday; and a clock the tests move
(Monday 23 November 2026, 09:00 in Shanghai)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from timebank.clock import set_clock

MONDAY_9AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 on Monday 23 November in Shanghai
TUESDAY, WEDNESDAY, THURSDAY = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)
BIRTH_DATE = date(1951, 11, 25)


def shanghai(day, hour, minute=0, second=0):
    """A Shanghai wall-clock time as an aware UTC datetime."""
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock(app):
    state = {"now": MONDAY_9AM}
    set_clock(app, lambda: state["now"])

    class Clock:
        @staticmethod
        def set(moment):
            state["now"] = moment

        @staticmethod
        def now():
            return state["now"]

    return Clock


@pytest.fixture
def meals(app, make, clock):
    """The community, its people, places, the enrolled elder and three published lunch menus. Returns ids."""
    make.community("maple", "枫林社区")
    ids = {
        "coordinator": make.member("maple", "coord", role="coordinator", display_name="王芳"),
        "cook": make.member("maple", "cook", role="resident", display_name="周师傅"),
        "volunteer": make.member("maple", "vol", role="volunteer", display_name="陈志强"),
        "volunteer2": make.member("maple", "vol2", role="volunteer", display_name="刘洋"),
        "elder": make.member("maple", "elder", role="resident", display_name="赵大爷"),
        "son": make.member("maple", "son", role="resident", display_name="赵小明"),
        "neighbour": make.member("maple", "neighbour", role="resident", display_name="钱阿姨"),
        "gridworker": make.member("maple", "gridw", role="resident", display_name="孙网格"),
        "elder2": make.member("maple", "elder2", role="resident", display_name="李奶奶"),
    }
    with app.test_request_context():
        from timebank_plugins.elder_meals import enrolment, menus, services

        from timebank.communities import structure
        from timebank.communities.models import Community
        from timebank.extensions import db
        from timebank.identity.models import User

        community = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        people = {key: db.session.get(User, value) for key, value in ids.items()}
        coordinator = people["coordinator"]
        grid = structure.add_grid(community, coordinator, "第一网格", grid_worker_id=ids["gridworker"])
        building = structure.add_building(community, coordinator, "1号楼", grid_id=grid.id, stairwells=1)
        other = structure.add_building(community, coordinator, "2号楼", stairwells=0)
        home = structure.add_household(community, coordinator, building.id, "101", building.stairwells[0].id)
        home2 = structure.add_household(community, coordinator, other.id, "302")
        services.add_canteen_staff(community, coordinator, people["cook"])
        elder = enrolment.enrol(community, coordinator, people["elder"], enrolment.Details(
            birth_date=BIRTH_DATE, diet_notes="糖尿病，少糖", consent=True, consent_note="书面同意书",
            household_id=home.id, needs_delivery=True, delivery_note="门铃坏了，请敲门"))
        elder2 = enrolment.enrol(community, coordinator, people["elder2"], enrolment.Details(
            birth_date=date(1940, 3, 1), household_id=home2.id, needs_delivery=True))
        enrolment.add_family(community, coordinator, elder, people["son"], "child")
        dishes = [menus.DishInput("套餐A", "红烧肉、青菜、米饭", "13"),
                  menus.DishInput("软食套餐", "清蒸鱼、南瓜粥", "11", soft=True, low_salt=True)]
        menu_ids = {}
        for day in (TUESDAY, WEDNESDAY, THURSDAY):
            menu = menus.save_menu(community, coordinator, day, "lunch", 3, dishes, publish=True)
            menu_ids[day] = menu.id
        ids.update(community=community.id, elder_id=elder.id, elder2_id=elder2.id, grid=grid.id,
                   building=building.id, home=home.id, home2=home2.id, menus=menu_ids,
                   dishes={day: [dish.id for dish in db.session.get(menus.Menu, menu_id).dishes]
                           for day, menu_id in menu_ids.items()})
    return ids


@pytest.fixture
def ctx(app, meals):
    """``ctx(lambda c, users, elder: ...)``: run service calls in a fresh request context (``users`` by username)."""
    from timebank_plugins.elder_meals.models import Elder

    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    def run(function):
        from flask_babel import force_locale

        with app.test_request_context(), force_locale("en"):  # messages in English, as the asserts read
            community = db.session.get(Community, meals["community"])
            users = {user.username: user for user in db.session.scalars(db.select(User))}
            return function(community, users, db.session.get(Elder, meals["elder_id"]))

    return run


@pytest.fixture
def login(client):
    """``login("son")``: log in (and read the pages in English, so that assertions read naturally)."""

    def _login(username, english=True):
        client.post("/logout")
        client.post("/login", data={"username": username, "password": "test-pass-123"})
        if english:
            client.post("/account/language", data={"locale": "en"})

    return _login


def order(ctx, username, day, dish_index=0, mode="delivery", portions=1, elder="elder"):
    """Place an order through the service; returns the order id."""
    from timebank_plugins.elder_meals import menus, orders
    from timebank_plugins.elder_meals.models import Elder

    from timebank.extensions import db

    def run(community, users, default_elder):
        target = default_elder if elder == "elder" else db.session.scalar(
            db.select(Elder).where(Elder.user_id == users[elder].id))
        menu = menus.menu_for(community, day, "lunch")
        placed = orders.place_order(community, users[username], target, menu, menu.dishes[dish_index].id, mode,
                                    portions)
        return placed.id

    return ctx(run)


def at(clock, day, hour, minute=0, second=0):
    clock.set(shanghai(day, hour, minute, second))


def days(n):
    return timedelta(days=n)
