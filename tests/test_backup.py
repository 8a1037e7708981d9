"""``timebank backup`` and ``timebank restore``: a round trip brings back exactly what was saved."""

from sqlalchemy import func, select

from timebank.extensions import db
from timebank.identity.models import User


def users(app):
    with app.app_context():
        names = sorted(db.session.scalars(select(User.username)))
        db.session.remove()
        return names


def test_backup_and_restore_round_trip(app, runner, make, tmp_path):
    make.community("maple", "枫林社区")
    make.member("maple", "before", role="volunteer")
    saved = users(app)
    out = tmp_path / "b" / "timebank.backup"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    make.member("maple", "after", role="volunteer")
    assert "after" in users(app)
    result = runner.invoke(args=["restore", str(out)], input="n\n")
    assert result.exit_code == 1 and "after" in users(app)  # asks first
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert users(app) == saved
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0


def test_restore_refuses_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path / "nope.backup"), "--yes"])
    assert result.exit_code != 0


def test_backup_default_location_in_the_instance_folder(app, runner):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from pathlib import Path

        backups = list((Path(app.instance_path) / "backups").glob("timebank-*.backup"))
        assert len(backups) == 1
        assert db.session.scalar(select(func.count(User.id))) >= 0
