"""Identity's FHIR part: the Patient mapper, its read and search routes, its record section.

The routes are served here from a throwaway application that mounts only identity's FHIR router
under /fhir (with the real node's runtime and error handlers), and compared with what the node
itself answers at the same paths, so they answer exactly as /fhir/Patient always has.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from careverse.app import install_error_handlers
from careverse.identity import fhir as identity_fhir
from careverse.identity.models import Patient
from careverse.kernel.actor import Actor, Role, Scope
from careverse.kernel.audit import AuditEvent
from tests.integration.privacy.support import (
    assign,
    cheap_password_hashing,
    count,
    delegate,
    person,
)

__all__ = ["cheap_password_hashing", "person"]


@pytest.fixture
async def own(app) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an application that serves only identity's FHIR routes, on the node's runtime."""
    throwaway = FastAPI()
    throwaway.state.runtime = app.state.runtime
    install_error_handlers(throwaway)
    throwaway.include_router(identity_fhir.router, prefix="/fhir")
    transport = httpx.ASGITransport(app=throwaway, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def same(ours: httpx.Response, theirs: httpx.Response) -> dict:
    """Both answers alike (a Bundle's id is new each time); answers our JSON."""
    assert ours.status_code == theirs.status_code, ours.text
    assert ours.headers["content-type"] == theirs.headers["content-type"]
    mine, node = ours.json(), theirs.json()
    if mine.get("resourceType") == "Bundle":
        mine, node = {**mine, "id": None}, {**node, "id": None}
    assert mine == node
    return ours.json()


async def test_setup_registers_the_routes_and_the_record_section(app):
    runtime = app.state.runtime
    assert identity_fhir.router in runtime.fhir_routers
    assert runtime.patient_record.names[0] == "patient"
    paths = {route.path for route in identity_fhir.router.routes}
    assert paths == {"/Patient", "/Patient/_search", "/Patient/{patient_id}"}


async def test_read_and_search_answer_as_before(app, client, own, person):
    admin, clinician = await person("admin"), await person("clinician")
    patient = await person("patient", name="Amara Okafor")
    other = await person("patient", name="Amara Stranger")
    await assign(client, admin, clinician, patient)
    pid = patient.patient_id
    async with app.state.runtime.db.session() as session:
        row = await session.get(Patient, pid)
        row.birth_date, row.sex, row.phone = "1984-06-02", "female", "+44 20 7946 0000"
        row.preferred_language = "en-GB"
        await session.commit()

    async def check(path: str, who=clinician, status: int = 200) -> dict:
        headers = who.headers if who is not None else {}
        ours = await own.get(path, headers=headers)
        assert ours.status_code == status, ours.text
        return same(ours, await client.get(path, headers=headers))

    read = await check(f"/fhir/Patient/{pid}")
    assert read == {
        "resourceType": "Patient",
        "id": str(pid),
        "identifier": [{"system": "urn:careverse:patient", "value": str(pid)}],
        "active": True,
        "name": [{"text": "Amara Okafor"}],
        "gender": "female",
        "birthDate": "1984-06-02",
        "telecom": [
            {"system": "phone", "value": "+44 20 7946 0000"},
            {"system": "email", "value": patient.email},
        ],
        "communication": [
            {
                "language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en-GB"}]},
                "preferred": True,
            }
        ],
    }
    found = await check("/fhir/Patient?name=amara")
    assert found["type"] == "searchset" and found["total"] == 1
    assert found["entry"][0]["fullUrl"].endswith(f"/fhir/Patient/{pid}")
    assert (await check(f"/fhir/Patient?identifier=urn:careverse:patient|{pid}"))["total"] == 1
    assert (await check("/fhir/Patient?birthdate=1984-06-02"))["total"] == 1
    assert (await check("/fhir/Patient?birthdate=1999-01-01"))["total"] == 0
    assert (await check("/fhir/Patient?identifier=nonsense"))["total"] == 0
    assert (await check("/fhir/Patient", patient))["total"] == 1  # a patient sees their own

    # Errors are the same OperationOutcomes.
    for path, who, status in (
        (f"/fhir/Patient/{other.patient_id}", clinician, 404),
        (f"/fhir/Patient/{uuid.uuid4()}", clinician, 404),
        ("/fhir/Patient/not-a-uuid", clinician, 404),
        (f"/fhir/Patient/{pid}", None, 401),
        ("/fhir/Patient?birthdate=02-06-1984", clinician, 400),  # a bad search value: 400
    ):
        outcome = await check(path, who, status)
        assert outcome["resourceType"] == "OperationOutcome", path


async def test_reads_are_audited_and_refusals_too(app, client, own, person):
    clinician, patient = await person("clinician"), await person("patient")
    pid = patient.patient_id
    before = await count(app, AuditEvent, AuditEvent.patient_id == pid)
    assert (await own.get(f"/fhir/Patient/{pid}", headers=patient.headers)).status_code == 200
    assert (await own.get(f"/fhir/Patient/{pid}", headers=clinician.headers)).status_code == 404
    assert (await own.get("/fhir/Patient", headers=patient.headers)).status_code == 200
    assert await count(app, AuditEvent, AuditEvent.patient_id == pid) == before + 3


async def test_record_section_is_the_patient(app, client, person):
    patient, caregiver = await person("patient"), await person("caregiver")
    await delegate(client, patient, caregiver, ["record:read"])
    actor = Actor(account_id=caregiver.id, role=Role.CAREGIVER, scope=Scope.FULL)
    async with app.state.runtime.db.session() as session:
        section = await identity_fhir.record_section(session, actor, patient.patient_id)
        row = await session.get(Patient, patient.patient_id)
        assert section == [identity_fhir.patient(row)]
        assert await identity_fhir.record_section(session, actor, uuid.uuid4()) == []
        whole = await app.state.runtime.patient_record.resources(session, actor, patient.patient_id)
    assert whole[0] == section[0]
