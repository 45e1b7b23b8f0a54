"""Erasure as an event: AccountErasureDue runs in the erasure's own transaction.

Every capability deletes its own rows in a TRANSACTION-phase handler; privacy's handler deletes
the patient's consents and break-glass records; identity's tombstone comes last. A handler that
fails rolls the whole erasure back: the person is intact and the request still due.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from careverse.identity import directory
from careverse.kernel.events import Phase
from careverse.privacy.events import AccountErasureDue
from careverse.privacy.models import BreakGlass, Consent, ErasureRequest
from careverse.privacy.service import PrivacyService
from tests.integration.privacy.support import (
    audit_rows,
    break_glass,
    consent,
    count,
    verify_chain,
)

GRACE_DAYS = 30


@pytest.fixture
def settings_overrides() -> dict:
    # Tokens outlive the grace period, so the person can still be seen after a failed erasure.
    return {"access_token_ttl_seconds": 90 * 24 * 3600, "erasure_grace_days": GRACE_DAYS}


async def erase_due(app) -> int:
    async with app.state.runtime.db.session() as session:
        return await PrivacyService(session, app.state.runtime.settings).erase_due()


async def pending_requests(app) -> int:
    return await count(app, ErasureRequest, ErasureRequest.completed_at.is_(None))


async def schedule_erasure(client, person, fake_clock):
    """A patient with a consent and a break-glass on them, whose erasure is now due."""
    patient = await person("patient")
    await consent(client, patient, purpose="research", decision="permit")
    await break_glass(client, await person("clinician"), patient, "Found collapsed at the bus stop")
    assert (await client.delete("/api/me", headers=patient.headers)).status_code == 202
    fake_clock.advance(days=GRACE_DAYS, seconds=1)
    return patient


async def test_transaction_handlers_see_the_event_inside_the_erasure(
    app, client, person, fake_clock
):
    patient = await schedule_erasure(client, person, fake_clock)
    pid = patient.patient_id
    seen = []

    async def rows(session, model) -> int:
        return len((await session.scalars(select(model).where(model.patient_id == pid))).all())

    async def handler(event: AccountErasureDue, session) -> None:
        # Runs after privacy's own handler and before identity's tombstone, uncommitted.
        seen.append(
            {
                "event": event,
                "in_transaction": session.in_transaction(),
                "patient_there": await directory.patient(session, event.patient_id) is not None,
                "consents_left": await rows(session, Consent),
                "glass_left": await rows(session, BreakGlass),
                "still_due_elsewhere": await pending_requests(app),
            }
        )

    events = app.state.runtime.events
    events.subscribe(AccountErasureDue, handler, phase=Phase.TRANSACTION)
    try:
        assert await erase_due(app) == 1
    finally:
        events.unsubscribe(AccountErasureDue, handler)

    assert seen == [
        {
            "event": AccountErasureDue(account_id=patient.id, patient_id=pid),
            "in_transaction": True,
            "patient_there": True,  # identity erases last
            "consents_left": 0,  # privacy's handler ran first, in the same transaction
            "glass_left": 0,
            "still_due_elsewhere": 1,  # nothing committed yet
        }
    ]
    assert await pending_requests(app) == 0
    assert await count(app, Consent, Consent.patient_id == pid) == 0
    assert (await verify_chain(app)).ok


async def test_a_failing_handler_rolls_the_erasure_back(app, client, person, fake_clock):
    patient = await schedule_erasure(client, person, fake_clock)
    pid = patient.patient_id

    async def failing(event: AccountErasureDue, session) -> None:
        raise RuntimeError("this capability could not delete its rows")

    events = app.state.runtime.events
    events.subscribe(AccountErasureDue, failing, phase=Phase.TRANSACTION)
    try:
        with pytest.raises(RuntimeError):
            await erase_due(app)
    finally:
        events.unsubscribe(AccountErasureDue, failing)

    # The person is intact: account, record, consents, break-glass; the request is still due.
    me = await client.get("/api/me", headers=patient.headers)
    assert me.status_code == 200
    record = await client.get(f"/api/patients/{pid}", headers=patient.headers)
    assert record.status_code == 200
    assert await count(app, Consent, Consent.patient_id == pid) == 1
    assert await count(app, BreakGlass, BreakGlass.patient_id == pid) == 1
    assert await pending_requests(app) == 1
    status = await client.get("/api/me/erasure", headers=patient.headers)
    assert status.json()["status"] == "scheduled"
    assert await audit_rows(app, action="erasure.complete") == []

    # Once every handler succeeds, the same request is carried out.
    assert await erase_due(app) == 1
    assert (await client.get("/api/me", headers=patient.headers)).status_code == 401
    assert await count(app, Consent, Consent.patient_id == pid) == 0
    assert (await verify_chain(app)).ok


async def test_a_clinicians_erasure_keeps_the_break_glass_they_opened(
    app, client, person, fake_clock
):
    clinician, patient = await person("clinician"), await person("patient")
    await consent(client, patient, purpose="treatment", decision="deny", actor_id=str(clinician.id))
    await break_glass(client, clinician, patient, "Unconscious on arrival at A&E")
    assert (await client.delete("/api/me", headers=clinician.headers)).status_code == 202
    fake_clock.advance(days=GRACE_DAYS, seconds=1)
    seen = []

    async def handler(event: AccountErasureDue, session) -> None:
        seen.append(event)

    events = app.state.runtime.events
    events.subscribe(AccountErasureDue, handler, phase=Phase.TRANSACTION)
    try:
        assert await erase_due(app) == 1
    finally:
        events.unsubscribe(AccountErasureDue, handler)

    assert seen == [AccountErasureDue(account_id=clinician.id, patient_id=None)]
    # The patient's record keeps its evidence: who broke the glass, and the patient's own consent.
    assert await count(app, BreakGlass, BreakGlass.patient_id == patient.patient_id) == 1
    assert await count(app, Consent, Consent.patient_id == patient.patient_id) == 1
    log = await client.get("/api/me/access-log", headers=patient.headers)
    assert log.status_code == 200
    assert "Unconscious on arrival at A&E" in [e["reason"] for e in log.json()]
