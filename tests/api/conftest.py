"""Fixtures of the API tests: the community "maple" (tests/conftest.py), tokens, and a JSON client."""

import pytest

from timebank.extensions import db


@pytest.fixture
def app_config():
    # Generous limits: the rate-limit tests set their own.
    return {"API_RATE_LIMIT": "10000 per minute", "API_RATE_LIMIT_PER_IP": "10000 per minute"}


@pytest.fixture
def make_token(app):
    """``make_token(user_id, scopes=("read",), days=30)`` → the secret of a new personal access token."""

    def _make(user_id, scopes=("read", "check-in", "coordinate"), days=30, name="test"):
        from timebank.api.tokens import create_personal_token
        from timebank.identity.models import User

        with app.app_context():
            user = db.session.get(User, user_id)
            _token, secret = create_personal_token(user, name, list(scopes), days)
            return secret

    return _make


class ApiClient:
    """``api.get("/me", token)``: JSON requests to /api/v1 with a bearer token."""

    def __init__(self, client):
        self.client = client

    def _headers(self, token, headers):
        merged = dict(headers or {})
        if token:
            merged["Authorization"] = f"Bearer {token}"
        return merged

    def get(self, path, token=None, headers=None, **kwargs):
        return self.client.get("/api/v1" + path, headers=self._headers(token, headers), **kwargs)

    def post(self, path, token=None, json=None, headers=None, **kwargs):
        return self.client.post("/api/v1" + path, json=json, headers=self._headers(token, headers), **kwargs)

    def delete(self, path, token=None, headers=None):
        return self.client.delete("/api/v1" + path, headers=self._headers(token, headers))


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def tokens(community, make_token):
    """A token with every scope for each member of "maple"."""
    return {role: make_token(community[role]) for role in ("admin", "coordinator", "volunteer", "resident")}
