"""The plugin's demo data loads at any hour, including while one of its shifts is under way."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from timebank_plugins.qr_checkin import demo
from timebank_plugins.qr_checkin.models import Shift, Signup

from timebank.clock import now, set_clock
from timebank.communities.models import Community
from timebank.extensions import db
from timebank.identity.models import User


@pytest.mark.parametrize("moment", [
    datetime(2026, 11, 19, 23, 30, tzinfo=UTC),  # 07:30 on a Friday in Shanghai: the gate shift is under way
    datetime(2026, 11, 20, 11, 30, tzinfo=UTC),  # 19:30: the evening patrol is under way
    datetime(2026, 11, 21, 16, 0, tzinfo=UTC),   # midnight between Saturday and Sunday
], ids=["gate-under-way", "patrol-under-way", "midnight"])
def test_demo_loads_while_a_shift_is_under_way(app, make, moment):
    make.community("maple", "枫林社区")
    ids = {"coordinator": make.member("maple", "coord", role="coordinator"),
           "admin": make.member("maple", "boss", role="community_admin"),
           "volunteer": make.member("maple", "vol", role="volunteer")}
    for number in range(1, 5):
        make.member("maple", f"neighbour{number}", role="volunteer")
    set_clock(app, lambda: moment)
    with app.test_request_context():
        community = db.session.scalar(select(Community).where(Community.slug == "maple"))
        demo.load_demo(community, {key: db.session.get(User, value) for key, value in ids.items()})
        assert now() == moment  # the demo's walk through time puts the clock back
        ahead = db.session.scalar(select(func.count()).select_from(Signup).join(Shift, Shift.id == Signup.shift_id)
                                  .where(Signup.user_id == ids["volunteer"], Shift.starts_at > moment))
        assert ahead == 3  # the demo volunteer's next three gate duties, none of them already begun
        late = db.session.scalar(select(func.count()).select_from(Signup).join(Shift, Shift.id == Signup.shift_id)
                                 .where(Shift.starts_at <= moment, Shift.ends_at > moment))
        assert late == 0  # nobody is signed up after a shift began
