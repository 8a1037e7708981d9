"""Time-bank credits: gifts to relatives (or any member, by the community's policy)."""

from flask import g

from ..communities.services import find_member
from ..errors import ValidationFailed
from ..ledger.accounts import member_balances
from ..ledger.credits import gift_credits
from .auth import api_user, scope
from .blueprint import ApiBlueprint
from .idempotency import idempotent
from .schemas import person
from .schemas_ledger import GiftResultSchema, GiftSchema
from .tokens import CHECK_IN

bp = ApiBlueprint("api_credits", __name__, url_prefix="/api/v1/communities/<community>",
                  description="Time-bank credits (时间币): gifts to relatives.")


@bp.route("/gifts", methods=["POST"])
@scope(CHECK_IN)
@idempotent
@bp.arguments(GiftSchema)
@bp.response(201, GiftResultSchema)
def create_gift(body):
    """Give credits to a relative

    The community's policy decides who may receive them (confirmed relatives by default) and the caps.
    """
    user = api_user()
    try:
        receiver = find_member(g.community, body["receiver"])
    except ValidationFailed as error:
        error.field = "receiver"
        raise
    gift_credits(g.community, user, receiver, body["minutes"], user, note=body["note"])
    left = member_balances(g.community.id, user.id)["credits"]
    return {"receiver": person(receiver), "minutes": body["minutes"], "credit_minutes_left": left}
