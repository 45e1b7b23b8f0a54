"""FHIR Group: care programmes beside clinicians' patients; who sees a Group and which members;
search; a programme's Bulk export holds exactly its members' data (those the reader may see);
_typeFilter, _elements, the POST kick-off with a Parameters body, includeAssociatedData; 400s."""

from __future__ import annotations

import json

import pytest

from careverse.fhir import bulk
from careverse.kernel.fhir import PatientRoster
from careverse.kernel.groups import GroupDirectory
from careverse.monitoring.simulate import seed_demo
from tests.integration.fhir.test_bulk import ASYNC, lines, local
from tests.integration.fhir.test_resources import fhir, valid
from tests.integration.privacy.support import assign, audit_rows, delegate

HR = "http://loinc.org|8867-4"  # heart rate


@pytest.fixture
def settings_overrides() -> dict:
    return {"fhir_bulk_check_seconds": 600, "access_token_ttl_seconds": 3 * 24 * 3600}


async def run_jobs(app) -> int:
    rt = app.state.runtime
    return await bulk.run_due_once(
        rt.db, rt.patient_record, rt.get(PatientRoster), rt.find(GroupDirectory)
    )


@pytest.fixture
async def world(app, client, person):
    """Lead L runs "Heart failure remote monitoring" with A, B (L's patients) and D (enrolled
    by M, whom L does not care for); C is L's patient outside it. A, B, C, D have vitals."""
    admin, lead = await person("admin"), await person("clinician", name="Dr. Lead")
    other, outsider = await person("clinician"), await person("clinician")
    a, b, c, d = [await person("patient", name=f"Pat {n}") for n in "ABCD"]
    caregiver = await person("caregiver")
    for p in (a, b, c):
        await assign(client, admin, lead, p)
    await assign(client, admin, other, d)
    await delegate(client, a, caregiver, ["record:read", "vitals:read"])
    async with app.state.runtime.db.session() as session:
        await seed_demo(session, {p.patient_id: "stable" for p in (a, b, c, d)}, hours=1)
    r = await client.post("/api/care/programmes", headers=lead.headers, json={
        "name": "Heart failure remote monitoring", "lead_ids": [str(other.id)]})  # fmt: skip
    assert r.status_code == 201, r.text
    programme = r.json()
    for who, p in ((lead, a), (lead, b), (other, d)):
        url = f"/api/care/programmes/{programme['id']}/enrolments"
        r = await client.post(url, json={"patient_id": str(p.patient_id)}, headers=who.headers)
        assert r.status_code == 201, r.text
    gid = f"programme-{programme['id']}"
    return {"admin": admin, "lead": lead, "other": other, "outsider": outsider, "a": a, "b": b,
            "c": c, "d": d, "caregiver": caregiver, "gid": gid}  # fmt: skip


def members(group: dict) -> set[str]:
    return {m["entity"]["reference"].removeprefix("Patient/") for m in group.get("member", [])}


def ids(*people) -> set[str]:
    return {str(p.patient_id) for p in people}


async def test_groups_show_only_the_members_the_caller_may_see(app, client, world):
    w, gid = world, world["gid"]
    found = fhir(await client.get("/fhir/Group", headers=w["lead"].headers))
    valid(found, "Bundle")
    by_id = {e["resource"]["id"]: e["resource"] for e in found["entry"]}
    assert set(by_id) == {gid, f"clinician-{w['lead'].id}"}
    programme = by_id[gid]
    valid(programme, "Group")
    assert programme["name"] == "Heart failure remote monitoring" and programme["quantity"] == 3
    assert members(programme) == ids(w["a"], w["b"])  # not D: L does not care for D
    assert all("start" in m["period"] for m in programme["member"])
    admin = fhir(await client.get(f"/fhir/Group/{gid}", headers=w["admin"].headers))
    assert members(admin) == ids(w["a"], w["b"], w["d"])
    own = fhir(await client.get(f"/fhir/Group/{gid}", headers=w["a"].headers))
    assert members(own) == ids(w["a"])
    for who in (w["outsider"], w["caregiver"], w["c"]):
        r = await client.get(f"/fhir/Group/{gid}", headers=who.headers)
        assert r.status_code == 404, who.role
    assert (
        await client.get("/fhir/Group/programme-nope", headers=w["admin"].headers)
    ).status_code == 404
    rows = await audit_rows(app, action="record.list", resource_type="Group")
    assert any(json.loads(r.detail or "{}").get("via") == "fhir-group" for r in rows)


async def test_group_search_by_name_member_type_and_id(client, world):
    w, gid = world, world["gid"]
    lead = w["lead"].headers

    async def found(query: str, headers=lead) -> list[str]:
        got = fhir(await client.get(f"/fhir/Group?{query}", headers=headers))
        return [e["resource"]["id"] for e in got["entry"] if e["search"]["mode"] == "match"]

    assert await found("name=heart") == [gid]
    both = {gid, f"clinician-{w['lead'].id}"}  # B: in the programme and L's patient
    assert set(await found(f"member=Patient/{w['b'].patient_id}")) == both
    assert set(await found(f"member=Patient/{w['c'].patient_id}")) == {f"clinician-{w['lead'].id}"}
    assert await found(f"member=Patient/{w['d'].patient_id}") == []  # hidden from L: no probing
    assert await found(f"_id={gid}") == [gid]
    assert len(await found("type=person")) == 2
    assert await found("name=heart", w["outsider"].headers) == []
    for bad in ("patient=x", "colour=red", "_sort=quantity"):
        r = await client.get(f"/fhir/Group?{bad}", headers=lead)
        assert r.status_code == 400, bad
        assert r.json()["resourceType"] == "OperationOutcome"
    r = await client.post("/fhir/Group/_search", content="name=heart", headers={
        **lead, "content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert [e["resource"]["id"] for e in r.json()["entry"]] == [gid], r.json()["link"]


async def export(app, client, who, url: str, **kw) -> dict:
    r = await (client.post(url, headers={**who.headers, **ASYNC, "content-type":
               "application/fhir+json"}, content=json.dumps(kw["body"])) if "body" in kw
               else client.get(url, headers={**who.headers, **ASYNC}))  # fmt: skip
    assert r.status_code == 202, r.text
    status = local(r.headers["content-location"])
    assert await run_jobs(app) == 1
    r = await client.get(status, headers=who.headers)
    assert r.status_code == 200, r.text
    manifest = r.json()
    files = {}
    for out in manifest["output"] + manifest["error"]:
        files[out["type"]] = lines(await client.get(local(out["url"]), headers=who.headers))
    return {"manifest": manifest, "files": files}


def patients_of(files: dict) -> set[str]:
    return {p["id"] for p in files.get("Patient", [])}


def subjects(files: dict) -> set[str]:
    return {o["subject"]["reference"].removeprefix("Patient/") for o in files["Observation"]}


async def test_a_programme_export_holds_exactly_its_members_the_reader_may_see(app, client, world):
    w, gid = world, world["gid"]
    mine = await export(
        app, client, w["lead"], f"/fhir/Group/{gid}/$export?_type=Patient,Observation"
    )
    assert patients_of(mine["files"]) == ids(w["a"], w["b"]) == subjects(mine["files"])
    every = await export(app, client, w["admin"], f"/fhir/Group/{gid}/$export")
    assert patients_of(every["files"]) == ids(w["a"], w["b"], w["d"])
    assert subjects(every["files"]) == ids(w["a"], w["b"], w["d"])  # never C's readings
    for who, status in ((w["outsider"], 403), (w["a"], 403), (w["caregiver"], 403)):
        r = await client.get(f"/fhir/Group/{gid}/$export", headers={**who.headers, **ASYNC})
        assert r.status_code == status, who.role
    r = await client.get(f"/fhir/Group/programme-{'0' * 32}/$export",
                         headers={**w["admin"].headers, **ASYNC})  # fmt: skip
    assert r.status_code == 404


async def test_type_filter_and_elements(app, client, world):
    w, gid = world, world["gid"]
    url = (f"/fhir/Group/{gid}/$export?_type=Patient,Observation"
           f"&_typeFilter=Observation%3Fcode%3D{HR.replace('|', '%7C')}"
           "&_elements=Observation.code,Observation.subject,Patient.id")  # fmt: skip
    got = (await export(app, client, w["admin"], url))["files"]
    observations = got["Observation"]
    assert observations and {o["code"]["coding"][0]["code"] for o in observations} == {"8867-4"}
    for o in observations:
        assert set(o) <= {"resourceType", "id", "meta", "code", "subject"}
        assert any(t["code"] == "SUBSETTED" for t in o["meta"]["tag"])
    assert patients_of(got) == ids(w["a"], w["b"], w["d"])
    assert all("name" not in p for p in got["Patient"])
    # Two filters of one type: either may match.
    both = f"Observation?code={HR},Observation?code=http://loinc.org|59408-5"
    got = (await export(app, client, w["admin"],
                        f"/fhir/$export?_type=Observation&_typeFilter={both.replace('|', '%7C')}"
                        ))["files"]  # fmt: skip
    assert {o["code"]["coding"][0]["code"] for o in got["Observation"]} == {"8867-4", "59408-5"}


async def test_post_kick_off_with_parameters_and_include_associated_data_warned(app, client, world):
    w, gid = world, world["gid"]
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "_type", "valueString": "Patient"},
        {"name": "_outputFormat", "valueString": "application/fhir+ndjson"},
        {"name": "patient", "valueReference": {"reference": f"Patient/{w['b'].patient_id}"}},
        {"name": "includeAssociatedData", "valueCode": "LatestProvenanceResources"},
    ]}  # fmt: skip
    got = await export(app, client, w["admin"], f"/fhir/Group/{gid}/$export", body=body)
    assert patients_of(got["files"]) == ids(w["b"])
    (error,) = got["manifest"]["error"]
    assert error["type"] == "OperationOutcome"
    (outcome,) = got["files"]["OperationOutcome"]
    assert outcome["issue"][0]["severity"] == "warning"
    assert "includeAssociatedData" in outcome["issue"][0]["diagnostics"]
    assert {o["type"] for o in got["manifest"]["output"]} == {"Patient"}


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("_typeFilter=Observation", None),
        ("_typeFilter=Observation%3Fcolour%3Dred", None),
        ("_type=Patient&_typeFilter=Observation%3Fcode%3Dx", None),
        ("_elements=Observation..code", None),
        (None, {"resourceType": "Bundle"}),
        (None, {"resourceType": "Parameters", "parameter": [{"name": "x", "valueString": "y"}]}),
        (
            None,
            {
                "resourceType": "Parameters",
                "parameter": [
                    {"name": "patient", "valueReference": {"reference": "Patient/not-an-id"}}
                ],
            },
        ),
        (
            None,
            {
                "resourceType": "Parameters",
                "parameter": [{"name": "_since", "valueInstant": "soon"}],
            },
        ),
    ],
)
async def test_bad_kick_offs_answer_400(client, person, query, body):
    admin = await person("admin")
    if body is None:
        r = await client.get(f"/fhir/$export?{query}", headers={**admin.headers, **ASYNC})
    else:
        r = await client.post("/fhir/Patient/$export", content=json.dumps(body), headers={
            **admin.headers, **ASYNC, "content-type": "application/fhir+json"})  # fmt: skip
    assert r.status_code == 400, r.text
    assert r.json()["resourceType"] == "OperationOutcome"


async def test_post_kick_off_needs_json_and_system_level_takes_no_patient(client, person):
    admin = await person("admin")
    r = await client.post("/fhir/$export", content="<Parameters/>", headers={
        **admin.headers, **ASYNC, "content-type": "application/xml"})  # fmt: skip
    assert r.status_code == 400
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "patient", "valueReference": {"reference": f"Patient/{admin.id}"}}]}  # fmt: skip
    r = await client.post("/fhir/$export", content=json.dumps(body), headers={
        **admin.headers, **ASYNC, "content-type": "application/fhir+json"})  # fmt: skip
    assert r.status_code == 400
