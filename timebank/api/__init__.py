"""The JSON API v1 (``/api/v1/``): OpenAPI document, token authentication, problem+json errors, pagination,
ETags and idempotency keys. Plugins add endpoints through ``timebank_api_blueprints`` with the pieces exported
here (see docs/api.md and docs/hooks.md)."""

from .auth import ANY_SCOPE, any_account, api_user, current_token, public, scope
from .blueprint import ApiBlueprint
from .errors import ApiProblem
from .idempotency import idempotent
from .schemas import PageQuerySchema, PersonSchema, page_of, page_schema, person
from .tokens import CHECK_IN, COORDINATE, READ

__all__ = ["ANY_SCOPE", "ApiBlueprint", "ApiProblem", "CHECK_IN", "COORDINATE", "PageQuerySchema", "PersonSchema",
           "READ", "any_account", "api_user", "current_token", "idempotent", "page_of", "page_schema", "person",
           "public", "scope"]
