"""The plugin's blueprint (mounted by the core at /c/<community>/p/repair-team), with its upload limit."""

from flask import Blueprint, g, render_template, request, url_for

from .policy import repair_policy

#: Pages inside a community: 404 when the plugin is off there; login and active membership required.
bp = Blueprint("repair_team", __name__, template_folder="templates")

MARGIN_BYTES = 1024 * 1024  # the form's text fields around the photos


@bp.url_value_preprocessor
def limit_upload_size(endpoint, values):
    """Cap the size of a request to this plugin before anything reads its body.

    URL value preprocessors run before every ``before_request`` function, the CSRF check included (which reads the
    form): a limit set later would come after the whole upload had been read. The community is already loaded
    by the core's own preprocessor."""
    if request.method == "POST" and g.get("community") is not None:
        policy = repair_policy(g.community)
        request.max_content_length = policy.max_photo_bytes * max(policy.max_photos, 1) + MARGIN_BYTES


@bp.errorhandler(413)
def upload_too_large(error):
    """A clear page instead of a failed request: what the limit is and how to try again."""
    policy = repair_policy(g.community) if g.get("community") is not None else None
    back = request.referrer if (request.referrer or "").startswith(request.host_url) else None
    return render_template("repair_team/too_large.html", policy=policy,
                           back=back or url_for("repair_team.index")), 413


@bp.app_template_global("repair_team_words")
def repair_team_words():
    """The plugin's vocabulary (status, category, urgency labels) for its templates, cards included."""
    from . import vocabulary

    return vocabulary
