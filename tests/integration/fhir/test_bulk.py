"""FHIR Bulk Data export: kick-off, status, manifest, files, cancel, expiry; who may export;
every resource type of the record in a system export; the files valid R4 and the requester's."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from fhir.resources.R4B import get_fhir_model_class

from careverse.fhir import bulk
from careverse.kernel.fhir import PatientRoster
from tests.integration.fhir.test_record_sections import (
    EVERY_KIND,
    before_nine,
    demo_like_patient,
)
from tests.integration.fhir.test_resources import fhir, valid
from tests.integration.privacy.support import audit_rows

__all__ = ["before_nine"]
ASYNC = {"Prefer": "respond-async"}


@pytest.fixture
def settings_overrides() -> dict:
    # The tests run the jobs themselves; tokens outlive the day an export lasts.
    return {"fhir_bulk_check_seconds": 600, "access_token_ttl_seconds": 3 * 24 * 3600}


async def run_jobs(app) -> int:
    runtime = app.state.runtime
    return await bulk.run_due_once(runtime.db, runtime.patient_record, runtime.get(PatientRoster))


async def kick_off(client, who, url: str = "/fhir/$export", status: int = 202) -> str:
    r = await client.get(url, headers={**who.headers, **ASYNC})
    assert r.status_code == status, r.text
    return r.headers.get("content-location", "")


def local(url: str) -> str:
    """The path of an absolute URL (the test client's base is its own)."""
    return "/" + url.split("://", 1)[-1].split("/", 1)[1]


def lines(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+ndjson")
    return [json.loads(line) for line in response.text.splitlines() if line]


async def finished(app, client, who, status_url: str) -> dict:
    r = await client.get(local(status_url), headers=who.headers)
    assert r.status_code == 202 and r.headers["retry-after"] and r.headers["x-progress"]
    assert await run_jobs(app) == 1
    r = await client.get(local(status_url), headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_system_export_holds_every_resource_type_of_the_record_valid_r4(
    app, client, person, before_nine
):
    people = await demo_like_patient(app, client, person)
    admin = people["admin"]
    status_url = await kick_off(
        client, admin, "/fhir/$export?_outputFormat=application/fhir%2Bndjson"
    )
    manifest = await finished(app, client, admin, status_url)
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["request"].endswith("/fhir/$export?_outputFormat=application/fhir%2Bndjson")
    assert manifest["transactionTime"].endswith("Z")
    outputs = {o["type"]: o for o in manifest["output"]}
    assert set(outputs) == EVERY_KIND, outputs
    seen: Counter = Counter()
    for kind, output in outputs.items():
        resources = lines(await client.get(local(output["url"]), headers=admin.headers))
        assert len(resources) == output["count"] > 0
        for resource in resources:
            assert resource["resourceType"] == kind
            get_fhir_model_class(kind).model_validate(resource)
            seen[(kind, resource["id"])] += 1
    assert max(seen.values()) == 1  # nothing twice
    pid = str(people["patient"].patient_id)
    assert ("Patient", pid) in seen
    # Audited: the kick-off, each patient's record read, completion, each download.
    assert len(await audit_rows(app, action="fhir.export.start")) == 1
    assert len(await audit_rows(app, action="fhir.export.complete")) == 1
    assert len(await audit_rows(app, action="fhir.export.download")) == len(outputs)
    reads = [r for r in await audit_rows(app, action="record.read") if r.patient_id is not None]
    assert str(people["patient"].patient_id) in {str(r.patient_id) for r in reads}


async def test_type_and_since_narrow_the_export(app, client, person, before_nine):
    people = await demo_like_patient(app, client, person)
    admin = people["admin"]
    url = await kick_off(client, admin, "/fhir/$export?_type=Patient,Flag")
    manifest = await finished(app, client, admin, url)
    assert {o["type"] for o in manifest["output"]} == {"Patient", "Flag"}
    # Readings are dated; after the future nothing dated is left (the Patient has no date).
    url = await kick_off(
        client, admin, "/fhir/$export?_type=Observation,Patient&_since=2100-01-01T00:00:00Z"
    )
    manifest = await finished(app, client, admin, url)
    assert {o["type"] for o in manifest["output"]} == {"Patient"}


@pytest.mark.parametrize(
    "query",
    ["_outputFormat=text/csv", "_type=observation", "_since=2026-01-01T00:00", "_since=soon"],
)
async def test_bad_parameters_answer_400_without_echoing_them(app, client, person, query):
    admin = await person("admin")
    r = await client.get(f"/fhir/$export?{query}", headers={**admin.headers, **ASYNC})
    assert r.status_code == 400, r.text
    assert r.json()["resourceType"] == "OperationOutcome"
    assert query.split("=", 1)[1] not in r.text


async def test_refused_without_respond_async(app, client, person):
    admin = await person("admin")
    r = await client.get("/fhir/$export", headers=admin.headers)
    assert r.status_code == 400
    assert r.json()["resourceType"] == "OperationOutcome"
    assert "respond-async" in r.text


async def test_patients_caregivers_and_clinicians_without_rights_are_refused(app, client, person):
    patient, caregiver = await person("patient"), await person("caregiver")
    clinician, other = await person("clinician"), await person("clinician")
    for who, url in [
        (patient, "/fhir/$export"),
        (patient, "/fhir/Patient/$export"),
        (caregiver, "/fhir/Patient/$export"),
        (clinician, "/fhir/$export"),
        (clinician, f"/fhir/Group/clinician-{other.id}/$export"),
    ]:
        r = await client.get(url, headers={**who.headers, **ASYNC})
        assert r.status_code == 403, (who.role, url, r.text)
        assert r.json()["resourceType"] == "OperationOutcome"
    assert (await client.get("/fhir/$export", headers=ASYNC)).status_code == 401


async def test_a_clinician_exports_their_own_group_and_only_their_patients(
    app, client, person, before_nine
):
    people = await demo_like_patient(app, client, person)
    clinician, admin = people["clinician"], people["admin"]
    stranger = await person("patient")  # no care relationship with the clinician
    groups = fhir(await client.get("/fhir/Group", headers=clinician.headers))
    valid(groups, "Bundle")
    assert [e["resource"]["id"] for e in groups["entry"]] == [f"clinician-{clinician.id}"]
    assert groups["entry"][0]["resource"]["quantity"] == 1
    every = fhir(await client.get("/fhir/Group", headers=admin.headers))
    assert f"clinician-{clinician.id}" in {e["resource"]["id"] for e in every["entry"]}
    assert fhir(await client.get("/fhir/Group", headers=stranger.headers))["entry"] == []

    for url in (f"/fhir/Group/clinician-{clinician.id}/$export", "/fhir/Patient/$export"):
        status_url = await kick_off(client, clinician, f"{url}?_type=Patient")
        manifest = await finished(app, client, clinician, status_url)
        (output,) = manifest["output"]
        patients = lines(await client.get(local(output["url"]), headers=clinician.headers))
        assert [p["id"] for p in patients] == [str(people["patient"].patient_id)]
    r = await client.get("/fhir/Group/clinician-nope/$export", headers={**admin.headers, **ASYNC})
    assert r.status_code == 404


async def test_files_and_status_are_the_requesters_own_session_only(
    app, client, person, before_nine
):
    people = await demo_like_patient(app, client, person)
    admin = people["admin"]
    other_admin = await person("admin")
    status_url = await kick_off(client, admin, "/fhir/$export?_type=Patient")
    manifest = await finished(app, client, admin, status_url)
    file_url = local(manifest["output"][0]["url"])
    assert (await client.get(file_url, headers=admin.headers)).status_code == 200
    # Another user, the same admin signed in again (another token), nobody: all 404 / 401.
    from tests.conftest import login

    again = await login(client, admin.email)
    for headers in (other_admin.headers, again):
        for url in (file_url, local(status_url)):
            r = await client.get(url, headers=headers)
            assert r.status_code == 404, r.text
        r = await client.delete(local(status_url), headers=headers)
        assert r.status_code == 404
    assert (await client.get(file_url)).status_code == 401
    assert (
        await client.get(file_url.replace("Patient", "Flag"), headers=admin.headers)
    ).status_code == 404


async def test_cancel_deletes_the_job_and_its_files(app, client, person, before_nine):
    people = await demo_like_patient(app, client, person)
    admin = people["admin"]
    queued = await kick_off(client, admin)
    r = await client.delete(local(queued), headers=admin.headers)
    assert r.status_code == 202
    assert (await client.get(local(queued), headers=admin.headers)).status_code == 404
    assert await run_jobs(app) == 0  # nothing left to run

    done = await kick_off(client, admin, "/fhir/$export?_type=Patient")
    manifest = await finished(app, client, admin, done)
    file_url = local(manifest["output"][0]["url"])
    assert (await client.delete(local(done), headers=admin.headers)).status_code == 202
    assert (await client.get(file_url, headers=admin.headers)).status_code == 404
    assert len(await audit_rows(app, action="fhir.export.cancel")) == 2


async def test_files_are_deleted_after_expiry(app, client, person, before_nine):
    people = await demo_like_patient(app, client, person)
    admin = people["admin"]
    status_url = await kick_off(client, admin, "/fhir/$export?_type=Patient")
    manifest = await finished(app, client, admin, status_url)
    file_url = local(manifest["output"][0]["url"])
    before_nine.advance(hours=23, minutes=59)
    await run_jobs(app)
    assert (await client.get(file_url, headers=admin.headers)).status_code == 200
    before_nine.advance(minutes=1)
    await run_jobs(app)
    assert (await client.get(file_url, headers=admin.headers)).status_code == 404
    assert (await client.get(local(status_url), headers=admin.headers)).status_code == 404
    assert len(await audit_rows(app, action="fhir.export.expire")) == 1


async def test_a_job_claimed_by_a_node_that_died_is_taken_over(app, client, person, before_nine):
    people = await demo_like_patient(app, client, person)
    admin = people["admin"]
    status_url = await kick_off(client, admin, "/fhir/$export?_type=Patient")
    job_id = local(status_url).rsplit("/", 1)[1]
    runtime = app.state.runtime
    import uuid

    assert await bulk._claim(runtime.db, uuid.UUID(job_id), before_nine.now)  # then "dies"
    assert await run_jobs(app) == 0  # its claim is fresh: nobody else runs it
    before_nine.advance(minutes=6)
    assert await run_jobs(app) == 1
    r = await client.get(local(status_url), headers=admin.headers)
    assert r.status_code == 200 and r.json()["output"][0]["count"] == 1
    assert timedelta(minutes=6) > bulk.STALE_CLAIM
