"""Personal data (PIPL): full phone numbers only to the person and staff of their community, the elder's diet and
health notes only to canteen staff and coordinators, and nothing personal in the logs.

The download/erasure side is in tests/test_privacy.py."""

import logging
import re

from timebank.clock import set_clock

from .conftest import PASSWORD, client_for
from .matrix import get_paths
from .world import ELDER_DIET_NOTES, MEMBERS_A, MEMBERS_B, NOW, build_world

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
#: A resident identity card number (18 characters, the last may be X).
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
#: The two sides of the mutual-aid agreement see each other's phone on the agreement page (and only there): they
#: agreed to help each other and must arrange a time. Nobody else does.
AGREEMENT_PARTIES = {"a.res", "a.vol"}
PHONES = {username: phone for username, (_name, _role, phone) in {**MEMBERS_A, **MEMBERS_B}.items()}


def _walk(client, paths):
    """``{path: html}`` of the HTML pages the client may open."""
    pages = {}
    for path in paths:
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[path] = response.get_data(as_text=True)
        response.close()
    return pages


def test_full_phone_numbers_and_health_notes_stay_with_the_right_people(app, world):
    """A resident, a volunteer (who delivers the elder's meal) and the coordinator of another community walk every
    page: they see their own phone number and nobody else's in full, and never the elder's health notes."""
    leaks = []
    agreement = f"/c/maple/p/mutual-aid/agreements/{world['agreement']}"
    for username in ("a.res", "a.vol", "b.coord"):
        pages = _walk(client_for(app, username), get_paths(app, world))
        assert len(pages) > 10
        own = PHONES.get(username)
        leaks += [f"{username} on {path}: phone {phone}" for path, html in pages.items()
                  for phone in set(PHONE.findall(html))
                  if phone != own and not (path == agreement and username in AGREEMENT_PARTIES)]
        leaks += [f"{username} on {path}: the elder's diet notes" for path, html in pages.items()
                  if ELDER_DIET_NOTES in html]
    assert not leaks, "\n".join(leaks)


#: Full names on public pages: only of people who consented to be named in full (the self-nominated families of the
#: volunteer and the resident, on the honour wall and the notice), and on the public check of a certificate, for
#: whoever holds its (unguessable) number, since the paper certificate carries the name.
CONSENTED = {"a.vol", "a.res"}


def test_outsiders_see_only_consented_full_names(app, world):
    names = {username: name for username, (name, _role, _phone) in MEMBERS_A.items()}
    wrong = []
    for username in (None, "b.coord"):
        client = client_for(app, username) if username else app.test_client()
        for path, html in _walk(client, get_paths(app, world)).items():
            shown = {member for member, name in names.items() if name in html}
            allowed = CONSENTED if ("/honor-awards/" in path or path.startswith("/verify/")) else set()
            wrong += [f"{username or 'anonymous'} on {path}: {names[member]}" for member in shown - allowed]
    assert not wrong, "Full names shown to outsiders without consent:\n" + "\n".join(wrong)


#: Inside the community a member sees the full names of neighbours only where they deal with each other, of the
#: staff acting in their role (who confirmed a record, leads a post, handles a repair), and of people who consented
#: to a public notice. ``(viewer, shown): path fragments`` lists each relation the world sets up: the two sides of
#: the mutual-aid agreement (who also met over a repair), the elder and his son, the volunteer delivering the
#: elder's meal (and, to the son, as the one who found nobody at the door).
STAFF = {"a.admin", "a.coord", "a.leader"}
RELATED = {
    ("a.res", "a.vol"): ("/mutual-aid/", "/repair-team/orders/", "/inbox", "/c/maple/"),
    ("a.vol", "a.res"): ("/mutual-aid/", "/repair-team/orders/", "/hours/credits", "/c/maple/"),
    ("a.son", "a.elder"): ("/elder-meals/", "/inbox", "/c/maple/"),
    ("a.son", "a.vol"): ("/elder-meals/alerts",),
    ("a.vol", "a.elder"): ("/elder-meals/rounds/",),
}


def _allowed(viewer, shown, path):
    if shown in STAFF:
        return True
    if shown in CONSENTED | {"a.vol2"} and "/honor-awards/" in path:  # self-nominated with full-name consent
        return True
    if path.startswith("/verify/") and shown == "a.vol":  # the certificate's own holder
        return True
    # "/c/maple/" stands for the home page itself; every other fragment for the pages under it.
    return any(path == fragment if fragment == "/c/maple/" else fragment in path
               for fragment in RELATED.get((viewer, shown), ()))


def test_neighbours_see_full_names_only_where_they_deal_with_each_other(app, world):
    """Residents and volunteers walk every page: a full name of a neighbour appears only under one of the relations
    above. ``a.vol2`` takes part in nothing but an honour campaign: the control that names are masked elsewhere."""
    names = {username: name for username, (name, _role, _phone) in MEMBERS_A.items()}
    wrong, seen = [], 0
    for viewer in ("a.res", "a.vol", "a.vol2", "a.son"):
        for path, html in _walk(client_for(app, viewer), get_paths(app, world)).items():
            for shown, name in names.items():
                if shown != viewer and name in html:
                    seen += 1
                    if not _allowed(viewer, shown, path):
                        wrong.append(f"{viewer} on {path}: {name}")
    assert seen > 10, "the walk should meet the relations above"
    assert not wrong, "Full names of neighbours shown outside any relation:\n" + "\n".join(wrong)


def test_staff_see_what_they_need(app, world):
    """The control of the test above: the coordinator sees the volunteer's phone and the elder's notes, and the
    canteen staff see the notes (so the absence above is the masking, not a missing page)."""
    coordinator = client_for(app, "a.coord")
    assert PHONES["a.vol"] in coordinator.get(f"/c/maple/admin/members/{world['memberships']['a.vol']}").get_data(
        as_text=True)
    elder_page = f"/c/maple/p/elder-meals/elders/{world['elder']}"
    assert ELDER_DIET_NOTES in coordinator.get(elder_page).get_data(as_text=True)
    kitchen = _walk(client_for(app, "a.cook"), [path for path in get_paths(app, world) if "/elder-meals/" in path])
    assert any(ELDER_DIET_NOTES in html for html in kitchen.values()), "canteen staff should see the diet notes"


def test_no_personal_data_in_the_logs(app, caplog):
    """Everything the app logs while the world is built (registrations, phones, health notes, photos), while people
    log in (with right and wrong passwords), get API tokens and CSRF tokens, and walk every page, is searched for
    phone numbers, identity card numbers, health notes, addresses, passwords and tokens."""
    caplog.set_level(logging.INFO)  # libraries at INFO; the application's own loggers at DEBUG
    for name in ("timebank", "timebank_plugins"):
        caplog.set_level(logging.DEBUG, logger=name)
    world = build_world(app)
    set_clock(app, lambda: NOW)
    secrets = {PASSWORD, "applicant-pass-1", "wrong-pass-999", ELDER_DIET_NOTES}
    client = app.test_client()
    client.post("/login", data={"username": "a.vol", "password": "wrong-pass-999"})
    client.post("/login", data={"username": "nobody-13912340004", "password": PASSWORD})
    for username in ("a.vol", "district"):
        session = client_for(app, username)
        secrets.add(session.get_cookie("session").value)
        _walk(session, get_paths(app, world))
    records = caplog.get_records("call")
    assert records, "nothing was logged at all: the capture is not working"
    text = "\n".join(f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in records)
    leaks = sorted(set(PHONE.findall(text)) | set(ID_NUMBER.findall(text)))
    leaks += [secret[:12] + "…" for secret in secrets if secret and secret in text]
    assert not leaks, f"Personal data or secrets in the logs ({len(records)} records): {leaks}"
