"""Permissions: named actions with a default minimum role, which plugins can veto or grant.

``can(user, name, community, resource=None)`` decides:

1. an anonymous user may do nothing;
2. plugins on in the community are asked (``timebank_permission_allowed``): any ``False`` denies, else any
   ``True`` allows;
3. otherwise a district admin may; a member may when the role of the active membership ranks at or above the
   permission's ``default_role``.

Services call ``require(...)``, which raises ``PermissionDenied``. Lists are scoped in SQL, not by asking per row.
"""

from dataclasses import dataclass

from flask import current_app

from .errors import PermissionDenied
from .roles import role_at_least


@dataclass
class Permission:
    name: str
    description: object
    default_role: str  # one of timebank.roles.ROLES
    plugin: str = ""


def get_permission(name):
    try:
        return current_app.extensions["timebank"].permissions[name]
    except KeyError:
        raise KeyError(f"unknown permission {name!r}") from None


def can(user, name, community, resource=None):
    """May ``user`` do ``name`` in ``community`` (on ``resource``)?"""
    from .communities.services import active_membership
    from .hooks import hooks_for

    permission = get_permission(name)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    votes = hooks_for(community).timebank_permission_allowed(
        user=user, permission=name, community=community, resource=resource
    )
    if any(vote is False for vote in votes):
        return False
    if any(vote is True for vote in votes):
        return True
    if user.is_district_admin:
        return True
    if community is None:
        return False
    membership = active_membership(user, community)
    return membership is not None and role_at_least(membership.role, permission.default_role)


def require(user, name, community, resource=None):
    """Raise ``PermissionDenied`` unless ``can(...)``."""
    if not can(user, name, community, resource):
        raise PermissionDenied(name)
