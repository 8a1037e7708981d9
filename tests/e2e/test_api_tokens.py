"""Access tokens for apps, on a phone: from the account page, make a token, see it once, use it with an HTTP
request (as a mini-program would), revoke it, and see the API refuse it afterwards."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCROLL_WIDTH = "document.documentElement.scrollWidth"


def api_get(live_server, path, token):
    """A plain HTTP request to the live server, with no cookies: what an app sends."""
    request = urllib.request.Request(live_server.url + "/api/v1" + path,  # noqa: S310 - our own http://127.0.0.1
                                     headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode())


def test_make_a_token_see_it_once_use_it_and_revoke_it(page, live_server, community, zh, log_in, tab_bar,
                                                         screenshot):
    log_in(page, "maple.vol")
    tab_bar(page).open("Me")
    page.get_by_role("link", name=zh("Account and settings")).click()
    page.get_by_role("link", name=zh("Access tokens for apps")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Access tokens for apps"))
    expect(page.get_by_text(zh("You have no tokens yet."))).to_be_visible()

    create = page.get_by_role("button", name=zh("Create token"))
    create.click()  # no name: the form says what is missing and makes nothing
    expect(page.get_by_text(zh("Give the token a name, e.g. the app it is for.")).first).to_be_visible()
    page.get_by_label(zh("Name of the token")).fill("小程序")
    page.get_by_label(zh("Act for myself: check in and out, sign up, claim hours, give credits, order meals, "
                         "ask for repairs, vote")).check()
    page.get_by_label(zh("Valid for")).select_option("30")
    create.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Your new token"))
    secret_box = page.get_by_label(zh("Token"), exact=True)
    secret = secret_box.input_value()
    assert secret.startswith("tb_") and len(secret) > 40
    expect(page.get_by_text(zh("This is the only time the token is shown. We keep only a fingerprint of it and "
                               "cannot show it again."))).to_be_visible()
    assert page.evaluate(SCROLL_WIDTH) <= 360, "the long token does not push the page sideways"
    screenshot(page, "api-token-created")

    status, me = api_get(live_server, "/me", secret)
    assert status == 200 and me["user"]["username"] == "maple.vol"
    assert [item["community"]["slug"] for item in me["communities"]] == ["maple"]

    page.get_by_role("link", name=zh("Done: back to my tokens")).click()
    expect(page.get_by_label(zh("Token"), exact=True)).to_have_count(0)
    assert secret not in page.content(), "the token is shown once, never again"
    row = page.locator(".list-row", has_text="小程序")
    expect(row.get_by_text(zh("Active"), exact=True)).to_be_visible()
    expect(row.get_by_text(secret[:8])).to_be_visible()  # only the beginning, to recognise it
    expect(row).not_to_contain_text(zh("Never used"))  # the request above was recorded as a use
    screenshot(page, "api-tokens")

    row.get_by_role("button", name=zh("Revoke")).click()
    expect(page.get_by_role("status").or_(page.locator(".flash"))).to_contain_text("小程序")
    expect(page.locator(".list-row", has_text="小程序").get_by_text(zh("Revoked"), exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=zh("Revoke"))).to_have_count(0)

    status, problem = api_get(live_server, "/me", secret)
    assert status == 401 and problem["code"] == "invalid_token"
    assert problem["detail"] == zh("The access token is not valid: it is unknown, expired or revoked.")


def test_the_api_docs_render_from_this_server_only(page, live_server, community, zh):
    """/api/v1/docs: Swagger UI from the app's own files, reading the app's own document; nothing from elsewhere."""
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", level=1, name=zh("Neighborhood Time Bank API"), exact=True)).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/me").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/p/qr-checkin/scans").first).to_be_visible()
    assert hosts == {live_server.url.split("/")[2]}, hosts
