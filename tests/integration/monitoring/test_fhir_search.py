"""FHIR search on Observation: by patient, code and date, sorted and paged, through the access
policy and audited; unsupported or malformed parameters answer 400 OperationOutcomes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from fhir.resources.R4B import get_fhir_model_class

from careverse.kernel.uow import unit_of_work
from careverse.monitoring.models import Reading
from tests.integration.privacy.support import assign, audit_rows, delegate

LOINC = "http://loinc.org"
HR, SPO2, TEMP = "8867-4", "59408-5", "8310-5"
UNITS = {HR: "/min", SPO2: "%", TEMP: "Cel"}
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


async def store(app, patient_id, code: str, values: list[float], start=T0) -> list[int]:
    """Readings of one code, an hour apart from ``start``; answers their ids."""
    async with app.state.runtime.db.session() as session:
        async with unit_of_work(session):
            rows = [
                Reading(
                    patient_id=patient_id, code=code, unit=UNITS[code], value=v,
                    effective_at=start + timedelta(hours=i), received_at=start,
                    source_id=f"test-{code}-{start:%Y%m%d%H}-{i}",
                )
                for i, v in enumerate(values)
            ]  # fmt: skip
            session.add_all(rows)
        return [r.id for r in rows]


def searchset(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    model = get_fhir_model_class(body["resourceType"]).model_validate(body)
    if body["resourceType"] == "Bundle":
        assert body["type"] == "searchset"
        for entry in body.get("entry", []):
            get_fhir_model_class("Observation").model_validate(entry["resource"])
            assert entry["search"] == {"mode": "match"}
    assert model is not None
    return body


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def links(body: dict) -> dict[str, str]:
    return {link["relation"]: link["url"] for link in body.get("link", [])}


async def people(client, person):
    patient, other = await person("patient"), await person("patient")
    admin, clinician = await person("admin"), await person("clinician")
    await assign(client, admin, clinician, patient)
    return patient, other, clinician


async def test_search_by_code_and_date_sorts_and_pages_with_next_links(app, client, person):
    patient, _, clinician = await people(client, person)
    pid = patient.patient_id
    hr = await store(app, pid, HR, [60 + i for i in range(10)])
    spo2 = await store(app, pid, SPO2, [97, 96, 95])
    await store(app, pid, TEMP, [37.0])
    h = clinician.headers

    # Newest first by default; pages of 4 with next links that carry the query on.
    url = f"/fhir/Observation?patient={pid}&code={LOINC}|{HR}&_count=4"
    seen, totals, pages = [], set(), 0
    while url:
        body = searchset(await client.get(url, headers=h))
        totals.add(body.get("total"))  # counted on the first page only
        seen += [int(e["resource"]["id"]) for e in body.get("entry", [])]
        assert all(e["resource"]["code"]["coding"][0]["code"] == HR for e in body["entry"])
        pages += 1
        next_url = links(body).get("next")
        url = path_of(next_url) if next_url else None
    assert totals == {10, None} and pages == 3
    assert seen == list(reversed(hr))

    first = searchset(await client.get(f"/fhir/Observation?patient={pid}&_count=2", headers=h))
    assert first["total"] == 14
    assert first["entry"][0]["resource"]["effectiveDateTime"] == "2026-11-20T17:00:00Z"
    assert "_cursor" not in links(first)["self"] and "_cursor=" in links(first)["next"]

    def ids(body: dict) -> list[int]:
        return [int(e["resource"]["id"]) for e in body.get("entry", [])]

    async def get(query: str) -> dict:
        return searchset(await client.get(f"/fhir/Observation?{query}", headers=h))

    # subject= is the same search; code without a system, several codes, ascending order.
    assert ids(await get(f"subject=Patient/{pid}&code={HR}&_count=100")) == list(reversed(hr))
    both = await get(f"patient=Patient/{pid}&code={HR},{LOINC}|{SPO2}&_sort=date&_count=100")
    assert ids(both) == [hr[0], spo2[0], hr[1], spo2[1], hr[2], spo2[2], *hr[3:]]
    assert (await get(f"patient={pid}&code=http://snomed.info/sct|{HR}"))["total"] == 0
    assert (await get(f"patient={pid}&code=|{HR}"))["total"] == 0
    assert (await get(f"patient={pid}&code={LOINC}|"))["total"] == 14
    assert (await get(f"patient={pid}&code={LOINC}|,|{HR}"))["total"] == 14
    assert (await get(f"patient={pid}&code=*"))["total"] == 0
    assert (await get(f"patient={pid}&code={HR}&code={SPO2}"))["total"] == 0  # both must match

    # Dates: ge/lt bounds, gt/le, eq at day and instant precision.
    window = await get(
        f"patient={pid}&code={HR}&date=ge2026-11-20T10:00:00Z&date=lt2026-11-20T13:00:00%2B00:00"
        "&_sort=date"
    )
    assert ids(window) == hr[2:5]
    assert ids(await get(f"patient={pid}&code={HR}&date=gt2026-11-20T15:00:00Z")) == [
        hr[9], hr[8]
    ]  # fmt: skip
    assert (await get(f"patient={pid}&code={HR}&date=le2026-11-20T09:00:00Z"))["total"] == 2
    assert (await get(f"patient={pid}&date=2026-11-20"))["total"] == 14
    assert (await get(f"patient={pid}&date=2026-11"))["total"] == 14
    assert (await get(f"patient={pid}&date=2025"))["total"] == 0
    assert ids(await get(f"patient={pid}&code={HR}&date=eq2026-11-20T11:00:00Z")) == [hr[3]]
    assert (await get(f"patient={pid}&date=lt2026-11-20"))["total"] == 0

    # _count=0 answers the total only.
    counted = await get(f"patient={pid}&_count=0")
    assert counted["total"] == 14 and not counted.get("entry")

    # Each search is one audited read of the patient's vitals.
    reads = await audit_rows(app, action="vitals.read", patient_id=pid)
    assert reads and all(r.actor_id == clinician.id for r in reads)
    assert {r.resource_type for r in reads} == {"Bundle"}


async def test_refusals_answer_404_like_a_missing_patient(app, client, person):
    patient, other, clinician = await people(client, person)
    stranger = await person("clinician")
    caregiver, nosy = await person("caregiver"), await person("caregiver")
    await delegate(client, patient, caregiver, ["vitals:read"])
    await delegate(client, patient, nosy, ["appointments:read"])
    await store(app, patient.patient_id, HR, [70, 71])
    mine = f"/fhir/Observation?patient={patient.patient_id}"

    assert searchset(await client.get(mine, headers=patient.headers))["total"] == 2
    assert searchset(await client.get(mine, headers=caregiver.headers))["total"] == 2
    missing = await client.get(f"/fhir/Observation?patient={uuid.uuid4()}", headers=h(patient))
    for response in (
        await client.get(mine, headers=other.headers),
        await client.get(mine, headers=stranger.headers),
        await client.get(mine, headers=nosy.headers),
        missing,
        await client.get("/fhir/Observation?patient=not-an-id", headers=h(clinician)),
    ):
        outcome = searchset(response, 404)
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "not-found"
        assert response.json() == missing.json()
    assert (await client.get(mine)).status_code == 401

    denied = await audit_rows(app, action="vitals.read", patient_id=patient.patient_id)
    refusals = {r.actor_id for r in denied if r.outcome == "denied"}
    assert {other.id, stranger.id, nosy.id} <= refusals


def h(who) -> dict:
    return who.headers


async def test_bad_parameters_answer_400_operation_outcomes(app, client, person):
    patient, other, clinician = await people(client, person)
    (foreign,) = await store(app, other.patient_id, HR, [80])
    pid = patient.patient_id
    bad = [
        f"patient={pid}&foo=1",
        f"patient={pid}&code:text=pulse",
        f"patient={pid}&_summary=all",
        f"patient={pid}&code:not=8867-4",  # Observation (searched in SQL) takes no modifiers
        "code=8867-4",
        "patient=",
        f"patient={pid}&code=",
        f"patient={pid}&date=",
        f"patient={pid}&subject=Patient/{pid}",
        f"patient={pid}&patient={pid}",
        "subject=Device/abc",
        f"patient={pid}&date=sa2026-11-01",
        f"patient={pid}&date=2026-13-01",
        f"patient={pid}&date=2026-11-01T10:00:00",
        f"patient={pid}&date=ge2026-11-01,2026-11-02",
        f"patient={pid}&date=yesterday",
        f"patient={pid}&_count=-1",
        f"patient={pid}&_count=ten",
        f"patient={pid}&_sort=value",
        f"patient={pid}&_cursor=abc",
        f"patient={pid}&_cursor={foreign}",
        f"patient={pid}&code=" + ",".join(["1"] * 21),
    ]
    for query in bad:
        response = await client.get(f"/fhir/Observation?{query}", headers=clinician.headers)
        outcome = searchset(response, 400)
        assert outcome["resourceType"] == "OperationOutcome", query
        assert outcome["issue"][0]["code"] == "invalid", query
        assert "pulse" not in response.text and "yesterday" not in response.text


async def test_capability_statement_lists_the_observation_search(client):
    statement = (await client.get("/fhir/metadata")).json()
    (observation,) = [
        r for r in statement["rest"][0]["resource"] if r["type"] == "Observation"
    ]  # fmt: skip
    assert {"code": "search-type"} in observation["interaction"]
    assert [{"name": p["name"], "type": p["type"]} for p in observation["searchParam"]] == [
        {"name": "_id", "type": "token"},
        {"name": "_lastUpdated", "type": "date"},
        {"name": "category", "type": "token"},
        {"name": "code", "type": "token"},
        {"name": "date", "type": "date"},
        {"name": "patient", "type": "reference"},
        {"name": "status", "type": "token"},
        {"name": "subject", "type": "reference"},
    ]
    # No modifiers in SQL; the patient chains (resolved by the Patient search) are listed.
    docs = {p["name"]: p.get("documentation", "") for p in observation["searchParam"]}
    assert "Modifiers" not in docs["code"] and "patient.identifier" in docs["patient"]
    assert observation["searchInclude"] == ["Observation:device"]
