"""Materials at cost: the volunteer records what was used, with the cost and a photo of the receipt; the resident
sees the total before signing off. Labour is always free: there is no labour line, and a "material" that is
really a labour or call-out fee is refused."""

from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _
from timebank.validation import clean_text

from . import photos
from .models import RepairMaterial, RepairPhoto
from .policy import repair_policy
from .services import lock_order, require_status, undone_on_refusal
from .vocabulary import DONE, IN_PROGRESS

MAX_ITEM_FEN = 500_000  # ¥5,000: a repair team buys washers and switches, not kitchens
#: Words that name a fee for work rather than a material (Chinese and English).
LABOUR_WORDS = ("人工", "工时", "工钱", "手工费", "上门费", "服务费", "劳务", "辛苦费", "维修费", "安装费",
                "labour", "labor", "service fee", "call-out", "callout", "work fee", "fitting fee")


def parse_yuan(text, field="cost"):
    """"12.5" → 1250 fen. At most two decimals, not negative, not absurd."""
    try:
        amount = Decimal(str(text).strip().replace("¥", "").replace("￥", "").replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter the cost in yuan, e.g. 12.50."), field=field) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(_("Enter the cost in yuan, e.g. 12.50."), field=field)
    if amount < 0:
        raise ValidationFailed(_("A cost cannot be negative."), field=field)
    fen = int(amount * 100)
    if fen > MAX_ITEM_FEN:
        raise ValidationFailed(_("At most ¥%(max)d per item: ask the coordinator about larger purchases.",
                                 max=MAX_ITEM_FEN // 100), field=field)
    return fen


def yuan(fen):
    """1250 → "12.50"."""
    return f"{(fen or 0) / 100:.2f}"


def looks_like_labour(name):
    lowered = name.lower()
    return any(word in lowered for word in LABOUR_WORDS)


def _require_doing(order, volunteer):
    if order.volunteer_id != getattr(volunteer, "id", None):
        raise PermissionDenied("repair_team.job", _("Only the volunteer doing this job can do this."))
    require_status(order, IN_PROGRESS, DONE)


@undone_on_refusal
def add_material(order, community, volunteer, name, quantity, cost, receipt_file=None):
    """Record one material of the current visit (``cost`` in yuan, as typed). A receipt photo is required for
    anything that cost money (policy). Commits; returns the material."""
    lock_order(order)
    _require_doing(order, volunteer)
    name = clean_text(name, "name", 60, required=True, missing=_("Say what material was used."))
    if looks_like_labour(name):
        raise ValidationFailed(_("Labour is always free: record only materials, at what they cost."), field="name")
    quantity = clean_text(quantity, "quantity", 20)
    cost_fen = parse_yuan(cost)
    policy = repair_policy(community)
    receipts = photos.check_photos([receipt_file], policy.max_photo_bytes, 1, "receipt")
    if cost_fen > 0 and policy.receipt_required and not receipts:
        raise ValidationFailed(_("Add a photo of the receipt: materials are paid at cost, with proof."),
                               field="receipt")
    written = []
    try:
        stored = photos.store_photos(order, receipts, "receipt", volunteer, written)
        material = RepairMaterial(order_id=order.id, visit=order.visit, name=name, quantity=quantity,
                                  cost_fen=cost_fen, receipt_photo_id=stored[0].id if stored else None,
                                  added_by_id=volunteer.id, created_at=now())
        db.session.add(material)
        db.session.flush()
        record_audit("repair_team.material_added", actor=volunteer, community=community,
                     target=("repair_order", order.id), detail={"cost_fen": cost_fen})
        commit()
    except Exception:
        db.session.rollback()
        photos.remove_files(written)
        raise
    return material


@undone_on_refusal
def remove_material(order, community, volunteer, material_id):
    """Take back a material entered by mistake (before sign-off). Commits."""
    lock_order(order)
    _require_doing(order, volunteer)
    material = db.session.scalar(select(RepairMaterial).where(RepairMaterial.id == material_id,
                                                              RepairMaterial.order_id == order.id,
                                                              RepairMaterial.visit == order.visit))
    if material is None:
        raise NotFound(material_id)
    receipt = db.session.get(RepairPhoto, material.receipt_photo_id) if material.receipt_photo_id else None
    db.session.delete(material)
    path = None
    if receipt is not None:
        path = photos.photo_path(receipt)
        db.session.delete(receipt)
    record_audit("repair_team.material_removed", actor=volunteer, community=community,
                 target=("repair_order", order.id), detail={"cost_fen": material.cost_fen})
    commit()
    if path is not None:
        photos.remove_files([path])


def materials_of(order, visit=None):
    """Materials of the current visit (or of ``visit``)."""
    return db.session.scalars(select(RepairMaterial).where(
        RepairMaterial.order_id == order.id, RepairMaterial.visit == (visit or order.visit))
        .order_by(RepairMaterial.id)).all()


def total_fen(order, visit=None):
    return int(db.session.scalar(select(func.coalesce(func.sum(RepairMaterial.cost_fen), 0)).where(
        RepairMaterial.order_id == order.id, RepairMaterial.visit == (visit or order.visit))) or 0)
