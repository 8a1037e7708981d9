"""What every endpoint shares: problem+json errors, pagination, ETags, idempotency keys, the OpenAPI document
and the docs page with its own assets."""

import re
from datetime import UTC, datetime, timedelta

from timebank.extensions import db


def claim_body(hours_ago):
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    return {"category": "ledger.elder_care", "activity_name": f"服务 {hours_ago}", "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=30)).isoformat(), "evidence_note": "照片"}


def test_pagination(api, tokens):
    for hours in range(24, 24 + 5 * 3, 3):
        assert api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body(hours)).status_code == 201
    first = api.get("/communities/maple/records?per_page=2", tokens["volunteer"]).json
    assert (first["total"], first["pages"], first["page"], len(first["items"])) == (5, 3, 1, 2)
    last = api.get("/communities/maple/records?per_page=2&page=3", tokens["volunteer"]).json
    assert len(last["items"]) == 1
    seen = {item["id"] for page in (1, 2, 3) for item in
            api.get(f"/communities/maple/records?per_page=2&page={page}", tokens["volunteer"]).json["items"]}
    assert len(seen) == 5
    too_big = api.get("/communities/maple/records?per_page=1000", tokens["volunteer"])
    assert too_big.status_code == 422 and too_big.json["errors"][0]["field"] == "per_page"


def test_etag_and_if_none_match(api, tokens):
    first = api.get("/me", tokens["volunteer"])
    etag = first.headers["ETag"]
    again = api.get("/me", tokens["volunteer"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body(30))
    changed = api.get("/me", tokens["volunteer"], headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_an_idempotency_key_makes_a_retry_harmless(app, api, tokens):
    from timebank.ledger.models import ServiceRecord

    headers = {"Idempotency-Key": "scan-7f3a"}
    body = claim_body(30)
    first = api.post("/communities/maple/claims", tokens["volunteer"], json=body, headers=headers)
    retry = api.post("/communities/maple/claims", tokens["volunteer"], json=body, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRecord.id))) == 1
    other = api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body(40), headers=headers)
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    # Keys belong to one person: the same key from someone else is a different request.
    assert api.post("/communities/maple/certificates", tokens["coordinator"], json={},
                    headers=headers).json["code"] == "validation_failed"


def test_a_failed_request_does_not_keep_its_key(api, tokens):
    headers = {"Idempotency-Key": "retry-after-fix"}
    body = claim_body(30)
    refused = api.post("/communities/maple/claims", tokens["volunteer"], json={**body, "minutes": 999},
                       headers=headers)
    assert refused.status_code == 422
    assert api.post("/communities/maple/claims", tokens["volunteer"], json={**body, "minutes": 999},
                    headers=headers).status_code == 422  # runs again, is refused again
    bad_key = api.post("/communities/maple/claims", tokens["volunteer"], json=body,
                       headers={"Idempotency-Key": "has space"})
    assert bad_key.status_code == 400 and bad_key.json["code"] == "invalid_idempotency_key"


def test_problem_details_for_routing_and_parsing_errors(api, tokens, client):
    unknown = api.get("/no/such/thing", tokens["volunteer"])
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    wrong_method = api.client.put("/api/v1/me", headers={"Authorization": f"Bearer {tokens['volunteer']}"})
    assert wrong_method.status_code == 405 and wrong_method.json["code"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]
    broken = client.post("/api/v1/communities/maple/claims", data="{not json",
                         headers={"Authorization": f"Bearer {tokens['volunteer']}",
                                  "Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.mimetype == "application/problem+json"
    huge_id = api.get("/communities/maple/records/99999999999999999999999", tokens["volunteer"])
    assert huge_id.status_code == 404 and huge_id.mimetype == "application/problem+json"
    # The web pages keep their HTML error pages.
    assert client.get("/no/such/page").mimetype == "text/html"


def test_the_nul_character_is_refused_before_it_reaches_the_database(api, tokens):
    """PostgreSQL cannot store NUL in text (found by schemathesis: a login with NUL in the username was a 500)."""
    login = api.post("/auth/token", json={"username": "maple.\u0000vol", "password": "x"})
    assert login.status_code == 422 and login.json["errors"][0]["field"] == "username"
    claim = api.post("/communities/maple/claims", tokens["volunteer"],
                     json={**claim_body(30), "activity_name": "陪伴\u0000老人", "tags": ["a", "\u0000"]})
    assert claim.status_code == 422
    assert {error["field"] for error in claim.json["errors"]} == {"activity_name", "tags"}
    query = api.get("/communities/maple/records?category=x%00y", tokens["volunteer"])
    assert query.status_code == 400 and query.mimetype == "application/problem+json"  # the core's rule
    path = api.get("/certificates/ZY%00", tokens["volunteer"])
    assert path.status_code == 422 and path.json["errors"][0]["field"] == "number"
    assert path.json["detail"] == "文本不能包含空字符（\\u0000）。"  # in the owner's language


def test_ids_beyond_the_database_are_404_or_422_not_a_database_error(api, tokens):
    """Ids are 32-bit in PostgreSQL (found by schemathesis: 500s for 3,000,000,000 in a path and in a list)."""
    assert api.get("/communities/maple/records/3000000000", tokens["volunteer"]).status_code == 404
    assert api.post("/communities/maple/p/qr-checkin/shifts/2147483648/signup", tokens["volunteer"]).status_code \
        == 404
    many = api.post("/communities/maple/queue/decisions", tokens["coordinator"],
                    json={"action": "confirm", "record_ids": [1, 9223372036854775807]})
    assert many.status_code == 422 and many.json["errors"][0]["field"].startswith("record_ids")


def test_the_openapi_document_is_generated_and_complete(api, app):
    response = api.get("/openapi.json")
    assert response.status_code == 200 and "ETag" in response.headers
    document = response.json
    assert document["openapi"].startswith("3.") and document["components"]["securitySchemes"]["bearerAuth"]
    paths = document["paths"]
    for path in ("/api/v1/me", "/api/v1/auth/token", "/api/v1/communities/{community}/claims",
                 "/api/v1/communities/{community}/queue/decisions", "/api/v1/certificates/{number}",
                 "/api/v1/communities/{community}/p/qr-checkin/scans"):
        assert path in paths, path
    # Every operation documents its errors as problem+json, and every API route of the app is in the document.
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "default" in operation["responses"], (method, path)
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", path) for path in paths}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.endpoint.startswith("api_docs."):
            plain = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)
            assert plain in documented, rule.rule
    assert paths["/api/v1/certificates/{number}"]["get"]["security"] == []
    claims = paths["/api/v1/communities/{community}/claims"]["post"]
    assert claims["x-required-scope"] == "check-in"
    assert any(parameter["name"] == "Idempotency-Key" for parameter in claims["parameters"])


def test_the_docs_page_uses_only_local_assets(api, client):
    page = api.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'<(?:link|script)[^>]*(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 4 and all(url.startswith("/static/") for url in assets), assets
    for url in [*assets, "/static/vendor/swagger-ui/LICENSE"]:
        with client.get(url) as response:
            assert response.status_code == 200, url
            if url.endswith("api-docs.js"):
                assert "validatorUrl: null" in response.get_data(as_text=True)


def test_index(api):
    assert api.get("/").json["openapi"] == "/api/v1/openapi.json"
