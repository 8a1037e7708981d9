"""The community's meal policy: settings (DOMAIN.md defaults), the subsidy tiers and the order cut-off.

The subsidy of a meal is worked out from the elder's age **on the meal date** and the welfare status valid on
that date: the highest of the age bracket's amount and the status's amount, both only from the youngest bracket's
age on. Only the first portion of an order is subsidised (one subsidised meal per person and slot).
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from timebank.errors import ValidationFailed
from timebank.i18n import _, _l
from timebank.settings import SettingSpec, settings_for

logger = logging.getLogger(__name__)

PLUGIN = "elder_meals"

WELFARE_STATUSES = {
    "none": _l("None"),
    "subsistence": _l("Subsistence allowance"),
    "extreme_poverty": _l("Extreme poverty support"),
    "disabled": _l("Disabled or dependent"),
    "solo": _l("Living alone or empty nest"),
    "special_family": _l("Family-planning special support"),
    "entitled": _l("Entitled group (veterans and families)"),
}
SLOT_LABELS = {"lunch": _l("Lunch"), "dinner": _l("Dinner")}
MODE_LABELS = {"dine_in": _l("Eat at the canteen"), "pickup": _l("Pick up"), "delivery": _l("Delivery")}
ORDER_STATUS_LABELS = {
    "placed": _l("Ordered"), "served": _l("Served"), "no_answer": _l("No answer at the door"),
    "missed": _l("Did not come"), "cancelled": _l("Cancelled"),
}
ROUND_GROUPS = [("grid", _l("Grid")), ("building", _l("Building"))]

DEFAULT_AGE_SUBSIDIES = "60:1, 75:5, 85:8, 95:9"
DEFAULT_STATUS_SUBSIDIES = "subsistence:8, special_family:8, entitled:8, disabled:8, extreme_poverty:9"
MAX_SUBSIDY_FEN = 100_00


def setting_specs():
    return [
        SettingSpec("dinner_enabled", "bool", False, _l("The canteen serves dinner too")),
        SettingSpec("cutoff_days_before", "int", 1, _l("Order cut-off: days before the meal"),
                    _l("0: on the day of the meal itself."), min=0, max=7),
        SettingSpec("cutoff_time", "str", "18:00", _l("Order cut-off: time of day (HH:MM)"),
                    _l("After this only the canteen can change orders."), max=5,
                    check=parse_clock_time),
        SettingSpec("age_subsidies", "str", DEFAULT_AGE_SUBSIDIES, _l("Subsidy per meal by age"),
                    _l("From age : yuan, separated by commas. 60:1, 75:5 means ¥1 from 60 to 74 and ¥5 from 75."),
                    max=200, check=parse_age_subsidies),
        SettingSpec("status_subsidies", "str", DEFAULT_STATUS_SUBSIDIES, _l("Subsidy per meal by welfare status"),
                    _l("Status : yuan. Statuses: subsistence, extreme_poverty, disabled, solo, special_family, "
                       "entitled. The higher of the age and the status subsidy applies."), max=300,
                    check=parse_status_subsidies),
        SettingSpec("delivery_fee", "str", "2", _l("Delivery fee per order (yuan, paid by the elder)"), max=8,
                    check=lambda text: parse_yuan(text, "delivery_fee")),
        SettingSpec("free_delivery_statuses", "str", "", _l("Welfare statuses with free delivery"),
                    _l("Statuses separated by commas, e.g. extreme_poverty, disabled. Empty: nobody."), max=200,
                    check=parse_statuses),
        SettingSpec("max_portions", "int", 2, _l("Portions per order (only the first is subsidised)"),
                    min=1, max=5),
        SettingSpec("default_capacity", "int", 60, _l("Meals per slot unless the menu says otherwise"),
                    min=1, max=2000),
        SettingSpec("round_group", "choice", "grid", _l("Group delivery rounds by"), choices=ROUND_GROUPS),
        SettingSpec("round_max_minutes", "int", 120, _l("Most minutes credited for one delivery round"),
                    _l("Delivery time counts as volunteer service up to this limit."), min=15, max=480),
        SettingSpec("sample_hours", "int", 48, _l("Keep food samples for (hours)"), min=48, max=168),
        SettingSpec("canteen_name", "str", "", _l("Name of the canteen"),
                    _l("Shown on printouts and service records; empty: the community's name."), max=60),
    ]


@dataclass(frozen=True)
class MealPolicy:
    dinner_enabled: bool
    cutoff_days_before: int
    cutoff_time: time
    age_subsidies: tuple  # ((from_age, fen), ...) ascending
    status_subsidies: dict  # {status: fen}
    delivery_fee_fen: int
    free_delivery_statuses: frozenset
    max_portions: int
    default_capacity: int
    round_group: str
    round_max_minutes: int
    sample_hours: int
    canteen_name: str

    @property
    def youngest_age(self):
        return self.age_subsidies[0][0] if self.age_subsidies else 60

    def slots(self):
        return ("lunch", "dinner") if self.dinner_enabled else ("lunch",)


# --- Parsing (strict for the policy form, forgiving when reading stored values) --------------------------------


def _parts(text):
    text = str(text or "").replace("，", ",").replace("：", ":").replace("=", ":")
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_yuan(text, field):
    """"8" / "1.5" / "¥2" → fen; ``ValidationFailed`` for anything else (negative, more than 2 decimals)."""
    raw = str(text or "").strip().lstrip("¥￥").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(_("Enter an amount in yuan, e.g. 8 or 2.5."), field=field) from None
    if not value.is_finite() or value < 0 or value * 100 != int(value * 100) or value * 100 > MAX_SUBSIDY_FEN:
        raise ValidationFailed(_("Enter an amount in yuan, e.g. 8 or 2.5."), field=field)
    return int(value * 100)


def parse_age_subsidies(text, field="age_subsidies"):
    """"60:1, 75:5" → ((60, 100), (75, 500)); ages strictly increasing between 40 and 120."""
    pairs = []
    for part in _parts(text):
        age, _sep, amount = part.partition(":")
        if not re.fullmatch(r"\d{1,3}", age.strip()) or not amount.strip():
            raise ValidationFailed(_("Write “age:yuan” pairs separated by commas, e.g. 60:1, 75:5."), field=field)
        pairs.append((int(age), parse_yuan(amount, field)))
    if not pairs:
        raise ValidationFailed(_("Give at least one age bracket."), field=field)
    ages = [age for age, _fen in pairs]
    if ages != sorted(set(ages)) or ages[0] < 40 or ages[-1] > 120:
        raise ValidationFailed(_("Ages must go up, between 40 and 120."), field=field)
    return tuple(pairs)


def parse_status_subsidies(text, field="status_subsidies"):
    """"subsistence:8, extreme_poverty:9" → {"subsistence": 800, ...}."""
    found = {}
    for part in _parts(text):
        status, _sep, amount = part.partition(":")
        status = status.strip()
        if status not in WELFARE_STATUSES or status == "none" or not amount.strip():
            raise ValidationFailed(_("Unknown status “%(status)s”. Use: %(known)s.", status=status,
                                     known=", ".join(code for code in WELFARE_STATUSES if code != "none")),
                                   field=field)
        found[status] = parse_yuan(amount, field)
    return found


def parse_statuses(text, field="free_delivery_statuses"):
    codes = frozenset(_parts(text))
    unknown = sorted(code for code in codes if code not in WELFARE_STATUSES or code == "none")
    if unknown:
        raise ValidationFailed(_("Unknown status “%(status)s”. Use: %(known)s.", status=unknown[0],
                                 known=", ".join(code for code in WELFARE_STATUSES if code != "none")), field=field)
    return codes


def parse_clock_time(text, field="cutoff_time"):
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", str(text or "").strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValidationFailed(_("Enter a time like 18:00."), field=field)
    return time(int(match.group(1)), int(match.group(2)))


#: setting key → strict parser; the policy page checks these before saving.
STRICT_PARSERS = {
    "cutoff_time": parse_clock_time,
    "age_subsidies": parse_age_subsidies,
    "status_subsidies": parse_status_subsidies,
    "delivery_fee": lambda text: parse_yuan(text, "delivery_fee"),
    "free_delivery_statuses": parse_statuses,
}
DEFAULTS = {"cutoff_time": "18:00", "age_subsidies": DEFAULT_AGE_SUBSIDIES, "status_subsidies": DEFAULT_STATUS_SUBSIDIES,
            "delivery_fee": "2", "free_delivery_statuses": ""}


def check_policy_values(values):
    """Raise ``ValidationFailed`` (naming the field) for a malformed table; used before ``save_settings``."""
    for key, parse in STRICT_PARSERS.items():
        if key in values:
            parse(values[key])


def meal_policy(community):
    """The effective policy of ``community``. A malformed stored table falls back to its default (logged)."""
    values = settings_for(PLUGIN, community)
    parsed = {}
    for key, parse in STRICT_PARSERS.items():
        try:
            parsed[key] = parse(values[key])
        except ValidationFailed:
            logger.warning("elder_meals setting %s of community %s is malformed; the default applies", key,
                           community.slug)
            parsed[key] = parse(DEFAULTS[key])
    return MealPolicy(
        dinner_enabled=values["dinner_enabled"], cutoff_days_before=values["cutoff_days_before"],
        cutoff_time=parsed["cutoff_time"], age_subsidies=parsed["age_subsidies"],
        status_subsidies=parsed["status_subsidies"], delivery_fee_fen=parsed["delivery_fee"],
        free_delivery_statuses=parsed["free_delivery_statuses"], max_portions=values["max_portions"],
        default_capacity=values["default_capacity"], round_group=values["round_group"],
        round_max_minutes=values["round_max_minutes"], sample_hours=values["sample_hours"],
        canteen_name=values["canteen_name"] or community.name)


# --- Ages, tiers, cut-off -----------------------------------------------------------------------------------------


def age_on(birth_date, day):
    """Whole years on ``day``: an elder born on 25 November turns a year older on 25 November."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def subsidy_tier(policy, age, status):
    """``(fen, tier code)`` for one meal: ``"age:75"``, ``"status:subsistence"`` or ``"none"``."""
    if age < policy.youngest_age:
        return 0, "none"
    age_fen, age_code = 0, "none"
    for from_age, fen in policy.age_subsidies:
        if age >= from_age:
            age_fen, age_code = fen, f"age:{from_age}"
    status_fen = policy.status_subsidies.get(status, 0)
    # A hardship status wins a tie: offices count those meals under the status when the subsidy is claimed.
    if status_fen and status_fen >= age_fen:
        return status_fen, f"status:{status}"
    return age_fen, age_code


def tier_label(policy, code):
    """"age:75" → "75–84 years"; "status:subsistence" → the status's name; "none" → "No subsidy"."""
    kind, _sep, value = code.partition(":")
    if kind == "status":
        return WELFARE_STATUSES.get(value, value)
    if kind == "age":
        start = int(value)
        following = [age for age, _fen in policy.age_subsidies if age > start]
        if following:
            return _("%(start)d–%(end)d years", start=start, end=following[0] - 1)
        return _("%(start)d years and over", start=start)
    return _("No subsidy")


def cutoff_for(policy, community, meal_date):
    """The moment (aware, UTC-comparable) after which only the canteen can change orders for ``meal_date``."""
    day = meal_date - timedelta(days=policy.cutoff_days_before)
    return datetime.combine(day, policy.cutoff_time, ZoneInfo(community.timezone))


def delivery_fee_for(policy, status):
    return 0 if status in policy.free_delivery_statuses else policy.delivery_fee_fen


def format_yuan(fen):
    """12.5 yuan as "¥12.50" (a negative amount keeps its sign)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{abs(fen) // 100}.{abs(fen) % 100:02d}"
