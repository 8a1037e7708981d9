"""The OpenAPI document and the human documentation of the API (Swagger UI, served from this installation)."""

from flask import Blueprint, current_app, render_template, request, url_for

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


@bp.get("/")
def index():
    """Where to start: the document, the docs page, the version."""
    return {"name": "Neighborhood Time Bank API", "version": "1",
            "openapi": url_for("api_docs.openapi_json"), "docs": url_for("api_docs.docs")}


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3 document, generated from the code."""
    state = current_app.extensions["timebank_api"]
    response = current_app.response_class(state.document_json(), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/docs")
def docs():
    """Swagger UI on this installation's own copy of its files (no CDN)."""
    response = current_app.make_response(render_template("api/docs.html"))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
