"""The patient's access log folds repeated reads into one line, and keeps its old fields."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import login
from tests.integration.privacy.support import assign


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_nine_chart_reads_in_twelve_minutes_are_one_line(client, person, fake_clock):
    admin, clinician = await person("admin"), await person("clinician", name="Dr Rivera")
    patient = await person("patient")
    await assign(client, admin, clinician, patient)
    started = fake_clock.now
    for _ in range(9):
        read = await client.get(f"/api/patients/{patient.patient_id}", headers=clinician.headers)
        assert read.status_code == 200
        fake_clock.advance(minutes=1.5)
    log = (await client.get("/api/me/access-log", headers=patient.headers)).json()
    reads = [e for e in log if e["action"] == "record.read"]
    assert len(reads) == 1
    line = reads[0]
    assert line["count"] == 9 and line["actor_name"] == "Dr Rivera"
    assert abs((at(line["first"]) - started).total_seconds()) < 1
    assert (at(line["last"]) - at(line["first"])).total_seconds() == 8 * 90
    # The fields clients read before grouping are all still there; `at` is the latest read.
    assert line["at"] == line["last"]
    assert {"at", "actor_name", "actor_role", "action", "outcome", "purpose", "basis",
            "resource_type", "reason"} <= set(line)  # fmt: skip
    # A single entry is a group of one.
    assign_line = next(e for e in log if e["action"] == "care-relationship.create")
    assert assign_line["count"] == 1 and assign_line["first"] == assign_line["last"]


async def test_two_reads_31_minutes_apart_are_two_lines(client, person, fake_clock):
    admin, clinician, patient = await person("admin"), await person("clinician"), await person()
    await assign(client, admin, clinician, patient)
    url = f"/api/patients/{patient.patient_id}"
    assert (await client.get(url, headers=clinician.headers)).status_code == 200
    fake_clock.advance(minutes=31)
    headers = await login(client, clinician.email)  # an access token lives 15 minutes
    assert (await client.get(url, headers=headers)).status_code == 200
    fake_clock.advance(minutes=29)
    headers = await login(client, clinician.email)
    assert (await client.get(url, headers=headers)).status_code == 200
    mine = await login(client, patient.email)
    log = (await client.get("/api/me/access-log", headers=mine)).json()
    assert [e["count"] for e in log if e["action"] == "record.read"] == [2, 1]


async def test_other_people_and_refusals_break_a_run(client, person, fake_clock):
    admin, patient = await person("admin"), await person()
    first, second = await person("clinician"), await person("clinician")
    await assign(client, admin, first, patient)
    url = f"/api/patients/{patient.patient_id}"
    assert (await client.get(url, headers=first.headers)).status_code == 200
    assert (await client.get(url, headers=second.headers)).status_code == 404  # refused
    assert (await client.get(url, headers=first.headers)).status_code == 200
    log = (await client.get("/api/me/access-log", headers=patient.headers)).json()
    reads = [
        (e["actor_name"], e["outcome"], e["count"]) for e in log if e["action"] == "record.read"
    ]
    assert reads == [
        (first.name, "success", 1), (second.name, "denied", 1), (first.name, "success", 1)
    ]  # fmt: skip
