"""The routes under test, taken from Flask's ``url_map`` (never hand-listed), and their URLs filled in with real
objects of the world (``world.py``).

Left out everywhere here, on purpose:

* ``static``, every blueprint's ``*.static`` endpoint and ``assets.serve`` (a page's one stylesheet and script):
  files from the package, no data and no access rules (a plugin's static files answer 404 where the plugin is off;
  tests/test_plugins.py covers that; tests/test_page_assets.py the bundles' addresses, bad ones included);
* rules under ``/api/``: the JSON API checks its own isolation matrix (its helper's tests, issue 11);
* endpoints the tests themselves add (``test_only_*``).
"""

import re

from werkzeug.routing import Rule

#: Which object of the world fills a URL variable: by (endpoint, variable) first, then by variable name.
#: Ids are those of community A ("maple") unless the endpoint says otherwise.
BY_ENDPOINT = {
    ("admin.approve", "membership_id"): "memberships:a.applicant",
    ("admin.reject", "membership_id"): "memberships:a.applicant",
    ("admin.member", "membership_id"): "memberships:a.vol",
    ("admin.act_for", "membership_id"): "memberships:a.elder",
    ("admin.erase", "membership_id"): "memberships:a.vol2",
    ("admin.set_household", "membership_id"): "memberships:a.res",
    ("admin.set_password", "membership_id"): "memberships:a.res",
    ("admin.change_role", "membership_id"): "memberships:a.res",
    ("admin.remove_team_member", "user_id"): "users:a.vol",
    ("ledger.record", "record_id"): "record_confirmed",
    ("ledger_admin.record", "record_id"): "record_pending",
    ("ledger_admin.certify_member", "user_id"): "users:a.vol",
    ("communities.member", "user_id"): "users:a.vol",
    ("elder_meals.cancel", "order_id"): "order",
    ("elder_meals.collected", "order_id"): "order",
    ("elder_meals.paid", "order_id"): "order_delivered",
    ("elder_meals.mark_stop", "order_id"): "order_delivered",
    ("elder_meals.order", "menu_id"): "menu",
    ("honor_awards.vote", "campaign_id"): "campaign_voting",
    ("honor_awards.vote", "nomination_id"): "nomination_voting",
    ("honor_awards.nominate", "campaign_id"): "campaign_open",
    ("honor_awards.campaign", "campaign_id"): "campaign_voting",
    ("honor_awards.board", "campaign_id"): "campaign_open",
    ("honor_awards.cancel", "campaign_id"): "campaign_open",
    ("honor_awards.edit_campaign", "campaign_id"): "campaign_open",
    ("honor_awards.forward", "campaign_id"): "campaign_done",
    ("honor_awards.publish", "campaign_id"): "campaign_voting",
    ("honor_awards.votes", "campaign_id"): "campaign_voting",
    ("honor_awards.photo", "photo_id"): "nomination_photo",
    ("honor_awards.manage_notice", "notice_id"): "notice",
    ("honor_awards.close", "notice_id"): "notice",
    ("qr_checkin.kiosk", "post_id"): "post_rotating",
    ("qr_checkin.kiosk_qr", "post_id"): "post_rotating",
    ("qr_checkin.kiosk_state", "post_id"): "post_rotating",
    ("qr_checkin.shift_roster", "shift_id"): "shift_past",
    ("qr_checkin.confirm_shift", "shift_id"): "shift_past",
    ("qr_checkin.close_shift", "shift_id"): "shift_past",
    ("mutual_aid.listing", "listing_id"): "listing_agreed",
    ("mutual_aid.accept", "listing_id"): "listing_agreed",
    ("repair_team.photo", "photo_id"): "repair_photo",
    ("repair_team.remove_material", "material_id"): "repair_material",
    ("elder_meals.edit_menu", "day"): "menu_day",
    ("elder_meals.edit_menu", "slot"): "=lunch",
    ("admin.switch_plugin", "name"): "=repair_team",
    ("admin.plugin_settings", "name"): "=qr_checkin",
    ("district.plugin_settings", "name"): "=repair_team",
    ("repair_team.visit_step", "step"): "=start",
}
BY_VARIABLE = {
    "membership_id": "memberships:a.vol",
    "team_id": "team",
    "user_id": "users:a.vol",
    "record_id": "record_confirmed",
    "request_id": "correction_request",
    "relative_id": "relative",
    "number": "certificate",
    "notification_id": "notification",
    "token": "scan_token",
    "alert_id": "alert",
    "elder_id": "elder",
    "link_id": "family_link",
    "menu_id": "menu",
    "round_id": "round",
    "sample_id": "sample",
    "staff_id": "canteen_staff",
    "award_id": "award",
    "campaign_id": "campaign_open",
    "nomination_id": "nomination",
    "notice_id": "notice",
    "objection_id": "objection",
    "agreement_id": "agreement",
    "listing_id": "listing",
    "response_id": "response",
    "report_id": "report",
    "attendance_id": "attendance",
    "post_id": "post_static",
    "shift_id": "shift",
    "order_id": "repair_order",
    "entry_id": "repair_entry",
    "photo_id": "repair_photo",
    "material_id": "repair_material",
    "token_id": "api_token",
}
# The elder-meals "order_id" means a meal order, the repair team's a repair order.
BY_BLUEPRINT = {("elder_meals", "order_id"): "order"}

#: URL variables that name something other than an object of community A (a plugin, a day, a step, a file).
NOT_AN_OBJECT = {"community", "name", "day", "slot", "step", "filename"}


def is_skipped(rule: Rule):
    return (rule.endpoint in ("static", "assets.serve") or rule.endpoint.endswith(".static")
            or rule.rule.startswith("/api/")
            or rule.endpoint.startswith("test_only"))


def methods_of(rule: Rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def matrix_rules(app):
    """The rules that take a community slug or an object id, sorted by rule."""
    return sorted((rule for rule in app.url_map.iter_rules() if not is_skipped(rule) and rule.arguments),
                  key=lambda rule: (rule.rule, rule.endpoint))


def all_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if not is_skipped(rule)),
                  key=lambda rule: (rule.rule, rule.endpoint))


def names_objects(rule: Rule):
    """True when the rule names at least one object of the world (an id, a certificate number, a token)."""
    return bool(set(rule.arguments) - NOT_AN_OBJECT)


def _lookup(ids, path):
    """``"=text"``: the text itself; ``"users:a.vol"``: ``ids["users"]["a.vol"]``; ``"team"``: ``ids["team"]``."""
    if path.startswith("="):
        return path[1:]
    value = ids
    for part in path.split(":"):
        value = value[part]
    return value


def object_key(rule: Rule, variable):
    blueprint = rule.endpoint.rsplit(".", 1)[0]
    key = (BY_ENDPOINT.get((rule.endpoint, variable)) or BY_BLUEPRINT.get((blueprint, variable))
           or BY_VARIABLE.get(variable))
    if key is None:
        raise KeyError(f"{rule.rule} ({rule.endpoint}): no object of the world for <{variable}>. Add it to "
                       f"BY_ENDPOINT or BY_VARIABLE in tests/security/routes.py (and create the object in "
                       f"world.py).")
    return key


def url_for_rule(rule: Rule, ids, community="maple"):
    """The rule's URL with real objects of A (the community slug may name another community)."""
    values = {}
    for variable in rule.arguments:
        values[variable] = community if variable == "community" else _lookup(ids, object_key(rule, variable))
    url = rule.rule
    for variable, value in values.items():
        url = re.sub(r"<(?:[^:<>]+(?:\([^)]*\))?:)?" + re.escape(variable) + r">", str(value), url)
    return url
