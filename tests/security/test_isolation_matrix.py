"""The isolation matrix, generated from Flask's url_map: every route that names a community or an object (core and
plugins; ``static`` and /api/ left out, see routes.py), every method, requested as each role of ROLES for real
objects of community A, must answer what expectations.py says. A request that is refused (403, 404, the login
page) must not have written anything.

The same walk also GETs the routes without arguments (/, /account, /district/...) and checks, on every answer:
the security headers (CSP without inline scripts, frame-ancestors 'none', Referrer-Policy, nosniff), never a 500,
and that no GET wrote to the database (the only exception: the audit line of a personal-data export).

tests/test_isolation.py keeps its few hand-written cases; this file is the complete walk.
"""

import pytest

from .conftest import ROLES, client_for
from .expectations import EXPECTED, LOGIN, ROLE_ORDER, Y
from .matrix import OK, cross_community_rules, requests_for, visit
from .routes import all_rules, matrix_rules, methods_of

DENIED = (LOGIN, 403, 404)
#: GETs that may write: downloading personal data (meal statements) leaves a line in the audit log.
GET_WRITES_ALLOWED = {"INSERT audit_event"}


def header_problems(response):
    """What is wrong with a response's security headers (empty: nothing)."""
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.split()}
    scripts = directives.get("script-src", directives.get("default-src"))
    if not scripts or "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts:
        problems.append(f"script-src {scripts}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors {directives.get('frame-ancestors')}")
    if directives.get("object-src") != ["'none'"]:
        problems.append("object-src")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options")
    if response.headers.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin",
                                                        "strict-origin-when-cross-origin"):
        problems.append(f"Referrer-Policy {response.headers.get('Referrer-Policy')}")
    return problems


def simple_gets(app):
    """The GET routes without arguments: pages of the site that are not about one object."""
    return [("GET", rule.rule, rule) for rule in all_rules(app) if not rule.arguments and "GET" in rule.methods]


def expected_outcome(method, role, endpoint):
    value = EXPECTED[endpoint][method][ROLE_ORDER.index(role)]
    if value == Y:
        return 200 if method == "GET" else OK
    return value


def missing_expectations(app):
    """``[(rule, method)]`` of the url_map without a row in EXPECTED."""
    return [(rule, method) for rule in matrix_rules(app) for method in methods_of(rule)
            if method not in EXPECTED.get(rule.endpoint, {})]


def test_every_route_has_an_expectation(app):
    missing = missing_expectations(app)
    assert not missing, (
        "Routes without an entry in tests/security/expectations.py (EXPECTED). For each, decide who may use it "
        "and add a line such as\n" + "\n".join(
            f'    "{rule.endpoint}": {{"{method}": STAFF}},  # {rule.rule}' for rule, method in missing)
        + "\n(profiles: PUBLIC, SIGNED_IN, MEMBERS, VOLUNTEERS, STAFF, ADMINS, ... at the top of the file), and "
        "make sure tests/security/world.py creates the object its URL names.")
    routes = {(rule.endpoint, method) for rule in matrix_rules(app) for method in methods_of(rule)}
    stale = sorted(f"{endpoint} {method}" for endpoint, methods in EXPECTED.items() for method in methods
                   if (endpoint, method) not in routes)
    assert not stale, f"Rows in EXPECTED for routes that no longer exist (remove them): {stale}"


@pytest.mark.parametrize("role", ROLE_ORDER)
def test_matrix(app, world, page_forms, writes, role):
    assert not missing_expectations(app), "see test_every_route_has_an_expectation"
    requests = requests_for(matrix_rules(app), world)
    simple = simple_gets(app)
    bad_headers = []

    def check_headers(method, url, rule, response):
        problems = header_problems(response)
        if problems:
            bad_headers.append(f"{method} {url} ({response.status_code}): {', '.join(problems)}")

    seen = visit(app, lambda: client_for(app, role), simple + requests, page_forms, writes, check_headers)
    seen, plain = seen[len(simple):], seen[:len(simple)]
    assert not bad_headers, f"As {role}, security headers missing or weak:\n" + "\n".join(bad_headers)
    broken = [f"GET {item.url}: {item.status}" for item in plain if item.status >= 500]
    get_writes = [f"GET {item.url} ({item.endpoint}) wrote {item.writes}" for item in plain + seen
                  if item.method == "GET" and set(item.writes) - GET_WRITES_ALLOWED]
    assert not broken and not get_writes, f"As {role}:\n" + "\n".join(broken + get_writes)
    wrong = [f"{item.method} {item.url} ({item.endpoint}): got {item.outcome} ({item.status}), expected "
             f"{expected_outcome(item.method, role, item.endpoint)}"
             for item in seen if item.outcome != expected_outcome(item.method, role, item.endpoint)]
    leaked = [f"{item.method} {item.url} ({item.endpoint}) answered {item.status} but wrote {item.writes}"
              for item in seen if item.outcome in DENIED and item.writes]
    assert not wrong and not leaked, f"As {role} ({ROLES[role]}):\n" + "\n".join(wrong + leaked)
    assert len(seen) == len(requests) > 150


def test_other_community_slug(app, world, page_forms, writes):
    """B's admin asks for A's objects under B's own address (/c/oak/...): none of them exists there."""
    requests = requests_for(cross_community_rules(app), world, community="oak")
    seen = visit(app, lambda: client_for(app, "b.admin"), requests, page_forms, writes)
    wrong = [f"{item.method} {item.url} ({item.endpoint}): {item.status}{' wrote ' + str(item.writes) if item.writes else ''}"
             for item in seen if item.status != 404 or item.writes]
    assert not wrong, "A's objects reachable through B's address:\n" + "\n".join(wrong)
    assert len(seen) > 100
