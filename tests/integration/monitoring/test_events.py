"""Monitoring's events: who handles them, what they carry, and monitoring's part of an erasure."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from careverse.kernel.events import Phase
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alert_models import (
    Alert,
    CarePlanRule,
    ClinicalObservation,
    PatientMonitoringSettings,
)
from careverse.monitoring.events import (
    AlertChanged,
    CarePlanChanged,
    ClinicalObservationRecorded,
    ReadingsCommitted,
)
from careverse.monitoring.jobs import Evaluator
from careverse.monitoring.models import Device, PairingCode, Reading
from careverse.privacy.events import AccountErasureDue
from tests.integration.monitoring.alert_support import (
    LONG_SESSIONS,
    add_rule,
    alerts,
    send,
    team,
    vital,
)
from tests.integration.monitoring.support import collect, paired_device

HR, SPO2, WEIGHT = "8867-4", "59408-5", "29463-7"
TABLES = (Alert, Reading, PairingCode, Device, CarePlanRule, ClinicalObservation,
          PatientMonitoringSettings)  # fmt: skip


@pytest.fixture
def settings_overrides() -> dict:
    return dict(LONG_SESSIONS)


def test_setup_subscribes_each_handler_in_its_phase(app):
    catalogue = app.state.runtime.events.catalogue()
    evaluator = "committed: careverse.monitoring.jobs.Evaluator"
    assert f"{evaluator}.on_readings" in catalogue["ReadingsCommitted"]
    assert f"{evaluator}.on_care_plan_changed" in catalogue["CarePlanChanged"]
    assert f"{evaluator}.on_care_plan_changed" in catalogue["ClinicalObservationRecorded"]
    streams = "everywhere: careverse.monitoring.streams.AlertStreams.on_alert_changed"
    assert streams in catalogue["AlertChanged"]
    erasure = "transaction: careverse.monitoring.events.erase_patient_rows"
    assert erasure in catalogue["AccountErasureDue"]


def test_the_fhir_routes_are_registered_relative_to_fhir(app):
    mounted = FastAPI()
    for router in app.state.runtime.fhir_routers:
        mounted.include_router(router, prefix="/fhir")
    paths = mounted.openapi()["paths"]
    assert "post" in paths["/fhir"] and "post" in paths["/fhir/Observation"]
    assert "get" in paths["/fhir/Observation/{observation_id}"]


async def test_a_care_plan_change_is_published_and_re_evaluates(app, client, person):
    t = await team(client, person)
    changed = collect(app, CarePlanChanged)
    observed = collect(app, ClinicalObservationRecorded)
    # A reading above the threshold first; then the rule: the change alone raises the alert.
    await send(app, client, t.patient, vital(WEIGHT, 104.0))
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="medium")  # fmt: skip
    await app.state.runtime.get(Evaluator).wait_idle()
    (alert,) = await alerts(client, t.clinician, source="rule")
    assert alert["why"].startswith("Weight 104 kg above 100 kg")
    assert changed == [CarePlanChanged(patient_id=t.patient.patient_id)]

    pid = t.patient.patient_id
    r = await client.put(f"/api/monitoring/patients/{pid}/news2-settings",
                         json={"spo2_scale": 2}, headers=t.clinician.headers)  # fmt: skip
    assert r.status_code == 200
    assert changed[-1] == CarePlanChanged(patient_id=pid) and len(changed) == 2
    r = await client.post(f"/api/monitoring/patients/{pid}/observations",
                          json={"consciousness": "A"}, headers=t.clinician.headers)  # fmt: skip
    assert r.status_code == 201
    assert observed == [
        ClinicalObservationRecorded(patient_id=pid, observation_id=uuid.UUID(r.json()["id"]))
    ]
    # A refused change publishes nothing.
    r = await client.put(f"/api/monitoring/patients/{pid}/news2-settings",
                         json={"spo2_scale": 2}, headers=t.patient.headers)  # fmt: skip
    assert r.status_code == 403 and len(changed) == 2


async def test_readings_and_alert_changes_carry_ids_and_codes_only(app, client, person):
    t = await team(client, person)
    second = await person("clinician")
    readings = collect(app, ReadingsCommitted)
    changes = collect(app, AlertChanged, Phase.EVERYWHERE)
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="high", label="Watch the weight")  # fmt: skip
    await app.state.runtime.get(Evaluator).wait_idle()  # the rule's own evaluation: nothing
    await send(app, client, t.patient, vital(WEIGHT, 104.2))
    (alert,) = await alerts(client, t.clinician)
    assert readings[-1].patient_ids == {t.patient.patient_id} and readings[-1].codes == {WEIGHT}

    (opened,) = changes
    assert opened.alert_id == uuid.UUID(alert["id"]) and opened.patient_id == t.patient.patient_id
    assert (opened.change, opened.severity, opened.status) == ("opened", "high", "open")
    assert opened.recipients == (t.clinician.id,) and second.id not in opened.recipients
    # Ids, codes and times only: no names, values or the alert's words.
    assert AlertChanged.__struct_fields__ == (
        "alert_id", "patient_id", "change", "severity", "status", "recipients", "escalated_to",
        "previous_severity",
    )  # fmt: skip
    assert ReadingsCommitted.__struct_fields__ == ("patient_ids", "codes", "received_at")


async def _monitoring_rows(app, patient_id: uuid.UUID) -> dict[str, int]:
    counts = {}
    async with app.state.runtime.db.session() as session:
        for table in TABLES:
            query = select(func.count()).select_from(table)
            if table is PairingCode:
                devices = select(Device.id).where(Device.patient_id == patient_id)
                query = query.where(PairingCode.device_id.in_(devices))
            else:
                query = query.where(table.patient_id == patient_id)
            counts[table.__tablename__] = await session.scalar(query)
    return counts


async def _everything_for(app, client, t) -> None:
    """A device (paired, with a fresh code), readings, a rule, its alert, settings, an
    observation: a row in every monitoring table."""
    pid = t.patient.patient_id
    device = await paired_device(client, t.patient, pid)
    r = await client.post(f"/api/monitoring/devices/{device['id']}/pairing-code",
                          headers=t.patient.headers)  # fmt: skip
    assert r.status_code == 201
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=SPO2, op="<", value=92,
                   severity="high")  # fmt: skip
    await send(app, client, t.patient, vital(SPO2, 88), vital(HR, 80))
    for path, body, method in (
        (f"/api/monitoring/patients/{pid}/news2-settings", {"spo2_scale": 2}, client.put),
        (f"/api/monitoring/patients/{pid}/observations", {"on_oxygen": True}, client.post),
    ):
        assert (await method(path, json=body, headers=t.clinician.headers)).is_success
    await app.state.runtime.get(Evaluator).wait_idle()


async def test_an_erasure_deletes_the_patients_monitoring_rows_only(app, client, person):
    t = await team(client, person)
    other = await team(client, person)
    await _everything_for(app, client, t)
    await _everything_for(app, client, other)
    before = await _monitoring_rows(app, t.patient.patient_id)
    assert all(before.values()), before
    others = await _monitoring_rows(app, other.patient.patient_id)

    async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
        await uow.publish(
            AccountErasureDue(account_id=t.patient.id, patient_id=t.patient.patient_id)
        )
    assert set((await _monitoring_rows(app, t.patient.patient_id)).values()) == {0}
    assert await _monitoring_rows(app, other.patient.patient_id) == others
    # A clinician's erasure (no patient record) leaves the rows they made or handled.
    async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
        await uow.publish(AccountErasureDue(account_id=other.clinician.id, patient_id=None))
    assert await _monitoring_rows(app, other.patient.patient_id) == others


async def test_a_failing_erasure_handler_rolls_the_whole_erasure_back(app, client, person):
    t = await team(client, person)
    await _everything_for(app, client, t)
    before = await _monitoring_rows(app, t.patient.patient_id)

    async def refuse(event: AccountErasureDue, session) -> None:
        raise RuntimeError("another capability could not erase")

    app.state.runtime.events.subscribe(AccountErasureDue, refuse, phase=Phase.TRANSACTION)
    with pytest.raises(RuntimeError):
        async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
            await uow.publish(
                AccountErasureDue(account_id=t.patient.id, patient_id=t.patient.patient_id)
            )
    assert await _monitoring_rows(app, t.patient.patient_id) == before
