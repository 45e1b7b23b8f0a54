"""fhir composes: /fhir is built from the FHIR routers and record sections capabilities register."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, FastAPI

import careverse.fhir
from careverse.fhir.capabilities import served_resources
from careverse.kernel.config import Settings
from careverse.kernel.fhir import FhirResponse
from careverse.kernel.runtime import Runtime
from tests.conftest import TEST_KEYS
from tests.integration.privacy.support import consent


def test_fhir_serves_what_capabilities_register():
    runtime = Runtime(Settings(encryption_keys=TEST_KEYS, log_json=False))
    widgets = APIRouter()

    @widgets.get("/Widget/{widget_id}", response_class=FhirResponse)
    async def read_widget(widget_id: str) -> FhirResponse:
        return FhirResponse({"resourceType": "Widget", "id": widget_id})

    runtime.include_fhir_router(widgets)
    careverse.fhir.setup(runtime)
    app = FastAPI()
    for router in runtime.routers:
        app.include_router(router)
    paths = app.openapi()["paths"]
    assert {"/fhir/Widget/{widget_id}", "/fhir/metadata"} <= set(paths)
    assert "/fhir/Patient/{patient_id}/$everything" in paths
    served = {r["type"]: r for r in served_resources(paths)}
    assert served["Widget"]["interaction"] == [{"code": "read"}]
    # Nothing of care's, monitoring's or privacy's: they were not set up on this runtime.
    assert not {"Consent", "AuditEvent", "Appointment", "Observation"} & set(served)


async def test_everything_and_the_export_read_every_registered_section(app, client, person):
    patient = await person("patient")
    await consent(client, patient, purpose="research", decision="permit")
    calls = []

    async def notes(session, actor, patient_id: uuid.UUID) -> list[dict]:
        calls.append((actor.account_id, patient_id))
        return [{"resourceType": "Basic", "id": str(uuid.UUID(int=7)), "code": {"text": "n"}}]

    app.state.runtime.patient_record.add("notes", notes)
    pid = patient.patient_id
    everything = await client.get(f"/fhir/Patient/{pid}/$everything", headers=patient.headers)
    export = await client.get("/api/me/export", headers=patient.headers)
    for response in (everything, export):
        assert response.status_code == 200, response.text
        kinds = [e["resource"]["resourceType"] for e in response.json()["entry"]]
        assert kinds == ["Patient", "Consent", "Basic"]  # in the order the sections came
    assert calls == [(patient.id, pid), (patient.id, pid)]
