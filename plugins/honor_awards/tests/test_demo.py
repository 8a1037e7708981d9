"""The demo community: every demo account sees the plugin working at once (through the core's ``timebank demo``)."""

import time

import pytest
from sqlalchemy import select
from timebank_plugins.honor_awards.models import Award, Campaign, Notice

from timebank.extensions import db


@pytest.fixture
def app_config():
    return {"DEMO_MODE": True, "PLUGINS": ["honor_awards"]}  # the other plugins' demos are theirs to test


def test_hook_timebank_demo_data_gives_every_account_something_to_see(app, client, monkeypatch):
    from timebank_plugins.honor_awards import demo

    spent = []
    original = demo.load_demo

    def timed(community, users):
        started = time.process_time()
        original(community, users)
        spent.append(time.process_time() - started)

    monkeypatch.setattr(demo, "load_demo", timed)
    with app.app_context():
        from timebank.demo import load_demo

        load_demo()
        campaigns = {c.title[4:]: c.status for c in db.session.scalars(select(Campaign))}
        awards = db.session.scalars(select(Award.title)).all()
        notices = [n.title for n in db.session.scalars(select(Notice).where(Notice.status == "open"))]
    assert len(spent) == 1 and spent[0] < 5  # seconds of CPU for the plugin's own part
    assert {"年度最美家庭": "final", "年度文明家庭": "active", "年度最美楼院": "notice", "年度道德模范": "active"}.items() \
        <= campaigns.items()
    assert len(awards) == 3 and len(notices) >= 2

    def page(username, url):
        client.post("/logout")
        client.post("/login", data={"username": username, "password": "demo-password"})
        return client.get(url).get_data(as_text=True)

    assert "刘洋" in page("resident", "/c/xingfuli/p/honor-awards/honours/")
    assert "文明家庭" in page("resident", "/c/xingfuli/")
    assert "vote/" in page("elder", "/c/xingfuli/p/honor-awards/campaigns/" + _id(app, "文明家庭"))
    tasks = page("elder", "/c/xingfuli/tasks")
    assert "/p/honor-awards/mine" in tasks
    coordinator_tasks = page("coordinator", "/c/xingfuli/tasks")
    assert "/p/honor-awards/manage" in coordinator_tasks
    assert 'name="vote_ids"' in page("coordinator", "/c/xingfuli/p/honor-awards/manage/campaigns/"
                                     + _id(app, "文明家庭") + "/votes")  # the stuffed votes wait for a decision
    assert "nominate" in page("volunteer", "/c/xingfuli/p/honor-awards/campaigns/" + _id(app, "道德模范"))


def _id(app, suffix):
    with app.app_context():
        return str(db.session.scalar(select(Campaign.id).where(Campaign.title.like(f"%{suffix}"))))
