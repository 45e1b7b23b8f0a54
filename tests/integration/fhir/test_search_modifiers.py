"""The search toolkit's generic features on the types searched in memory (Flag here) and in SQL
(Observation): ``_sort`` on several keys, ``_summary`` modes, ``_total``, the modifiers
``:missing`` and ``:not``, chained ``patient.identifier`` (through the Patient search, with the
caller's access), the CapabilityStatement that lists them, and fhirpy searching Patient and Slot
(its ``count()`` in strict mode)."""

from __future__ import annotations

from datetime import timedelta

from fhirpy import AsyncFHIRClient

from careverse.app import create_app
from careverse.kernel.fhir_search import PATIENT_CHAINS
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alert_models import Alert
from tests.integration.care.support import WEEKDAYS
from tests.integration.fhir.test_record_sections import before_nine, demo_like_patient
from tests.integration.fhir.test_search_rules import T0, flags, links
from tests.integration.fhir.test_search_types import matches, searchset
from tests.integration.monitoring.test_fhir_search import HR, people, store
from tests.integration.privacy.support import assign
from tests.support import serve_in_thread

__all__ = ["before_nine"]
PATIENT_SYSTEM = "urn:careverse:patient"


async def test_sort_summary_total_and_modifiers_on_flags(app, client, person):
    patient, _, clinician = await people(client, person)
    pid, h = patient.patient_id, clinician.headers
    await flags(app, pid, 4, T0)
    async with app.state.runtime.db.session() as session, unit_of_work(session):
        session.add(
            Alert(
                patient_id=pid, source="rule", severity="high", status="resolved",
                title="Old", why="Heart rate high", opened_at=T0 - timedelta(days=1),
                updated_at=T0,
            )
        )  # fmt: skip

    async def flags_of(query: str) -> list[dict]:
        return matches(searchset(await client.get(f"/fhir/Flag?patient={pid}&{query}", headers=h)))

    def starts(found: list[dict]) -> list[str]:
        return [f["period"]["start"] for f in found]

    # Several keys: status first (active before inactive), then the date either way.
    up = await flags_of("_sort=status,date")
    assert [f["status"] for f in up] == ["active"] * 4 + ["inactive"]
    assert starts(up[:4]) == sorted(starts(up[:4]))
    down = await flags_of("_sort=-status,-date")
    assert down[0]["status"] == "inactive" and starts(down[1:]) == sorted(starts(up[:4]))[::-1]
    assert [f["id"] for f in await flags_of("_sort=_id")] == sorted(f["id"] for f in up)
    # :not and :missing.
    assert len(await flags_of("status:not=active")) == 1
    assert len(await flags_of("status:not=inactive,active")) == 0
    assert len(await flags_of("category:missing=false")) == 5
    assert await flags_of("category:missing=true") == []
    assert await flags_of("date:missing=true") == []
    # _summary: true keeps the summary elements, text the required ones, data all but text.
    (one, *_) = await flags_of("_summary=text")
    assert set(one) == {"resourceType", "id", "meta", "text", "status", "code", "subject"}
    assert one["meta"]["tag"][-1]["code"] == "SUBSETTED"
    (one, *_) = await flags_of("_summary=true")
    assert {"status", "code", "subject", "period", "category"} <= set(one)
    (one, *_) = await flags_of("_summary=data")  # all but the narrative
    assert "text" not in one and {"status", "period"} <= set(one)
    assert one["meta"]["tag"][-1]["code"] == "SUBSETTED"
    (one, *_) = await flags_of("_summary=false")
    assert "text" in one and "SUBSETTED" not in str(one)
    # _total.
    none = searchset(await client.get(f"/fhir/Flag?patient={pid}&_total=none", headers=h))
    assert "total" not in none and len(matches(none)) == 5
    accurate = searchset(await client.get(f"/fhir/Flag?patient={pid}&_total=accurate", headers=h))
    assert accurate["total"] == 5
    # Bad: unknown modifiers (400 in lenient too), bad :missing values, repeated sort keys.
    for query in ("status:exact=active", "status:below=a", "category:missing=perhaps",
                  "_sort=date,-date", "_sort=date,colour", "_total=maybe",
                  "_summary=true&_elements=status", "patient:Device=x"):  # fmt: skip
        for prefer in ("handling=strict", "handling=lenient"):
            response = await client.get(
                f"/fhir/Flag?patient={pid}&{query}", headers={**h, "Prefer": prefer}
            )
            assert searchset(response, 400)["issue"][0]["code"] == "invalid", query


async def test_observation_total_accurate_on_later_pages_and_totalmethod(app, client, person):
    patient, _, clinician = await people(client, person)
    pid, h = patient.patient_id, clinician.headers
    await store(app, pid, HR, [60 + i for i in range(6)], start=T0)
    first = searchset(await client.get(f"/fhir/Observation?patient={pid}&_count=2", headers=h))
    later = links(first)["next"].split("/fhir/", 1)[1]
    assert "total" not in searchset(await client.get(f"/fhir/{later}", headers=h))
    counted = searchset(await client.get(f"/fhir/{later}&_total=accurate", headers=h))
    assert counted["total"] == 6
    # fhirpy's count() sends _totalMethod: recognised and ignored, even in strict mode.
    count = searchset(
        await client.get(f"/fhir/Observation?patient={pid}&_count=0&_totalMethod=count", headers=h)
    )
    assert count["total"] == 6


async def test_chained_patient_identifier_resolves_with_the_callers_access(
    app, client, person, before_nine
):
    people_ = await demo_like_patient(app, client, person)
    patient, clinician = people_["patient"], people_["clinician"]
    pid, h = patient.patient_id, clinician.headers
    ident = f"{PATIENT_SYSTEM}|{pid}"
    stranger = await person("clinician")
    for kind in ("Observation", "Appointment", "Encounter", "Flag"):
        direct = searchset(await client.get(f"/fhir/{kind}?patient={pid}", headers=h))
        assert direct["total"] > 0, kind
        for chain in ("patient.identifier", "subject:Patient.identifier", "subject.identifier"):
            if kind in ("Appointment",) and chain.startswith("subject"):
                continue
            chained = searchset(await client.get(f"/fhir/{kind}?{chain}={ident}", headers=h))
            assert chained["total"] == direct["total"], (kind, chain)
            assert matches(chained) == matches(direct), (kind, chain)
        # Through the Patient search with the caller's access: a stranger finds no patient.
        hidden = await client.get(
            f"/fhir/{kind}?patient.identifier={ident}", headers=stranger.headers
        )
        assert searchset(hidden)["total"] == 0 and not matches(searchset(hidden)), kind
        # The chain may use the Patient's other parameters.
        by_name = searchset(
            await client.get(f"/fhir/{kind}?patient.name=amara&patient.family=nwosu", headers=h)
        )
        assert by_name["total"] == direct["total"], kind
    # Unknown chains: 400 strict; lenient ignores it (and then there is no patient: 400).
    for query in ("patient.address=x", "device.type=x", "patient.identifier.value=x",
                  "patient:Device.identifier=x", "patient.colour=red"):  # fmt: skip
        response = await client.get(f"/fhir/Observation?{query}", headers=h)
        assert searchset(response, 400)["issue"][0]["code"] == "invalid", query
    lenient = await client.get(
        f"/fhir/Flag?patient={pid}&device.type=x", headers={**h, "Prefer": "handling=lenient"}
    )
    assert "device.type" in str(searchset(lenient))
    # A chain and a patient together: 400 (one patient per search); a bad chained value: 400.
    both = await client.get(f"/fhir/Flag?patient={pid}&patient.identifier={ident}", headers=h)
    assert searchset(both, 400)["issue"][0]["code"] == "invalid"
    malformed = await client.get("/fhir/Flag?patient.birthdate=yesterday", headers=h)
    assert "yesterday" not in searchset(malformed, 400)["issue"][0]["diagnostics"]


async def test_capability_statement_lists_every_parameter_modifier_and_chain(client):
    statement = (await client.get("/fhir/metadata")).json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}

    def docs(kind: str) -> dict[str, str]:
        return {p["name"]: p.get("documentation", "") for p in resources[kind]["searchParam"]}

    patient = docs("Patient")
    assert set(patient) == {*PATIENT_CHAINS, "_id"}
    assert ":exact" in patient["name"] and ":contains" in patient["name"]
    assert ":not" in patient["gender"] and ":missing" in patient["birthdate"]
    assert set(docs("Slot")) == {"schedule", "start", "status", "service-type", "_id"}
    assert set(docs("Schedule")) == {"actor", "date", "active", "service-type", "_id"}
    assert set(docs("AuditEvent")) == {
        "patient", "entity", "date", "agent", "action", "subtype", "outcome", "_id",
        "_lastUpdated",
    }  # fmt: skip
    # Every per-patient type names its chains; every in-memory parameter its modifiers.
    for kind in ("Flag", "Appointment", "Encounter", "Observation", "Device", "Consent"):
        assert "patient.identifier" in docs(kind)["patient"], kind
    for kind in ("Flag", "Appointment", "Consent", "Goal", "Condition"):
        for name, text in docs(kind).items():
            assert ":missing" in text or name in ("patient", "subject"), (kind, name)
    assert resources["Appointment"]["searchInclude"] == ["Appointment:patient"]
    assert resources["Appointment"]["searchRevInclude"] == ["Encounter:appointment"]


async def test_fhirpy_searches_patient_and_slot(app, client, person, settings, before_nine):
    admin, clinician = await person("admin"), await person("clinician", name="Dr. Lena Park")
    hours = {"time_zone": "UTC", "buffer_minutes": 5, "weekly": WEEKDAYS}
    made = await client.put("/api/care/availability", json=hours, headers=clinician.headers)
    assert made.status_code == 200
    for name in ("Ada Lovelace", "Ada Byron", "Grace Hopper"):
        await assign(client, admin, clinician, await person("patient", name=name))
    token = clinician.headers["Authorization"].removeprefix("Bearer ")
    with serve_in_thread(create_app(settings)) as url:
        fhir = AsyncFHIRClient(
            f"{url}/fhir",
            authorization=f"Bearer {token}",
            url_aliases=[f"{settings.public_url.rstrip('/')}/fhir"],
        )
        adas = fhir.resources("Patient").search(given="ada").sort("-name")
        assert await adas.count() == 2  # _totalMethod in strict mode
        found = [p["name"][0]["text"] async for p in adas.limit(1)]  # paging by next links
        assert found == ["Ada Lovelace", "Ada Byron"]
        first = await fhir.resources("Patient").search(name__exact="Grace Hopper").first()
        assert first is not None and first["name"][0]["text"] == "Grace Hopper"
        slots = (
            fhir.resources("Slot")
            .search(schedule=f"Schedule/{clinician.id}", start__ge="2026-03-23T09:00:00Z")
            .search(start__lt="2026-03-23T11:00:00Z")
        )
        every = [s["start"] async for s in slots.limit(3)]
        assert every == sorted(every) and every[0] == "2026-03-23T09:00:00Z"
        assert len(every) == await slots.count() > 3
