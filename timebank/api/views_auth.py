"""Tokens for mobile clients: log in with username and password, look at or revoke the token in use."""

from marshmallow import Schema, fields, validate

from ..i18n import _
from ..identity.services import authenticate
from .auth import ANY_SCOPE, current_token, public, scope
from .blueprint import ApiBlueprint
from .errors import ApiProblem
from .tokens import SCOPES, create_login_token, revoke_token

bp = ApiBlueprint("api_auth", __name__, url_prefix="/api/v1/auth",
                  description="Short-lived tokens for mobile clients (username and password).")


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128), load_only=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(list(SCOPES))), validate=validate.Length(max=3),
                         metadata={"description": "The scopes the token needs (default: all three)."})
    client_name = fields.String(validate=validate.Length(max=60),
                                metadata={"description": "Shown on the account page, e.g. “WeChat mini-program”."})


class TokenInfoSchema(Schema):
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["personal", "login"]))
    prefix = fields.String(required=True, metadata={"description": "The first characters of the token."})
    scopes = fields.List(fields.String(), required=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenInfoSchema):
    token = fields.String(required=True, metadata={"description": "The secret: keep it; it is shown only now."})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})


def token_info(token):
    return {"name": token.name, "kind": token.kind, "prefix": token.prefix, "scopes": token.scope_list,
            "created_at": token.created_at, "expires_at": token.expires_at, "last_used_at": token.last_used_at}


@bp.route("/token", methods=["POST"])
@public
@bp.arguments(LoginSchema)
@bp.response(201, NewTokenSchema)
def create_token(body):
    """Log in: a short-lived token for a mobile client

    The same login throttling as the web login form applies (per address and per account, counted together
    with the web form). The token dies when it expires or when the password is changed.
    """
    user = authenticate(body["username"], body["password"])
    if user is None:
        raise ApiProblem(401, _("Wrong username or password. Please check and try again."),
                         code="invalid_credentials", headers={"WWW-Authenticate": 'Bearer realm="timebank"'})
    token, secret = create_login_token(user, body.get("scopes"), body.get("client_name", ""))
    return {**token_info(token), "token": secret, "token_type": "Bearer"}


@bp.route("/token", methods=["GET"])
@scope(ANY_SCOPE)
@bp.response(200, TokenInfoSchema)
def show_token():
    """The token used for this request"""
    return token_info(current_token())


@bp.route("/token", methods=["DELETE"])
@scope(ANY_SCOPE)
@bp.response(204)
def delete_token():
    """Log out: revoke the token used for this request"""
    token = current_token()
    revoke_token(token, token.user)
    return None
