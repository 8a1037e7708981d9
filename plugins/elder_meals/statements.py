"""Monthly statements: per elder (meals, price, subsidy, what they pay and have paid) and per community (meals by
subsidy tier and the subsidy total to claim from the civil-affairs office), on screen and as XLSX.

A meal counts when it was served or is still due (placed); a delivery nobody answered and a meal nobody came
for cost nothing and claim no subsidy. Only the first portion of an order is subsidised.
"""

import calendar
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale
from sqlalchemy import case, func, select

from timebank.audit.services import record_audit
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _

from .models import BILLABLE_STATES, Elder, Order
from .policy import MODE_LABELS, ORDER_STATUS_LABELS, SLOT_LABELS, meal_policy, tier_label
from .services import local_today


def parse_month(text, community):
    """"2026-11" → (2026, 11); anything else → the current month."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text or "")
    if match and 1 <= int(match.group(2)) <= 12 and 2000 <= int(match.group(1)) <= 2100:
        return int(match.group(1)), int(match.group(2))
    today = local_today(community)
    return today.year, today.month


def month_bounds(year, month):
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def neighbour_months(year, month):
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return previous, following


@dataclass
class Totals:
    meals: int = 0
    portions: int = 0
    total_fen: int = 0
    subsidy_fen: int = 0
    due_fen: int = 0
    paid_fen: int = 0
    delivery_fen: int = 0

    def add(self, order):
        if not order.billable:
            return
        self.meals += 1
        self.portions += order.portions
        self.total_fen += order.total_fen
        self.subsidy_fen += order.total_fen - order.due_fen
        self.due_fen += order.due_fen
        self.paid_fen += order.paid_fen
        self.delivery_fen += order.delivery_fee_fen

    def add_sums(self, meals, portions, total_fen, subsidy_fen, paid_fen, delivery_fen):
        """Add billable meals summed by the database (``subsidy_fen``: what their first portions were
        subsidised by)."""
        self.meals += meals
        self.portions += portions
        self.total_fen += total_fen
        self.subsidy_fen += subsidy_fen
        self.due_fen += total_fen - subsidy_fen
        self.paid_fen += paid_fen
        self.delivery_fen += delivery_fen

    @property
    def outstanding_fen(self):
        return self.due_fen - self.paid_fen


@dataclass
class TierLine:
    code: str
    label: str
    subsidy_per_meal_fen: int
    totals: Totals = field(default_factory=Totals)


def _orders(community, first, last, elder=None):
    query = select(Order).where(Order.community_id == community.id, Order.meal_date >= first,
                                Order.meal_date <= last, Order.status != "cancelled")
    if elder is not None:
        query = query.where(Order.elder_id == elder.id)
    return db.session.scalars(query.order_by(Order.meal_date, Order.slot.desc(), Order.id)).all()


def elder_statement(community, elder, year, month):
    """``(orders, totals)`` of one elder in one month."""
    first, last = month_bounds(year, month)
    orders = _orders(community, first, last, elder)
    totals = Totals()
    for order in orders:
        totals.add(order)
    return orders, totals


def community_statement(community, year, month):
    """``(tier lines, per-elder [(elder, totals)], totals)`` of one month: what to claim and from whom.

    The sums are made by the database, one row per elder, tier and subsidy per meal (a few hundred rows for a
    district-scale month instead of every order with its elder and dish); then the elders of the month are loaded
    in one statement."""
    first, last = month_bounds(year, month)
    policy = meal_policy(community)
    # What the first portion is subsidised by: never more than its price (as ``Order.due_fen`` counts it).
    subsidy = case((Order.subsidy_fen < Order.price_fen, Order.subsidy_fen), else_=Order.price_fen)
    rows = db.session.execute(
        select(Order.elder_id, Order.tier, subsidy, func.count(Order.id), func.sum(Order.portions),
               func.sum(Order.price_fen * Order.portions + Order.delivery_fee_fen), func.sum(Order.paid_fen),
               func.sum(Order.delivery_fee_fen))
        .where(Order.community_id == community.id, Order.meal_date >= first, Order.meal_date <= last,
               Order.status.in_(BILLABLE_STATES))
        .group_by(Order.elder_id, Order.tier, subsidy)).all()
    tiers, by_elder, totals = {}, {}, Totals()
    for elder_id, tier, per_meal, meals, portions, total_fen, paid_fen, delivery_fen in rows:
        sums = (meals, portions, total_fen, per_meal * meals, paid_fen, delivery_fen)
        key = (tier, per_meal)
        if key not in tiers:
            tiers[key] = TierLine(tier, str(tier_label(policy, tier)), per_meal)
        tiers[key].totals.add_sums(*sums)
        by_elder.setdefault(elder_id, Totals()).add_sums(*sums)
        totals.add_sums(*sums)
    elders = db.session.scalars(select(Elder).where(Elder.community_id == community.id,
                                                    Elder.id.in_(sorted(by_elder)))).all() if by_elder else []
    lines = sorted(tiers.values(), key=lambda line: (-line.subsidy_per_meal_fen, line.label, line.code))
    per_elder = sorted(((elder, by_elder[elder.id]) for elder in elders),
                       key=lambda item: (item[0].user.display_name, item[0].id))
    return lines, per_elder, totals


# --- XLSX (in Chinese: the files go to the civil-affairs office) ----------------------------------------------------


def _yuan(fen):
    return round(fen / 100, 2)


def _workbook_file(sheets):
    """``sheets``: [(title, header, rows)] → a temporary XLSX file (openpyxl write-only mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title)
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (send_file closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def elder_statement_xlsx(community, elder, year, month):
    orders, totals = elder_statement(community, elder, year, month)
    with force_locale("zh_CN"):
        header = [_("Date"), _("Meal time"), _("Dish"), _("How"), _("Portions"), _("Price"), _("Subsidy"),
                  _("Delivery fee"), _("To pay"), _("Paid"), _("Status")]
        rows = [(order.meal_date.isoformat(), str(SLOT_LABELS[order.slot]), order.dish.name,
                 str(MODE_LABELS[order.mode]), order.portions, _yuan(order.price_fen * order.portions),
                 _yuan(order.total_fen - order.due_fen) if order.billable else 0,
                 _yuan(order.delivery_fee_fen) if order.billable else 0,
                 _yuan(order.due_fen) if order.billable else 0, _yuan(order.paid_fen), str(ORDER_STATUS_LABELS[order.status]))
                for order in orders]
        rows.append((_("Total"), "", "", "", totals.portions, _yuan(totals.total_fen - totals.delivery_fen),
                     _yuan(totals.subsidy_fen), _yuan(totals.delivery_fen), _yuan(totals.due_fen),
                     _yuan(totals.paid_fen), ""))
        title = _("Meal statement")
    return _workbook_file([(title, header, rows)])


def community_statement_xlsx(community, year, month):
    lines, per_elder, totals = community_statement(community, year, month)
    with force_locale("zh_CN"):
        summary_header = [_("Subsidy tier"), _("Subsidy per meal"), _("Meals"), _("Subsidy total")]
        summary = [(line.label, _yuan(line.subsidy_per_meal_fen), line.totals.meals, _yuan(line.totals.subsidy_fen))
                   for line in lines]
        summary.append((_("Total"), "", totals.meals, _yuan(totals.subsidy_fen)))
        detail_header = [_("Elder"), _("Meals"), _("Subsidy total"), _("To pay"), _("Paid")]
        detail = [(elder.user.display_name, elder_totals.meals, _yuan(elder_totals.subsidy_fen),
                   _yuan(elder_totals.due_fen), _yuan(elder_totals.paid_fen)) for elder, elder_totals in per_elder]
        sheets = [(_("Subsidy claim"), summary_header, summary), (_("Per elder"), detail_header, detail)]
    return _workbook_file(sheets)


def record_export(community, actor, what, year, month, elder=None):
    """Statements carry personal data: each export is written to the audit log. Commits."""
    record_audit("elder_meals.statement_exported", actor=actor, community=community,
                 target=("elder_meals_elder", elder.id) if elder else None,
                 detail={"what": what, "month": f"{year}-{month:02d}"})
    commit()
