"""Requesting routes as a role and reading the outcome the way the expectation table spells it."""

from dataclasses import dataclass, field

from .routes import all_rules, matrix_rules, methods_of, names_objects, url_for_rule

LOGIN = "login"  # 302 to the login page
OK = "ok"  # a POST got past the access checks: done (302), or refused by a form or a rule (200, 400, 409)
REDIRECT = "redirect"  # a GET sent elsewhere inside the site


def outcome(method, response):
    code = response.status_code
    if code in (302, 303) and response.headers.get("Location", "").startswith("/login"):
        return LOGIN
    if method == "GET":
        return REDIRECT if code in (302, 303) else code
    return OK if code in (200, 302, 303, 400, 409) else code


#: POSTs that end or remove something go last, so that they do not take away an object a later POST names;
#: switching a plugin off and joining a community go after everything (they change what the next requests see).
LAST = ("admin.switch_plugin", "communities.join")
DESTRUCTIVE_WORDS = ("remove", "erase", "end", "cancel", "withdraw", "discard", "close", "reject", "decline",
                     "give_back", "leave", "hand_back", "act_for", "disqualify")


def post_order(rule):
    endpoint = rule.endpoint.rsplit(".", 1)[-1]
    return (rule.endpoint in LAST, any(word in endpoint for word in DESTRUCTIVE_WORDS), rule.rule)


def requests_for(rules, ids, community="maple"):
    """``[(method, url, rule)]`` for the rules, GETs first then POSTs (destructive ones last)."""
    gets, posts = [], []
    for rule in rules:
        url = url_for_rule(rule, ids, community)
        for method in methods_of(rule):
            (gets if method == "GET" else posts).append((method, url, rule))
    posts.sort(key=lambda item: post_order(item[2]))
    return gets + posts


def get_paths(app, ids):
    """Every GET page of the site with real objects (for harvesting forms and walking headers)."""
    return [url_for_rule(rule, ids) for rule in all_rules(app) if "GET" in rule.methods]


@dataclass
class Seen:
    method: str
    url: str
    endpoint: str
    outcome: object
    status: int
    writes: list = field(default_factory=list)


def cross_community_rules(app):
    """Rules under /c/<community>/ that name an object: B's own pages asked for A's objects."""
    return [rule for rule in matrix_rules(app) if "<community>" in rule.rule and names_objects(rule)]


def visit(app, client_factory, requests, forms, recorder, on_response=None):
    """Make the requests with one client (a new one after "act for", which changes who the session is); POSTs
    carry the form the page shows for that address. Returns ``[Seen]``."""
    client = client_factory()
    seen = []
    for method, url, rule in requests:
        form = forms.get(url.replace("/c/oak/", "/c/maple/", 1))  # B's pages get the form A's page shows
        data = form.plausible_data() if (form is not None and method == "POST") else {}
        with recorder.watch() as writes:
            response = client.open(url, method=method, data=data)
        if on_response is not None:
            on_response(method, url, rule, response)
        seen.append(Seen(method, url, rule.endpoint, outcome(method, response), response.status_code,
                         list(writes)))
        response.close()
        if rule.endpoint == "admin.act_for":
            client = client_factory()
    return seen
