"""Hostile input, driven by hypothesis: every POST form the pages show (core and plugins, read from their HTML, see
pages.py) and the query parameters of every GET route (read from the views' use of request.args) get hostile
values (hostile.py). Whatever comes in:

* never a 500;
* a refused request (400, 403, 404, 409, 413, 422) writes nothing;
* a script sent in comes back escaped, on the answer and, afterwards, on every page of the site (stored XSS).

The bounded profile here runs a few examples per form and per route (derandomised: the same inputs every run);
``make stress`` sets TIMEBANK_FUZZ_EXAMPLES for a long run with random seeds.
"""

import io
import os

from hypothesis import HealthCheck, given, settings

from .conftest import client_for
from .hostile import form_data, query_data, query_names, unescaped
from .matrix import get_paths, post_order
from .routes import all_rules, url_for_rule

EXAMPLES = int(os.environ.get("TIMEBANK_FUZZ_EXAMPLES", "2"))
STRESS = "TIMEBANK_FUZZ_EXAMPLES" in os.environ
REFUSED = (400, 403, 404, 405, 409, 413, 422, 429)
#: Left out of the fuzzing: they take no field but the token (covered by the matrix and the CSRF test), and they
#: would end the session under test (logging out, acting for an elder) or switch a plugin off for the rest.
NOT_FUZZED = {"identity.logout", "admin.act_for", "admin.switch_plugin", "identity.proxy_end"}


def _settings():
    return settings(max_examples=EXAMPLES, deadline=None, derandomize=not STRESS, database=None,
                    suppress_health_check=list(HealthCheck))


class Findings:
    def __init__(self):
        self.problems = []
        self.tried = 0

    def check(self, label, data, response, written):
        self.tried += 1
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        shown = repr(data)[:300]
        if response.status_code >= 500:
            self.problems.append(f"{label}: {response.status_code} for {shown}")
        elif response.status_code in REFUSED and written:
            self.problems.append(f"{label}: refused ({response.status_code}) but wrote {written} for {shown}")
        found = unescaped(body)
        if found:
            self.problems.append(f"{label}: unescaped {found} in the answer to {shown}")


def _rule_of(app, path):
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(path, method="POST")
    except Exception:  # noqa: BLE001 - a form whose action is not a POST route of this app
        return None
    return endpoint


def test_forms_and_query_parameters(app, world, page_forms, writes):
    findings = Findings()
    clients = {}

    def client(username):
        if username not in clients:
            clients[username] = client_for(app, username)
        return clients[username]

    # Forms: each with the account that saw it, the destructive ones last.
    forms = []
    for action, form in page_forms.items():
        endpoint = _rule_of(app, action)
        if endpoint is None or endpoint in NOT_FUZZED or action.startswith("/api/"):
            continue
        rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
        forms.append((post_order(rule), action, form, endpoint))
    forms.sort(key=lambda item: item[0])
    assert len(forms) > 80, f"only {len(forms)} forms found on the pages"
    def fuzz_form(action, form, endpoint):
        @_settings()
        @given(data=form_data(form))
        def post(data):
            with writes.watch() as written:
                files = {}
                if form.multipart:
                    files = {item.name: (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "x.png")
                             for item in form.fields if item.kind == "file"}
                response = client(form.viewer).post(action, data={**data, **files},
                                                    content_type="multipart/form-data" if files else None)
            findings.check(f"POST {action} ({endpoint}) as {form.viewer}", data, response, list(written))
            response.close()

        post()

    for _order, action, form, endpoint in forms:
        fuzz_form(action, form, endpoint)

    # Query parameters of every GET route, as the district admin (who may open nearly every page).
    gets = [(rule, url_for_rule(rule, world), query_names(app.view_functions[rule.endpoint]))
            for rule in all_rules(app) if "GET" in rule.methods]
    def fuzz_query(rule, url, names):
        @_settings()
        @given(params=query_data(names))
        def get(params):
            with writes.watch() as written:
                response = client("district").get(url, query_string=params)
            findings.check(f"GET {url} ({rule.endpoint})", params, response,
                           [item for item in written if item != "INSERT audit_event"])
            response.close()

        get()

    for rule, url, names in gets:
        fuzz_query(rule, url, names)

    # Stored script: every page, as the district admin (who may open nearly all of them), after all that.
    for username in ("district",):
        for path in get_paths(app, world):
            response = client(username).get(path)
            if response.mimetype == "text/html":
                found = unescaped(response.get_data(as_text=True))
                if found:
                    findings.problems.append(f"stored script on {path} (as {username}): {found}")
            response.close()

    print(f"\nhostile input: {findings.tried} requests ({len(forms)} forms, {len(gets)} GET routes, "
          f"{EXAMPLES} examples each)")
    assert not findings.problems, "\n".join(findings.problems[:60])
