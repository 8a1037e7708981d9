"""Community policy for the ledger: per-community settings with the defaults of the national rules.

Everything marked *policy* in DOMAIN.md is a setting here (plugin ``core_ledger``), edited by a community admin
on the "Hours policy" page and read through ``ledger_policy(community)``.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from ..i18n import _l
from ..settings import SettingSpec, settings_for

PLUGIN = "core_ledger"

ROUNDING_CHOICES = [("nearest", _l("to the nearest unit")), ("down", _l("down")), ("up", _l("up"))]
GIFT_CHOICES = [
    ("confirmed_relatives", _l("to relatives the member names, confirmed by a coordinator")),
    ("any_member", _l("to any member of the community")),
    ("off", _l("no gifts")),
]


def setting_specs():
    return [
        SettingSpec("daily_cap_minutes", "minutes", 480, _l("Daily limit per person (minutes)"),
                    _l("Hours above this in one day need a community admin to confirm them."), min=60, max=1440),
        SettingSpec("rounding_minutes", "minutes", 30, _l("Rounding unit (minutes)"),
                    _l("0 for no rounding. Default: half an hour."), min=0, max=120),
        SettingSpec("rounding_mode", "choice", "nearest", _l("Rounding"), choices=ROUNDING_CHOICES),
        SettingSpec("min_attendance_percent", "int", 60, _l("Minimum attendance (% of the shift)"),
                    _l("Below this share of a shift, check-in time earns no hours."), min=0, max=100),
        SettingSpec("max_checkins_per_day", "int", 3, _l("Check-ins per person per activity and day"),
                    min=1, max=10),
        SettingSpec("confirm_within_working_days", "int", 10, _l("Confirm within (working days)"),
                    _l("Entries still pending after this show as overdue."), min=1, max=60),
        SettingSpec("claims_enabled", "bool", True, _l("Volunteers may claim hours for service without check-in")),
        SettingSpec("max_claim_age_days", "int", 90, _l("Claims and back-entries up to (days after the service)"),
                    min=1, max=3650),
        SettingSpec("credits_enabled", "bool", True, _l("Time-bank credits (时间币)")),
        SettingSpec("credit_rate_percent", "int", 100, _l("Credits per hour of eligible service (%)"),
                    _l("100: one hour of confirmed service earns one credit."), min=0, max=1000),
        SettingSpec("credit_categories", "str", "", _l("Categories that earn credits"),
                    _l("Codes separated by commas; empty: the categories that earn credits by default."), max=500),
        SettingSpec("balance_cap_credits", "int", 1500, _l("Most credits one person may hold"),
                    _l("Credits above the limit go to the community's donation pool."), min=1, max=100000),
        SettingSpec("daily_credit_cap", "int", 0, _l("Most credits one person may earn per day (0: no limit)"),
                    min=0, max=24),
        SettingSpec("gift_policy", "choice", "confirmed_relatives", _l("Gifts of credits"), choices=GIFT_CHOICES),
        SettingSpec("star_thresholds_hours", "str", "100,300,600,1000,1500", _l("Star levels (hours)"),
                    _l("Five numbers: confirmed hours for one to five stars."), max=100),
        SettingSpec("leaderboard_enabled", "bool", True, _l("Show a leaderboard (masked names, only members who "
                                                             "agree)")),
        SettingSpec("certificate_person_in_charge", "str", "", _l("Person in charge (on certificates)"), max=60),
        SettingSpec("certificate_handler", "str", "", _l("Handler (on certificates)"), max=60),
    ]


@dataclass(frozen=True)
class LedgerPolicy:
    daily_cap_minutes: int
    rounding_minutes: int
    rounding_mode: str
    min_attendance_percent: int
    max_checkins_per_day: int
    confirm_within_working_days: int
    claims_enabled: bool
    max_claim_age_days: int
    credits_enabled: bool
    credit_rate_percent: int
    credit_categories: tuple
    balance_cap_credits: int
    daily_credit_cap: int
    gift_policy: str
    star_thresholds_hours: tuple
    leaderboard_enabled: bool
    certificate_person_in_charge: str
    certificate_handler: str

    @property
    def balance_cap_minutes(self):
        return self.balance_cap_credits * 60

    @property
    def daily_credit_cap_minutes(self):
        return self.daily_credit_cap * 60


def parse_thresholds(text):
    """"100,300,600,1000,1500" → (100, 300, 600, 1000, 1500); malformed → the defaults."""
    try:
        values = tuple(int(part) for part in str(text).replace("，", ",").split(",") if part.strip())
    except ValueError:
        values = ()
    if len(values) != 5 or any(b <= a for a, b in zip(values, values[1:], strict=False)) or values[0] <= 0:
        return (100, 300, 600, 1000, 1500)
    return values


def ledger_policy(community):
    values = settings_for(PLUGIN, community)
    values["credit_categories"] = tuple(
        code.strip() for code in values["credit_categories"].replace("，", ",").split(",") if code.strip()
    )
    values["star_thresholds_hours"] = parse_thresholds(values["star_thresholds_hours"])
    return LedgerPolicy(**values)


def round_minutes(minutes, policy):
    """Apply the community's rounding unit to a duration in minutes."""
    unit = policy.rounding_minutes
    if not unit or minutes <= 0:
        return max(int(minutes), 0)
    whole, rest = divmod(int(minutes), unit)
    if policy.rounding_mode == "up" and rest or policy.rounding_mode == "nearest" and rest * 2 >= unit:
        whole += 1
    return whole * unit


def star_level(confirmed_minutes, policy):
    """Stars 0–5 from confirmed cumulative hours, and the hours needed for the next star (None at 5)."""
    hours = confirmed_minutes / 60
    level = sum(1 for threshold in policy.star_thresholds_hours if hours >= threshold)
    next_threshold = policy.star_thresholds_hours[level] if level < 5 else None
    return level, next_threshold


def working_days_before(day, count):
    """The date ``count`` working days (Monday–Friday) before ``day``."""
    current = day
    remaining = count
    while remaining > 0:
        current -= timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def working_days_after(day, count):
    """The date ``count`` working days (Monday–Friday) after ``day`` (public notices of N working days)."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def overdue_cutoff(today: date, policy):
    """Pending entries for activities on or before this date are overdue."""
    return working_days_before(today, policy.confirm_within_working_days)
