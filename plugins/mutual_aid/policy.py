"""The community's exchange policy (settings with the issue's defaults) and the list of categories."""

from dataclasses import dataclass

from timebank.i18n import _l
from timebank.settings import SettingSpec, settings_for

PLUGIN = "mutual_aid"

#: code → (label, involves a home visit: then the helper's verification status is shown)
CATEGORIES = {
    "companionship": (_l("Companionship and chatting"), True),
    "errands": (_l("Errands and shopping"), False),
    "escorting": (_l("Escorting to hospital or outings"), False),
    "cleaning": (_l("Cleaning and tidying"), True),
    "teaching": (_l("Teaching (smartphone, homework)"), False),
    "culture": (_l("Culture and sports activities"), False),
    "talks": (_l("Legal or health advice"), False),
    "small_repairs": (_l("Small jobs at home"), True),
    "other": (_l("Other help"), False),
}


def setting_specs():
    codes = ",".join(CATEGORIES)
    return [
        SettingSpec("categories", "str", codes, _l("Categories offered"), _l("Codes separated by commas."),
                    max=300),
        SettingSpec("credit_categories", "str", codes, _l("Categories paid in time-bank credits"),
                    _l("Help in other categories is thanked, recorded as volunteer hours, but not paid."), max=300),
        SettingSpec("spend_min_age", "int", 0, _l("Credits may be spent from age (0: by everybody)"),
                    _l("Below this age a member may still spend credits a relative gave them."), min=0, max=100),
        SettingSpec("elder_overdraft_credits", "int", 0, _l("Overdraft allowed for elders 60+ and priority elders "
                                                             "(credits)"), min=0, max=20),
        SettingSpec("needs_coordinator", "bool", False, _l("A coordinator confirms each completed exchange"),
                    _l("Otherwise the recipient's confirmation records the hours and moves the credits at once.")),
        SettingSpec("max_minutes", "int", 480, _l("Longest exchange (minutes)"), min=15, max=1440),
    ]


@dataclass(frozen=True)
class ExchangePolicy:
    categories: tuple
    credit_categories: tuple
    spend_min_age: int
    elder_overdraft_credits: int
    needs_coordinator: bool
    max_minutes: int


def _codes(text):
    return tuple(code.strip() for code in str(text).replace("，", ",").split(",") if code.strip() in CATEGORIES)


def exchange_policy(community):
    values = settings_for(PLUGIN, community)
    values["categories"] = _codes(values["categories"]) or tuple(CATEGORIES)
    values["credit_categories"] = _codes(values["credit_categories"])
    return ExchangePolicy(**values)


def category_label(code):
    return CATEGORIES.get(code, (code, False))[0]


def home_visit(code):
    return CATEGORIES.get(code, ("", False))[1]
