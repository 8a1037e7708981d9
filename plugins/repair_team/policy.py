"""The community's repair policy: every rule of the issue marked *policy* is a setting with the issue's default."""

from dataclasses import dataclass

from timebank.i18n import _l
from timebank.settings import SettingSpec, settings_for

PLUGIN = "repair_team"


def setting_specs():
    return [
        SettingSpec("emergency_assign_minutes", "int", 30, _l("Emergency: a volunteer assigned within (minutes)"),
                    _l("After this an unassigned emergency is flagged as overdue on the board."), min=5, max=240),
        SettingSpec("normal_assign_hours", "int", 24, _l("Normal request: a volunteer assigned within (hours)"),
                    _l("After this an unassigned request is flagged as overdue on the board."), min=1, max=168),
        SettingSpec("followup_after_hours", "int", 24, _l("Follow-up call due (hours after sign-off)"),
                    _l("Residents who have not rated the repair by then are on the coordinators' follow-up list."),
                    min=1, max=72),
        SettingSpec("rating_window_hours", "int", 48, _l("Rating possible until (hours after sign-off)"),
                    _l("After this the order closes without a rating."), min=12, max=168),
        SettingSpec("poor_rating_at_most", "int", 2, _l("A rating of this many stars or fewer reopens the order"),
                    min=1, max=4),
        SettingSpec("licensed_categories", "str", "electricity", _l("Categories that need a licence on file"),
                    _l("Codes separated by commas (water, electricity, drains, locks, appliances, heating, "
                       "gas_check). Default: electrical work needs an electrician's licence."), max=200),
        SettingSpec("volunteers_may_claim", "bool", True, _l("Qualified volunteers may take open requests "
                                                             "themselves")),
        SettingSpec("max_open_jobs", "int", 3, _l("Most jobs one volunteer holds at a time"), min=1, max=20),
        SettingSpec("receipt_required", "bool", True, _l("Materials that cost money need a photo of the receipt")),
        SettingSpec("max_photos", "int", 3, _l("Photos per request"), min=0, max=6),
        SettingSpec("max_photo_mb", "int", 8, _l("Largest photo (MB)"),
                    _l("Photos are checked, shrunk and stripped of location data before they are stored."),
                    scope="instance", min=1, max=20),
    ]


@dataclass(frozen=True)
class RepairPolicy:
    emergency_assign_minutes: int
    normal_assign_hours: int
    followup_after_hours: int
    rating_window_hours: int
    poor_rating_at_most: int
    licensed_categories: frozenset
    volunteers_may_claim: bool
    max_open_jobs: int
    receipt_required: bool
    max_photos: int
    max_photo_mb: int

    @property
    def max_photo_bytes(self):
        return self.max_photo_mb * 1024 * 1024


def repair_policy(community):
    """The effective repair policy of ``community`` (community values over instance values over defaults)."""
    values = settings_for(PLUGIN, community)
    values.update(settings_for(PLUGIN, None, scope="instance"))
    values["licensed_categories"] = frozenset(
        code.strip() for code in values["licensed_categories"].split(",") if code.strip())
    return RepairPolicy(**values)
