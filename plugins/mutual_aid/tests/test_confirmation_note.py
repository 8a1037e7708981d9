"""Why the hours of an exchange were confirmed: the record keeps a code, never English words, and every reader sees
the note in their own language; records written before the codes (with the English words) read the same."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from timebank_plugins.mutual_aid import exchange, services

from timebank.extensions import db
from timebank.ledger.models import ServiceRecord
from timebank.settings import save_settings
from timebank.stored_text import stored_text

from .conftest import NOW

RECIPIENT_ZH, RECIPIENT_EN = "由受助人确认", "Confirmed by the person who was helped"
COORDINATOR_ZH, COORDINATOR_EN = "由协调员确认", "Confirmed by the coordinator"


def _completed(run, clock, needs_coordinator=False):
    """An exchange the daughter confirmed (and, by policy, the coordinator too); returns the record."""
    if needs_coordinator:
        run(lambda c, u: save_settings("mutual_aid", {"needs_coordinator": True}, c, u["coordinator"]))

    def agree(c, u):
        listing = services.post_listing(c, u["daughter"], u["mother"], kind="request", category="companionship",
                                        title="陪妈妈散步", expected_minutes=60, when_text="周二上午")
        response = services.respond(listing, c, u["helper"], u["helper"], "我有空")
        return services.accept(listing, c, u["daughter"], response, NOW + timedelta(days=1)).id

    agreement_id = run(agree)
    clock.move(days=1, hours=2)
    run(lambda c, u: exchange.complete(services.agreement_in(c, agreement_id), c, u["daughter"], 60, 5))
    if needs_coordinator:
        run(lambda c, u: exchange.confirm_by_coordinator(services.agreement_in(c, agreement_id), c,
                                                         u["coordinator"]))
    return run(lambda c, u: db.session.scalar(select(ServiceRecord).where(
        ServiceRecord.source == f"mutual_aid:agreement-{agreement_id}")))


def _note_on_page(client, username, path, locale):
    """The 备注 / Note of the record's page as ``username`` reads it in ``locale``."""
    client.post("/logout")
    client.post("/login", data={"username": username, "password": "test-pass-123"})
    client.post("/account/language", data={"locale": locale})
    response = client.get(path)
    assert response.status_code == 200
    found = re.search(r"<dt>(?:备注|Note)</dt><dd>(.*?)</dd>", response.get_data(as_text=True))
    assert found, "the record's page shows no note"
    return found.group(1)


def test_the_record_keeps_a_code_and_each_reader_sees_their_language(app, client, run, clock):
    record = _completed(run, clock)
    assert record.status == "confirmed" and record.decision_note == stored_text(exchange.CONFIRMED_BY_RECIPIENT)
    volunteer_page = f"/c/maple/hours/records/{record.id}"
    assert _note_on_page(client, "helper", volunteer_page, "zh_CN") == RECIPIENT_ZH
    assert _note_on_page(client, "helper", volunteer_page, "en") == RECIPIENT_EN
    assert _note_on_page(client, "coord", f"/c/maple/ledger/records/{record.id}", "zh_CN") == RECIPIENT_ZH


def test_the_coordinators_confirmation_reads_as_such(app, client, run, clock):
    record = _completed(run, clock, needs_coordinator=True)
    assert record.status == "confirmed" and record.decision_note == stored_text(exchange.CONFIRMED_BY_COORDINATOR)
    assert _note_on_page(client, "helper", f"/c/maple/hours/records/{record.id}", "zh_CN") == COORDINATOR_ZH
    assert _note_on_page(client, "helper", f"/c/maple/hours/records/{record.id}", "en") == COORDINATOR_EN


@pytest.mark.parametrize(("constant", "stored", "chinese", "english"), [
    ("CONFIRMED_BY_RECIPIENT", "confirmed by the person helped", RECIPIENT_ZH, RECIPIENT_EN),
    ("CONFIRMED_BY_COORDINATOR", "coordinator", COORDINATOR_ZH, COORDINATOR_EN)])
def test_records_written_with_the_old_english_words_read_translated(app, client, run, clock, monkeypatch,
                                                                   constant, stored, chinese, english):
    """The ledger is append-only: the notes written before the codes stay, and are read as the codes."""
    monkeypatch.setattr(exchange, constant, stored)  # what the plugin wrote before
    record = _completed(run, clock, needs_coordinator=constant == "CONFIRMED_BY_COORDINATOR")
    assert record.decision_note == stored
    path = f"/c/maple/hours/records/{record.id}"
    assert _note_on_page(client, "helper", path, "zh_CN") == chinese
    assert _note_on_page(client, "helper", path, "en") == english


def test_what_a_person_wrote_is_shown_as_written(app, run, clock):
    """A note a person typed (a rejection, a correction) is never taken for a code, even with the same words."""
    from timebank.ledger.categories import decision_note_text

    record = _completed(run, clock)

    def text(**values):
        def read(c, u):
            row = db.session.get(ServiceRecord, record.id)
            for name, value in values.items():
                setattr(row, name, value)
            shown = decision_note_text(row)
            db.session.rollback()
            return shown
        return run(read)

    assert text() == RECIPIENT_EN  # (the run fixture reads in English)
    assert text(decision_note="coordinator", status="rejected") == "coordinator"
    assert text(decision_note="coordinator", corrects_id=record.id) == "coordinator"
    assert text(decision_note="家属说服务时间不对") == "家属说服务时间不对"
    assert text(decision_note="coordinator") == COORDINATOR_EN


def test_the_api_gives_the_note_in_words(app, client, run, clock):
    from timebank.api.tokens import create_personal_token
    from timebank.identity.models import User

    record = _completed(run, clock)
    secret = run(lambda c, u: create_personal_token(db.session.get(User, u["helper"].id), "test", ["read"],
                                                    30)[1])
    response = client.get(f"/api/v1/communities/maple/records/{record.id}",
                          headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    note = response.get_json()["decision_note"]
    assert note in (RECIPIENT_ZH, RECIPIENT_EN) and note != stored_text(exchange.CONFIRMED_BY_RECIPIENT)
