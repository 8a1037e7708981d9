"""Hook implementations of the API area (always on): its tables, the token page, and building the API itself."""

from .. import hookimpl
from ..i18n import _l
from ..plugins import PluginInfo

PLUGIN = PluginInfo(title=_l("API"), description=_l("The JSON API for apps, mini-programs and district systems."))


@hookimpl
def timebank_models():
    from .models import ApiToken, IdempotencyRecord

    return [ApiToken, IdempotencyRecord]


@hookimpl
def timebank_blueprints():
    from .views_tokens import bp

    return [bp]


@hookimpl
def timebank_startup(app):
    from .install import install

    install(app)


@hookimpl
def timebank_personal_data(user):
    from .tokens import tokens_as_personal_data

    return {"access_tokens": tokens_as_personal_data(user)}


@hookimpl
def timebank_member_erased(user, community):
    from .tokens import revoke_all_tokens

    revoke_all_tokens(user)
