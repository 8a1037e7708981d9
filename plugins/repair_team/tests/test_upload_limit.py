"""With CSRF protection on (as in production), an oversize upload is stopped before the CSRF check reads the body,
and gets the clear 413 page rather than an error."""

import pytest
from sqlalchemy import func, select
from timebank_plugins.repair_team.models import RepairOrder

from timebank.extensions import db

from .conftest import post_form


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "PLUGIN_SETTINGS": {"repair_team": {"max_photo_mb": 1}}}


def test_the_limit_applies_before_the_csrf_check_reads_the_form(app, client, repair):
    import re

    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"username": "res", "password": "test-pass-123", "csrf_token": token})
    page = client.get("/c/maple/p/repair-team/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    fields = {"csrf_token": token, "category": "water", "description": "漏水", "urgency": "normal",
              "household_id": str(repair["home"])}
    response = post_form(client, "/c/maple/p/repair-team/new", fields, [("photos", b"\xff" * (5 * 1024 * 1024),
                                                                         "huge.jpg")])
    assert response.status_code == 413
    assert "Nothing was saved" in response.get_data(as_text=True) or "什么都没有保存" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(RepairOrder.id))) == 0
