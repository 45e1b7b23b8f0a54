"""A patient's whole record: ``$everything`` and ``/api/me/export`` carry every capability's
resources (Patient, Consent, CareTeam, Appointment, Encounter, DocumentReference, Device,
Observation, Flag, QuestionnaireResponse), each valid R4, as far as the reader may see."""

from __future__ import annotations

import base64
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest

from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alert_models import Alert
from careverse.monitoring.models import Reading
from careverse.monitoring.simulate import seed_demo
from tests.integration.care.support import WEEKDAYS, admitted
from tests.integration.fhir.test_resources import fhir, valid
from tests.integration.privacy.support import assign, consent, count, delegate

BEFORE_NINE = datetime(2026, 3, 23, 8, 50, tzinfo=UTC)  # a Monday: 09:00 is open for check-in
NOTE = {
    "subjective": "Three days of productive cough.",
    "assessment": "Likely viral bronchitis.",
    "plan": "Fluids and rest.",
    "patient_summary": "Your cough is most likely from a virus.",
}


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


async def alert(app, patient_id: uuid.UUID, source: str, title: str) -> None:
    async with app.state.runtime.db.session() as session, unit_of_work(session):
        session.add(
            Alert(
                patient_id=patient_id, source=source, severity="high", status="open",
                title=title, why="Heart rate above 120 for 10 minutes",
            )
        )  # fmt: skip


async def demo_like_patient(app, client, person) -> dict:
    """A patient with a wearable and six hours of vitals, a signed visit note (with its
    appointment and encounter), an alert from a care-plan rule and one from the crisis path."""
    patient, admin = await person("patient", name="Amara Nwosu"), await person("admin")
    clinician = await person("clinician", name="Dr. Lena Park")
    hours = {"time_zone": "UTC", "buffer_minutes": 5, "weekly": WEEKDAYS}
    made = await client.put("/api/care/availability", json=hours, headers=clinician.headers)
    assert made.status_code == 200, made.text
    await assign(client, admin, clinician, patient)
    await consent(client, patient, purpose="research", decision="permit")
    async with app.state.runtime.db.session() as session:
        assert await seed_demo(session, {patient.patient_id: "deteriorating"}, hours=6) > 0
    _, room = await admitted(client, patient, clinician, "2026-03-23T09:00:00Z")
    base = f"/api/care/encounters/{room['encounter_id']}"
    for step in (
        await client.put(f"{base}/note", json=NOTE, headers=clinician.headers),
        await client.post(f"{base}/sign", headers=clinician.headers),
        await client.post(
            f"{base}/addenda", json={"text": "Swab negative."}, headers=clinician.headers
        ),
    ):
        assert step.status_code in (200, 201), step.text
    await alert(app, patient.patient_id, "rule", "Heart rate high")
    await alert(app, patient.patient_id, "wellbeing", "Crisis screen positive")
    return {"patient": patient, "clinician": clinician, "admin": admin, "room": room}


EVERY_KIND = {
    "Patient", "Consent", "CareTeam", "Appointment", "Encounter", "DocumentReference",
    "Device", "Observation", "Flag",
}  # fmt: skip


async def test_everything_and_export_hold_every_resource_the_patient_has(
    app, client, person, before_nine
):
    people = await demo_like_patient(app, client, person)
    patient, clinician = people["patient"], people["clinician"]
    pid = patient.patient_id
    stored = await count(app, Reading, Reading.patient_id == pid)

    everything = fhir(
        await client.get(f"/fhir/Patient/{pid}/$everything", headers=clinician.headers)
    )
    valid(everything, "Bundle")
    exported = fhir(await client.get("/api/me/export", headers=patient.headers))
    valid(exported, "Bundle")
    for record in (everything, exported):
        resources = [e["resource"] for e in record["entry"]]
        kinds = Counter(r["resourceType"] for r in resources)
        assert set(kinds) == EVERY_KIND, kinds
        assert kinds["Flag"] == 2 and kinds["Device"] == 1 and kinds["DocumentReference"] == 1
        vitals = [r for r in resources if r.get("meta", {}).get("profile")]
        assert len(vitals) == stored > 50  # every reading, and the current NEWS2 besides
        assert kinds["Observation"] == stored + 1
        ids = [(r["resourceType"], r["id"]) for r in resources]
        assert len(ids) == len(set(ids))  # nothing twice
        by_kind = {r["resourceType"]: r for r in resources}
        assert by_kind["Encounter"]["id"] == people["room"]["encounter_id"]
        note = by_kind["DocumentReference"]
        assert note["context"]["encounter"] == [{"reference": f"Encounter/{note['id']}"}]
        text = base64.b64decode(note["content"][0]["attachment"]["data"]).decode()
        assert "viral bronchitis" in text and "Swab negative." in text
        assert note["docStatus"] == "amended"
        team = by_kind["CareTeam"]["participant"]
        assert [m["member"]["identifier"]["value"] for m in team] == [str(clinician.id)]
        # Every reading's device is in the record too, so references resolve.
        devices = {f"Device/{r['id']}" for r in resources if r["resourceType"] == "Device"}
        refs = {r["device"]["reference"] for r in resources if r.get("device")}
        assert refs and refs <= devices
        assert all(
            r["subject"] == {"reference": f"Patient/{pid}"}
            for r in resources
            if r["resourceType"] in ("Observation", "Flag", "Encounter", "DocumentReference")
        )

    # The readable export shows the same record: the note's words, the alerts, the care team.
    page = await client.get("/api/me/export?format=html", headers=patient.headers)
    assert page.status_code == 200, page.text
    for words in ("Visit notes", "Likely viral bronchitis.", "Swab negative.", "Alerts",
                  "Heart rate high", "Your care team", "Dr. Lena Park", "Devices"):  # fmt: skip
        assert words in page.text, words


async def test_a_caregiver_sees_only_what_they_were_delegated(app, client, person, before_nine):
    people = await demo_like_patient(app, client, person)
    patient = people["patient"]
    appointments_only, vitals_only = await person("caregiver"), await person("caregiver")
    await delegate(client, patient, appointments_only, ["record:read", "appointments:read"])
    await delegate(client, patient, vitals_only, ["record:read", "vitals:read"])
    url = f"/fhir/Patient/{patient.patient_id}/$everything"

    async def kinds(who) -> Counter:
        record = fhir(await client.get(url, headers=who.headers))
        valid(record, "Bundle")
        return Counter(e["resource"]["resourceType"] for e in record["entry"])

    seen = await kinds(appointments_only)
    assert set(seen) == {"Patient", "RelatedPerson", "Consent", "CareTeam", "Appointment"}
    assert seen["RelatedPerson"] == 1  # their own delegation, not the other caregiver's
    seen = await kinds(vitals_only)
    assert set(seen) == {
        "Patient", "RelatedPerson", "Consent", "CareTeam", "Device", "Observation", "Flag",
    }  # fmt: skip
    assert seen["Flag"] == 1  # the crisis alert needs wellbeing access


async def test_refusals_answer_404_like_a_missing_patient(app, client, person, before_nine):
    people = await demo_like_patient(app, client, person)
    pid = people["patient"].patient_id
    other, stranger = await person("patient"), await person("clinician")
    missing = await client.get(f"/fhir/Patient/{uuid.uuid4()}/$everything", headers=other.headers)
    for response in (
        await client.get(f"/fhir/Patient/{pid}/$everything", headers=other.headers),
        await client.get(f"/fhir/Patient/{pid}/$everything", headers=stranger.headers),
        missing,
    ):
        outcome = fhir(response, 404)
        valid(outcome, "OperationOutcome")
        assert response.json() == missing.json()
        assert "Amara" not in response.text


async def test_the_record_pages_through_every_reading_with_next_links(
    app, client, person, before_nine
):
    people = await demo_like_patient(app, client, person)
    patient = people["patient"]
    pid = patient.patient_id
    stored = await count(app, Reading, Reading.patient_id == pid)
    whole = fhir(await client.get(f"/fhir/Patient/{pid}/$everything", headers=patient.headers))
    expected = [(e["resource"]["resourceType"], e["resource"]["id"]) for e in whole["entry"]]
    assert len(whole["entry"]) == whole["total"] > 20 and "next" not in str(whole["link"])
    url: str | None = f"/fhir/Patient/{pid}/$everything?_count=7"
    seen: list[tuple[str, str]] = []
    pages = 0
    while url:
        page = fhir(await client.get(url, headers=patient.headers))
        assert len(page["entry"]) <= 7 and "total" not in page  # a page is not the record
        valid({**page, "total": len(page["entry"])}, "Bundle")
        seen += [(e["resource"]["resourceType"], e["resource"]["id"]) for e in page["entry"]]
        links = {link["relation"]: link["url"] for link in page["link"]}
        url = links.get("next", "").removeprefix("http://127.0.0.1:8000") or None
        if url:
            assert url.startswith(f"/fhir/Patient/{pid}/$everything?_count=7&_cursor=")
        pages += 1
    assert seen == expected and pages == -(-len(expected) // 7)
    readings = [k for k in seen if k[0] == "Observation" and not k[1].startswith("news2")]
    assert len(readings) == stored


async def test_since_and_type_narrow_the_record(app, client, person, before_nine):
    people = await demo_like_patient(app, client, person)
    patient, clinician = people["patient"], people["clinician"]
    pid = patient.patient_id
    url = f"/fhir/Patient/{pid}/$everything"
    only = fhir(await client.get(f"{url}?_type=Flag,Device", headers=clinician.headers))
    assert Counter(e["resource"]["resourceType"] for e in only["entry"]) == {
        "Flag": 2, "Device": 1,
    }  # fmt: skip
    changed_at = datetime(2026, 3, 23, 10, 30, tzinfo=UTC)  # a change after _since below
    async with app.state.runtime.db.session() as session, unit_of_work(session):
        session.add(
            Alert(
                patient_id=pid, source="rule", severity="high", status="open",
                title="Breathing fast", why="Respiration above 24", opened_at=changed_at,
                updated_at=changed_at,
            )
        )  # fmt: skip
    later = "2026-03-23T10:00:00Z"
    since = fhir(await client.get(f"{url}?_since={later}", headers=clinician.headers))
    kinds = Counter(e["resource"]["resourceType"] for e in since["entry"])
    assert kinds["Flag"] == 1 and "Device" not in kinds and "Consent" not in kinds
    changed = [
        e["resource"] for e in since["entry"] if "lastUpdated" in e["resource"].get("meta", {})
    ]
    assert all(r["meta"]["lastUpdated"] >= later for r in changed)
    for bad in ("_since=yesterday", "_since=2026-03-23T10:00:00", "_count=0", "_type=flag",
                "_cursor=nope", "_elements=id", "_count=5&_count=6"):  # fmt: skip
        answer = await client.get(f"{url}?{bad}", headers=clinician.headers)
        outcome = fhir(answer, 400)
        valid(outcome, "OperationOutcome")
        assert "yesterday" not in answer.text and "nope" not in answer.text
