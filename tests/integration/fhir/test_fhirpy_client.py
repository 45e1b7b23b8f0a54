"""A real FHIR client library against a running Careverse: fhirpy's async client talks to a
uvicorn server (a second node on the same database) over HTTP. It searches a demo-like patient's
heart rate by code and date, pages through every page by fhirpy's own iteration (following our
``next`` links), and reads ``$everything``, which holds every resource type the patient has."""

from __future__ import annotations

from collections import Counter

from fhirpy import AsyncFHIRClient

from careverse.app import create_app
from tests.integration.fhir.test_record_complete import before_nine, full_patient
from tests.support import serve_in_thread

__all__ = ["before_nine"]
HEART_RATE = "http://loinc.org|8867-4"


async def test_fhirpy_searches_pages_and_reads_everything(
    app, client, person, settings, before_nine
):
    people = await full_patient(app, client, person)
    patient = people["patient"]
    pid = str(patient.patient_id)
    token = patient.headers["Authorization"].removeprefix("Bearer ")
    window = {"date": ["ge2026-03-23T02:00:00Z", "le2026-03-23T09:00:00Z"]}
    # The same search through the in-process client, as the reference for what fhirpy sees.
    reference = await client.get(
        "/fhir/Observation",
        params={"patient": pid, "code": HEART_RATE, **window, "_count": 1000},
        headers=patient.headers,
    )
    expected = [e["resource"]["id"] for e in reference.json()["entry"]]
    assert len(expected) > 10

    with serve_in_thread(create_app(settings)) as url:
        fhir = AsyncFHIRClient(
            f"{url}/fhir",
            authorization=f"Bearer {token}",
            url_aliases=[f"{settings.public_url.rstrip('/')}/fhir"],
        )
        search = (
            fhir.resources("Observation")
            .search(patient=pid, code=HEART_RATE, date__ge="2026-03-23T02:00:00Z")
            .search(date__le="2026-03-23T09:00:00Z")
            .limit(3)
        )
        first = await search.fetch()
        assert len(first) == 3
        assert (await search.limit(0).fetch_raw())["total"] == len(expected)
        assert await search.count() == len(expected)  # its _totalMethod: accepted, ignored
        seen = [obs["id"] async for obs in search]  # every page, by fhirpy's next-link iteration
        assert seen == expected
        assert all(o["code"]["coding"][0]["code"] == "8867-4" for o in first)
        assert {o["subject"]["reference"] for o in first} == {f"Patient/{pid}"}

        everything = await fhir.execute(f"Patient/{pid}/$everything", method="get")
        kinds = Counter(e["resource"]["resourceType"] for e in everything["entry"])
        every = set().union(*app.state.runtime.patient_record.types.values())
        assert set(kinds) == every, every ^ set(kinds)
        narrowed = await fhir.execute(
            f"Patient/{pid}/$everything", method="get", params={"_type": "Condition,Goal"}
        )
        assert {e["resource"]["resourceType"] for e in narrowed["entry"]} == {"Condition", "Goal"}
