"""The test process's caches (timebank.testing_caches) give exactly what werkzeug and SQLAlchemy would have made."""

from sqlalchemy import select
from werkzeug.routing.rules import Rule

from timebank import create_app
from timebank.extensions import db
from timebank.identity.models import User


def _rules(app):
    return {(rule.endpoint, rule.rule): rule for rule in app.url_map.iter_rules()}


def _converters(rule):
    return {name: (type(converter), {key: value for key, value in vars(converter).items() if key != "map"})
            for name, converter in rule._converters.items()}


def test_memoised_url_rules_are_parsed_as_werkzeug_parses_them(app, monkeypatch):
    monkeypatch.setattr(Rule, "_parse_rule", Rule._parse_rule.timebank_original)
    plain = create_app(app.config)
    memoised, parsed = _rules(app), _rules(plain)
    assert memoised.keys() == parsed.keys() and len(parsed) > 200
    for key, rule in memoised.items():
        other = parsed[key]
        assert (rule._parts, rule._trace, rule.arguments) == (other._parts, other._trace, other.arguments), key
        assert _converters(rule) == _converters(other), key
        assert all(converter.map is app.url_map for converter in rule._converters.values()), key
    adapter = app.url_map.bind("localhost")
    endpoint, values = adapter.match("/c/maple/ledger/records/12")
    assert values == {"community": "maple", "record_id": 12}
    assert adapter.build(endpoint, values) == "/c/maple/ledger/records/12"
    with plain.app_context():
        db.engine.dispose()


def test_engines_of_two_apps_share_compiled_statements(app, community):
    statement = select(User.username).where(User.username == "maple.vol")
    with app.app_context():
        assert db.session.connection().execute(statement).scalar() == "maple.vol"
    other = create_app(app.config)
    with other.app_context():
        result = db.session.connection().execute(statement)
        assert "cached since" in result.context._get_cache_stats()  # not "generated in", as a new engine would say
        assert result.scalar() == "maple.vol"
        db.session.remove()
        db.engine.dispose()
