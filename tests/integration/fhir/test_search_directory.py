"""FHIR search of Patient, Schedule, Slot and AuditEvent on the kernel's toolkit: each of their
parameters and modifiers, paging links, 400s for bad values, and access (a clinician without a
care relationship, a caregiver, another patient) unchanged: what the caller may not see is
simply absent, or 404."""

from __future__ import annotations

import uuid

from tests.integration.care.support import WEEKDAYS, book
from tests.integration.fhir.test_record_sections import before_nine
from tests.integration.fhir.test_resources import scenario
from tests.integration.fhir.test_search_rules import links, path_of
from tests.integration.fhir.test_search_types import matches, searchset
from tests.integration.privacy.support import assign

__all__ = ["before_nine"]


async def ids(client, who, query: str, kind: str = "Patient") -> list[str]:
    body = searchset(await client.get(f"/fhir/{kind}?{query}", headers=who.headers))
    return [r["id"] for r in matches(body)]


async def bad(client, who, query: str, status: int = 400) -> str:
    """A search that answers ``status`` with an OperationOutcome, strict and lenient."""
    for prefer in ("handling=strict", "handling=lenient"):
        response = await client.get(f"/fhir/{query}", headers={**who.headers, "Prefer": prefer})
        outcome = searchset(response, status)
        assert outcome["resourceType"] == "OperationOutcome", query
    return response.text


async def test_patient_search_by_each_parameter_and_modifier(client, person):
    people = await scenario(client, person)
    patient, other = people["patient"], people["other"]
    clinician, caregiver = people["clinician"], people["caregiver"]
    pid, me = str(patient.patient_id), [str(patient.patient_id)]

    async def found(query: str, who=clinician) -> list[str]:
        return await ids(client, who, query)

    assert await found(f"identifier=urn:careverse:patient|{pid}") == me
    assert await found(f"identifier=other-system|{pid}") == []
    assert await found(f"_id={pid}") == me and await found(f"_id={uuid.uuid4()}") == []
    # name: any word starts with it; :exact the whole text (or a word), case kept; :contains.
    assert await found("name=nwo") == me and await found("name=amara") == me
    assert await found("name=wosu") == []
    assert await found("name:contains=wosu") == me
    assert await found("name:exact=Amara Nwosu") == me
    assert await found("name:exact=amara nwosu") == []
    # The record keeps one name text: family is its last word, given the others.
    assert await found("family=nwosu") == me and await found("family=amara") == []
    assert await found("given=amara") == me and await found("given=nwosu") == []
    assert await found("birthdate=1984-06-02") == me and await found("birthdate=1984") == me
    assert await found("birthdate=ge1984-06-03") == [] and await found("birthdate=lt1985") == me
    assert await found("birthdate:missing=false") == me
    assert await found("birthdate:missing=true") == []
    assert await found("gender=female") == me and await found("gender=male") == []
    assert await found("gender=http://hl7.org/fhir/administrative-gender|female") == me
    assert await found("gender:not=female") == [] and await found("gender:not=male") == me
    # The other patient has no birth date: only they find themself, by :missing.
    assert await found("birthdate:missing=true", other) == [str(other.patient_id)]
    # A caregiver (record:read) finds the patient; a clinician with no care relationship, no one.
    assert await found("name=amara", caregiver) == me
    stranger = await person("clinician")
    assert await found("name=amara", stranger) == []
    assert await found(f"identifier=urn:careverse:patient|{pid}", stranger) == []

    # Result parameters: _summary, _elements, _total, _sort.
    body = searchset(await client.get(f"/fhir/Patient?_id={pid}&_summary=true",
                                      headers=clinician.headers))  # fmt: skip
    (summary,) = matches(body)
    assert "communication" not in summary and summary["name"][0]["text"] == "Amara Nwosu"
    assert summary["meta"]["tag"][0]["code"] == "SUBSETTED"
    (text,) = matches(searchset(await client.get(f"/fhir/Patient?_id={pid}&_summary=text",
                                                 headers=clinician.headers)))  # fmt: skip
    assert set(text) == {"resourceType", "id", "meta"}
    (full,) = matches(searchset(await client.get(f"/fhir/Patient?_id={pid}&_summary=false",
                                                 headers=clinician.headers)))  # fmt: skip
    assert "communication" in full and "meta" not in full
    (kept,) = matches(searchset(await client.get(f"/fhir/Patient?_id={pid}&_elements=gender",
                                                 headers=clinician.headers)))  # fmt: skip
    assert set(kept) == {"resourceType", "id", "meta", "gender"}
    counted = searchset(await client.get("/fhir/Patient?_summary=count", headers=patient.headers))
    assert counted["total"] == 1 and not counted.get("entry")
    assert "total" not in searchset(await client.get("/fhir/Patient?_total=none",
                                                     headers=patient.headers))  # fmt: skip
    for query in ("birthdate=02-06-1984", "birthdate=sa1984", "gender:exact=female",
                  "name:below=a", "_sort=colour", "_summary=all", "_total=maybe",
                  "birthdate:missing=maybe", "name:exact=" + ",".join(["a"] * 21)):  # fmt: skip
        assert "1984" not in await bad(client, clinician, f"Patient?{query}"), query
    # Strict: an unknown parameter is 400; lenient: ignored, and said so.
    strict = await client.get("/fhir/Patient?colour=red", headers=clinician.headers)
    assert searchset(strict, 400)["issue"][0]["code"] == "invalid"
    lenient = searchset(await client.get(
        "/fhir/Patient?name=amara&colour=red",
        headers={**clinician.headers, "Prefer": "handling=lenient"},
    ))  # fmt: skip
    assert [r["id"] for r in matches(lenient)] == me
    assert "colour" not in links(lenient)["self"]


async def test_patient_search_sorts_on_several_keys_and_pages(client, person):
    admin = await person("admin")
    clinician = await person("clinician")
    names = ["Ada Byron", "Ada Lovelace", "Bea Lovelace", "Cy Ames"]
    for name in names:
        patient = await person("patient", name=name)
        await assign(client, admin, clinician, patient)
    assert len(await ids(client, clinician, "_sort=name")) == 4

    async def order(sort: str) -> list[str]:
        body = searchset(await client.get(f"/fhir/Patient?_sort={sort}",
                                          headers=clinician.headers))  # fmt: skip
        return [r["name"][0]["text"] for r in matches(body)]

    assert await order("name") == names
    assert await order("-name") == names[::-1]
    assert await order("family,-name") == ["Cy Ames", "Ada Byron", "Bea Lovelace", "Ada Lovelace"]
    assert await order("family,name") == ["Cy Ames", "Ada Byron", "Ada Lovelace", "Bea Lovelace"]
    await bad(client, clinician, "Patient?_sort=name,-name")
    # Paging: next to the end, previous back to the start, each link valid.
    first = searchset(await client.get("/fhir/Patient?_count=3", headers=clinician.headers))
    assert [r["name"][0]["text"] for r in matches(first)] == names[:3]
    assert "previous" not in links(first) and first["total"] == 4
    second = searchset(await client.get(path_of(links(first)["next"]), headers=clinician.headers))
    assert [r["name"][0]["text"] for r in matches(second)] == names[3:]
    assert "next" not in links(second)
    back = searchset(await client.get(path_of(links(second)["previous"]),
                                      headers=clinician.headers))  # fmt: skip
    assert matches(back) == matches(first)


async def clinician_with_hours(client, person, name: str = "Dr. Lena Park"):
    clinician = await person("clinician", name=name)
    body = {"time_zone": "UTC", "buffer_minutes": 5, "weekly": WEEKDAYS}
    made = await client.put("/api/care/availability", json=body, headers=clinician.headers)
    assert made.status_code == 200, made.text
    return clinician


async def test_schedule_and_slot_search(client, person, before_nine):
    lena = await clinician_with_hours(client, person)
    omar = await clinician_with_hours(client, person, "Dr. Omar Haddad")
    patient = await person("patient")
    lena_id = str(lena.id)

    async def schedules(query: str) -> list[str]:
        return await ids(client, patient, query, "Schedule")

    assert set(await schedules("")) >= {lena_id, str(omar.id)}
    assert await schedules(f"actor=Practitioner/{lena_id}") == [lena_id]
    assert await schedules(f"actor={lena_id}") == [lena_id]
    assert await schedules(f"actor={uuid.uuid4()}") == []
    assert await schedules(f"_id={lena_id}") == [lena_id]
    assert lena_id in await schedules("date=2026-03-24")  # within the booking horizon
    assert await schedules(f"_id={lena_id}&date=lt2026-03-01") == []
    assert await schedules(f"_id={lena_id}&service-type=urn:careverse:visit-type|new") == [lena_id]
    assert await schedules(f"_id={lena_id}&service-type=other|new") == []
    assert await schedules(f"_id={lena_id}&active=true") == [lena_id]
    (one,) = matches(searchset(await client.get(f"/fhir/Schedule?_id={lena_id}",
                                                headers=patient.headers)))  # fmt: skip
    assert one["planningHorizon"]["start"].startswith("2026-03-23")
    await bad(client, patient, "Schedule?date=soon")
    # No table keeps when hours changed: _lastUpdated is unsupported (400 strict, lenient: ignored).
    strict = await client.get("/fhir/Schedule?_lastUpdated=ge2026", headers=patient.headers)
    assert searchset(strict, 400)["issue"][0]["code"] == "invalid"

    sched = f"schedule=Schedule/{lena_id}"
    morning = f"{sched}&start=ge2026-03-23T09:00:00Z&start=lt2026-03-23T12:00:00Z"

    async def slots(query: str) -> list[dict]:
        body = searchset(await client.get(f"/fhir/Slot?{query}", headers=patient.headers))
        return matches(body)

    found = await slots(morning)
    starts = [s["start"] for s in found]
    assert starts and starts == sorted(starts)
    assert starts[0] == "2026-03-23T09:00:00Z" and all(s < "2026-03-23T12" for s in starts)
    assert {s["schedule"]["reference"] for s in found} == {f"Schedule/{lena_id}"}
    assert [s["start"] for s in await slots(f"{morning}&_sort=-start")] == starts[::-1]
    assert await slots(f"{sched}&start=gt2026-03-23T09:00:00Z&start=lt2026-03-23T10:00:00Z")
    assert len(await slots(f"{morning}&status=free")) == len(found)
    assert await slots(f"{morning}&status=busy") == []
    assert await slots(f"{morning}&status:not=free") == []
    assert [s["id"] for s in await slots(f"{morning}&_id={found[1]['id']}")] == [found[1]["id"]]
    new = await slots(f"{morning}&service-type=urn:careverse:visit-type|new")
    assert new and new[0]["serviceType"][0]["coding"][0]["code"] == "new"
    # Paging through the morning two at a time: every slot once, in order, links valid.
    url, seen = f"/fhir/Slot?{morning}&_count=2", []
    while url:
        body = searchset(await client.get(url, headers=patient.headers))
        seen += [s["start"] for s in matches(body)]
        url = path_of(links(body)["next"]) if "next" in links(body) else None
    assert seen == starts
    back = searchset(await client.get(path_of(links(body)["previous"]), headers=patient.headers))
    last = len(matches(body))
    assert [s["start"] for s in matches(back)] == starts[-last - 2 : -last]
    # A link anchored on a slot booked since still works: what sorts after that slot now.
    first = searchset(await client.get(f"/fhir/Slot?{morning}&_count=2", headers=patient.headers))
    second = searchset(await client.get(path_of(links(first)["next"]), headers=patient.headers))
    booked = await book(client, patient, lena, matches(first)[-1]["start"])
    assert booked.status_code == 201, booked.text
    gone = matches(first)[-1]["start"]
    now = [s["start"] for s in await slots(morning)]
    assert gone not in now and matches(second)
    # (the booking's buffer may take the following slot too: the page is what sorts after it now)
    again = searchset(await client.get(path_of(links(first)["next"]), headers=patient.headers))
    assert [s["start"] for s in matches(again)] == [t for t in now if t > gone][:2]
    earlier = [t for t in now if t < matches(again)[0]["start"]]
    assert ("previous" in links(again)) == bool(earlier)  # the buffer may have taken 09:00 too
    await bad(client, patient, "Slot?start=ge2026-03-23")  # no schedule
    await bad(client, patient, f"Slot?{sched}&start=ge2026-03-01&start=le2026-06-01")  # > 31 days
    await bad(client, patient, f"Slot?{sched}&start=someday")
    await bad(client, patient, f"Slot?{sched}&start:exact=2026-03-23")
    await bad(client, patient, "Slot?schedule=Schedule/not-an-id", 404)


async def test_audit_event_search(client, person):
    people = await scenario(client, person)
    patient, clinician, admin = people["patient"], people["clinician"], people["admin"]
    pid = patient.patient_id
    await client.get(f"/fhir/Patient/{pid}", headers=clinician.headers)  # a read to find

    async def events(query: str, who=patient) -> list[dict]:
        body = searchset(await client.get(f"/fhir/AuditEvent?{query}", headers=who.headers))
        return matches(body)

    every = await events(f"patient={pid}&_count=1000")
    assert len(every) > 5
    recorded = [e["recorded"] for e in every]
    assert recorded == sorted(recorded, reverse=True)  # newest first
    # Each search is audited too: the counts below stop at the first search's newest event.
    upto = f"&date=le{every[0]['recorded']}&_count=1000"

    async def count(query: str, who=patient) -> int:
        return len(await events(f"patient={pid}&{query}{upto}", who))

    assert await count("") == len(every)
    assert len(await events(f"entity=Patient/{pid}{upto}")) == len(every)
    assert await count("", admin) == len(every)
    by_clinician = await events(f"patient={pid}&agent={clinician.id}{upto}")
    assert by_clinician and all(
        e["agent"][0]["who"]["identifier"]["value"] == str(clinician.id) for e in by_clinician
    )
    reads = await events(f"patient={pid}&action=R{upto}")
    assert reads and all(e["action"] == "R" for e in reads)
    assert await count("action:not=R") == len(every) - len(reads)
    subtype = every[-1]["subtype"][0]["code"]
    same = await events(f"patient={pid}&subtype=urn:careverse:audit-action|{subtype}{upto}")
    assert same and all(e["subtype"][0]["code"] == subtype for e in same)
    assert await count("date=lt2000") == 0
    assert await count("date=ge2000") == len(every)
    assert await count("_lastUpdated=ge2000") == len(every)
    assert await count("_lastUpdated=lt2000") == 0
    assert [e["id"] for e in await events(f"patient={pid}&_id={every[-1]['id']}")] == [
        every[-1]["id"]
    ]
    denied = await events(f"patient={pid}&outcome=4{upto}")
    assert denied and all(e["outcome"] == "4" for e in denied)
    oldest = await events(f"patient={pid}&_sort=date&_count=2")
    assert [e["id"] for e in oldest] == [e["id"] for e in every[::-1][:2]]
    # Paging: the events after the first page's last one, as a full listing has them.
    first = searchset(
        await client.get(f"/fhir/AuditEvent?patient={pid}&_count=3", headers=patient.headers)
    )
    second = searchset(await client.get(path_of(links(first)["next"]), headers=patient.headers))
    full = [e["id"] for e in await events(f"patient={pid}&_count=1000")]
    at = full.index(matches(first)[-1]["id"])
    assert [e["id"] for e in matches(second)] == full[at + 1 : at + 4]
    # Access unchanged: the clinician, the caregiver and another patient: 404.
    for who in (clinician, people["caregiver"], people["other"]):
        await bad(client, who, f"AuditEvent?patient={pid}", 404)
    await bad(client, patient, f"AuditEvent?patient={pid}&date=yesterday")
    await bad(client, patient, "AuditEvent?action=R")  # no patient
