from flask import Blueprint, g
from flask_login import current_user

from ..permissions import require

bp = Blueprint("admin", __name__, url_prefix="/c/<community>/admin")


@bp.before_request
def staff_only():
    """Every admin page is for the community's coordinators and admins (the community guard ran already)."""
    if current_user.is_authenticated and g.get("community") is not None:
        require(current_user, "members.approve", g.community)
