"""Messages kept on a row (why a check-out, a round or a repair gave no hours) are stored untranslated and shown in
the language of whoever reads them; texts written before (already translated) and texts people typed are shown as
they are."""

import json
from datetime import date

import pytest
from flask_babel import force_locale

from timebank.errors import ValidationFailed
from timebank.i18n import _, _l, lazy_ngettext
from timebank.notifications.services import Minutes
from timebank.stored_text import shown_text, stored_reason, stored_text


def read(app, stored, locale):
    with app.test_request_context(), force_locale(locale):
        return shown_text(stored)


def test_a_lazy_message_is_stored_untranslated_and_read_in_each_language(app):
    with app.test_request_context(), force_locale("zh_CN"):  # written by someone who uses Chinese
        stored = stored_text(_l("The service must last more than zero minutes."))
    assert json.loads(stored) == {"msgid": "The service must last more than zero minutes."}
    assert read(app, stored, "en") == "The service must last more than zero minutes."
    assert read(app, stored, "zh_CN") == "服务时长必须大于0分钟。"


def test_parameters_dates_and_durations_are_read_in_each_language(app):
    with app.test_request_context(), force_locale("en"):
        stored = stored_text(_l("This overlaps with “%(activity)s” on %(date)s already recorded for %(name)s.",
                                activity="巡逻", date=date(2026, 11, 24), name="陈志强"))
        limit = stored_text(_l("The end time is before the start time. A service that goes on past midnight, such "
                               "as a night patrol from 22:00 to 06:00, can last at most %(limit)s.",
                               limit=Minutes(720)))
    assert read(app, stored, "en") == "This overlaps with “巡逻” on Nov 24, 2026 already recorded for 陈志强."
    assert "2026年11月24日" in read(app, stored, "zh_CN") and "巡逻" in read(app, stored, "zh_CN")
    assert read(app, limit, "en").endswith("can last at most 12 h.")
    assert "12小时" in read(app, limit, "zh_CN")


def test_a_plural_message_takes_its_form_when_read(app):
    with app.test_request_context(), force_locale("en"):
        one, two = (stored_text(lazy_ngettext("This is too long ago to be entered here (more than %(num)d day).",
                                              "This is too long ago to be entered here (more than %(num)d days).",
                                              days)) for days in (1, 2))
    assert read(app, one, "en") == "This is too long ago to be entered here (more than 1 day)."
    assert read(app, two, "en") == "This is too long ago to be entered here (more than 2 days)."
    assert read(app, one, "zh_CN") == "时间过久，无法在此录入（超过1天）。"
    assert read(app, two, "zh_CN") == "时间过久，无法在此录入（超过2天）。"


@pytest.mark.parametrize("legacy", ["服务时长必须大于0分钟。", "Less than 60% of the shift on post: no hours.",
                                    "{not json", '{"msgid": broken', ""])
def test_texts_stored_before_and_texts_people_typed_are_shown_as_they_are(app, legacy):
    assert read(app, legacy, "en") == legacy and read(app, legacy, "zh_CN") == legacy
    with app.test_request_context():
        assert stored_text(legacy) == legacy


def test_a_broken_stored_message_shows_its_english_text(app):
    stored = json.dumps({"msgid": "Less than %(percent)d%% of the shift on post: no hours.",
                         "params": {"percent": "sixty"}}, ensure_ascii=False)
    assert read(app, stored, "zh_CN") == "Less than %(percent)d%% of the shift on post: no hours."


def test_long_parameters_are_shortened_to_fit_the_column(app):
    with app.test_request_context(), force_locale("en"):
        message = _l("This overlaps with “%(activity)s” on %(date)s already recorded for %(name)s.",
                     activity="长" * 120, date=date(2026, 11, 24), name="陈志强")
        stored = stored_text(message, 200)
        assert len(stored) <= 200
        assert read(app, stored, "en").startswith("This overlaps with “长长") and "…”" in read(app, stored, "en")
        assert read(app, stored, "en").endswith("on Nov 24, 2026 already recorded for 陈志强.")
        assert stored_text(_("These hours have already been recorded."), 10) == "These hour"  # a text: cut


def test_a_domain_error_keeps_its_lazy_message(app):
    with app.test_request_context(), force_locale("zh_CN"):
        error = ValidationFailed(_l("This overlaps with “%(activity)s” on %(date)s already recorded for %(name)s.",
                                    activity="巡逻", date=date(2026, 11, 24), name="陈志强"), field="started_at")
        assert isinstance(error.message, str) and "2026年11月24日" in error.message  # shown now, as later
        assert str(error) == error.message
        stored = stored_reason(error, 200)
        plain = stored_reason(ValidationFailed(_("These hours have already been recorded.")))
    assert read(app, stored, "en") == "This overlaps with “巡逻” on Nov 24, 2026 already recorded for 陈志强."
    assert plain == "这些时长已经记录过了。"  # raised translated: kept as it was
