"""PatientRecord's paging over sections: every resource exactly once, in order, whatever the page
size; _type skips sections (they are not even called); a foreign cursor is refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from careverse.kernel.actor import Actor, Role
from careverse.kernel.fhir import BadCursor, PatientRecord, RecordQuery, encode_cursor

ACTOR = Actor(uuid.uuid4(), Role.PATIENT)
PATIENT = uuid.uuid4()
called: list[str] = []


def res(kind: str, n: int, updated: str | None = None) -> dict:
    out: dict = {"resourceType": kind, "id": str(n)}
    if updated:
        out["meta"] = {"lastUpdated": updated}
    return out


async def people(session, actor, patient_id):  # the old, three-argument kind of section
    called.append("people")
    return [res("Patient", 0), res("RelatedPerson", 1, "2026-01-01T00:00:00Z")]


async def notes(session, actor, patient_id, query):
    called.append("notes")
    return [res("Flag", n, f"2026-0{n % 9 + 1}-01T00:00:00Z") for n in range(5)]


async def many(session, actor, patient_id, query, after, limit):
    called.append("many")
    start = int(after or 0)
    end = min(start + limit, 23)
    return [res("Observation", n) for n in range(start, end)], (str(end) if end < 23 else None)


def record() -> PatientRecord:
    out = PatientRecord()
    out.add("people", people, types=["Patient", "RelatedPerson"])
    out.add("many", many, types=["Observation"], paged=True)
    out.add("notes", notes, types=["Flag"])
    return out


@pytest.mark.parametrize("count", [1, 2, 3, 7, 22, 30, 10_000])
async def test_pages_hold_every_resource_once_in_order(count):
    whole = await record().resources(None, ACTOR, PATIENT)  # type: ignore[arg-type]
    assert len(whole) == 2 + 23 + 5
    seen, cursor = [], None
    while True:
        page, cursor = await record().page(None, ACTOR, PATIENT, cursor=cursor, count=count)  # type: ignore[arg-type]
        assert 0 < len(page) <= count
        seen += page
        if cursor is None:
            break
    assert seen == whole


async def test_type_skips_sections_and_since_keeps_changed_or_unknown():
    called.clear()
    only = RecordQuery(types=frozenset({"Flag"}))
    found = await record().resources(None, ACTOR, PATIENT, only)  # type: ignore[arg-type]
    assert {r["resourceType"] for r in found} == {"Flag"} and called == ["notes"]
    since = RecordQuery(since=datetime(2026, 3, 1, tzinfo=UTC))
    found = await record().resources(None, ACTOR, PATIENT, since)  # type: ignore[arg-type]
    kinds = [r["resourceType"] for r in found]
    assert kinds.count("Flag") == 3  # March to May; January and February are older
    assert "RelatedPerson" not in kinds and "Patient" in kinds  # no change time: kept


async def test_a_cursor_that_is_not_ours_is_refused():
    for bad in ("nope", encode_cursor("elsewhere", None), "W1sxXV0"):
        with pytest.raises(BadCursor):
            await record().page(None, ACTOR, PATIENT, cursor=bad)  # type: ignore[arg-type]
