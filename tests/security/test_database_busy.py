"""A busy database (SQLite locked; PostgreSQL serialization failure, deadlock, lock timeout) is a 409 "try again"
with nothing saved, never a 500. The fault run (stress/fault_run.py) shows it under real contention."""

import pytest
from sqlalchemy.exc import OperationalError


class _DriverError(Exception):
    def __init__(self, message, sqlstate=None):
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("message, sqlstate", [
    ("database is locked", None),
    ("could not serialize access due to concurrent update", "40001"),
    ("deadlock detected", "40P01"),
    ("canceling statement due to lock timeout", "55P03"),
])
def test_busy_database_is_a_409(app, client, message, sqlstate):
    def busy():
        raise OperationalError("UPDATE ...", {}, _DriverError(message, sqlstate))

    app.add_url_rule("/test-only/busy", "test_only_busy", busy, methods=["POST"])
    response = client.post("/test-only/busy")
    assert response.status_code == 409


def test_other_database_errors_stay_500(app, client):
    def broken():
        raise OperationalError("SELECT ...", {}, _DriverError("no such table: nowhere", "42P01"))

    app.add_url_rule("/test-only/broken", "test_only_broken", broken, methods=["POST"])
    assert client.post("/test-only/broken").status_code == 500
