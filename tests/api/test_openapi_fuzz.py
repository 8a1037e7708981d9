"""schemathesis against the live OpenAPI document (/api/v1/openapi.json) of an app with a small community.

Every operation of the document gets a bounded number of generated requests, valid ones and invalid ones, sent
with a token that has every scope. Each answer must not be a 5xx, must use a status code and a content type the
document declares for the operation, and must match the declared schema. Paths that name a community are pinned
to "maple", which holds a little of everything (a pending claim, a duty shift open now, menus, an enrolled elder, a
repair request, an honour campaign), so that requests reach the views instead of stopping at "no such community";
valid requests name small ids, which find those rows. Generation is derandomised: the same requests on every run (set
TIMEBANK_API_FUZZ_EXAMPLES=50 for a longer run; `make bench`-sized runs do not belong in `make test`).
"""

import os
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from timebank.extensions import db

EXAMPLES = int(os.environ.get("TIMEBANK_API_FUZZ_EXAMPLES", "0")) or None
#: Generated requests per operation and mode (the default fits the suite's time budget).
DEFAULT_EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 4}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
COMMUNITY = "maple"


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "100000 per minute", "API_RATE_LIMIT_PER_IP": "100000 per minute",
            "LOGIN_LIMIT_PER_IP": "100000 per minute", "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
            "API_MAX_TOKENS_PER_USER": 1000}


def seed(community, users):
    """A little of everything in "maple", made through the services as the web pages would."""
    from timebank_plugins.elder_meals import enrolment, menus
    from timebank_plugins.honor_awards.campaigns import Schedule, save_campaign
    from timebank_plugins.qr_checkin import services as duty
    from timebank_plugins.repair_team import services as repairs

    from timebank.communities.models import Membership
    from timebank.communities.structure import add_building, add_household, assign_household
    from timebank.ledger.records import record_service

    coordinator, volunteer, resident = users["maple.coord"], users["maple.vol"], users["maple.res"]
    moment = datetime.now(UTC)
    record_service(community, volunteer, category="ledger.elder_care", activity_name="陪伴老人",
                   started_at=moment - timedelta(hours=28), ended_at=moment - timedelta(hours=26))
    db.session.commit()
    post = duty.save_post(community, coordinator, name="北门岗亭", kind="gate", place="北门")
    duty.create_shift(community, coordinator, post, moment - timedelta(hours=1), moment + timedelta(hours=2), 3)
    duty.create_shift(community, coordinator, post, moment + timedelta(days=1), moment + timedelta(days=1, hours=2),
                      2)
    building = add_building(community, coordinator, "1号楼")
    home = add_household(community, coordinator, building.id, "101")
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == resident.id))
    assign_household(membership, coordinator, home.id)
    repairs.submit_request(community, resident, resident, category="water", description="厨房水龙头滴水",
                           household_id=home.id)
    enrolment.enrol(community, coordinator, resident, enrolment.Details(
        birth_date=moment.date().replace(year=moment.year - 80), consent=True, household_id=home.id))
    dishes = [menus.DishInput("套餐A", "红烧肉、青菜、米饭", "13")]
    for days_ahead in (1, 2, 3):
        menus.save_menu(community, coordinator, moment.date() + timedelta(days=days_ahead), "lunch", 20, dishes,
                        publish=True)
    today = moment.date()
    save_campaign(community, coordinator, title="2026年度最美家庭", kind="household", year=today.year, quota=3,
                  criteria="邻里互助", rubric="家庭和睦 60\n邻里互助 40", schedule=Schedule(
                      today, today + timedelta(days=6), today + timedelta(days=9), today + timedelta(days=10),
                      today + timedelta(days=13), 7, today + timedelta(days=25)))


@pytest.fixture
def fuzz_token(app, community):
    """Seeds "maple"; then ``fuzz_token()`` is a new token of its coordinator with every scope (one for each
    operation: ``DELETE /auth/token`` revokes the token it is called with)."""
    from timebank.api.tokens import create_personal_token
    from timebank.communities.services import community_by_slug
    from timebank.identity.models import User

    with app.test_request_context():
        users = {user.username: user for user in db.session.scalars(db.select(User))}
        seed(community_by_slug(COMMUNITY), users)

    def make():
        with app.app_context():
            user = db.session.get(User, community["coordinator"])
            return create_personal_token(user, "schemathesis", ["read", "check-in", "coordinate"], 30)[1]

    return make


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    paths = {operation.path for operation in found}
    for plugin in ("qr-checkin", "repair-team", "elder-meals", "honor-awards"):
        assert any(f"/p/{plugin}/" in path for path in paths), f"{plugin} contributes operations"
    return found


def fuzz(operation, mode, token, statuses):
    """Run one operation's generated cases, adding the status codes seen to ``statuses``; returns the failure (an
    exception) or None."""
    pinned = {"community": COMMUNITY} if "{community}" in operation.path else None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned)
    headers = {"Authorization": f"Bearer {token}"}

    @settings(max_examples=EXAMPLES or DEFAULT_EXAMPLES[mode], deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
              report_multiple_bugs=False)
    @given(case=strategy, small_id=st.integers(min_value=1, max_value=3))
    def run(case, small_id):
        if mode is GenerationMode.POSITIVE:  # valid ids that exist: the seeded rows have small ids
            for name in case.path_parameters or {}:
                if name.endswith("_id"):
                    case.path_parameters[name] = small_id
        statuses.add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (e.g. only a free-text path parameter, pinned here)
        return None
    except Exception as error:  # noqa: BLE001 - collected and reported together below
        return error
    return None


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_every_operation_answers_as_documented(app, fuzz_token, mode):
    failures, seen = [], {}
    for operation in operations(app):
        statuses = seen.setdefault(f"{operation.method.upper()} {operation.path}", set())
        error = fuzz(operation, mode, fuzz_token(), statuses)
        if error is not None:
            failures.append(f"{operation.method.upper()} {operation.path}:\n{error}")
    assert not failures, "\n\n".join(failures)
    if os.environ.get("TIMEBANK_API_FUZZ_REPORT"):
        print("\n".join(f"{label}: {sorted(codes)}" for label, codes in sorted(seen.items())))
    if mode is GenerationMode.POSITIVE:  # the requests reached the views, not only the guards
        answered = [label for label, codes in seen.items() if any(200 <= code < 300 for code in codes)]
        assert len(answered) >= len(seen) // 2, seen
