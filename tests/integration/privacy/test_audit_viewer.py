"""The operator's audit viewer: filters, pages, chain verification; admins only, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from careverse.kernel import clock
from careverse.kernel.audit import AuditEvent
from tests.integration.privacy.support import audit_rows


async def test_an_admin_finds_a_deactivation_by_filters(client, person, app):
    admin, patient = await person("admin", name="Ada Admin"), await person("patient")
    done = await client.patch(
        f"/api/admin/accounts/{patient.id}", json={"is_active": False}, headers=admin.headers
    )
    assert done.status_code == 200
    found = await client.get(
        "/api/admin/audit",
        params={"actor_id": str(admin.id), "action": "account", "outcome": "success"},
        headers=admin.headers,
    )
    assert found.status_code == 200, found.text
    entries = found.json()["entries"]
    assert [e["action"] for e in entries] == ["account.deactivate"]
    entry = entries[0]
    assert entry["actor_name"] == "Ada Admin" and entry["actor_role"] == "admin"
    assert entry["patient_id"] == str(patient.patient_id)
    assert entry["resource_id"] == str(patient.id)
    by_patient = await client.get(
        "/api/admin/audit", params={"patient_id": str(patient.patient_id)}, headers=admin.headers
    )
    assert "account.deactivate" in [e["action"] for e in by_patient.json()["entries"]]
    # Each search is audited, naming the patient when it was about one.
    searches = await audit_rows(app, action="audit.search", actor_id=admin.id)
    assert [s.patient_id for s in searches] == [None, patient.patient_id]


async def test_pages_and_time_range(client, person, fake_clock):
    admin = await person("admin")
    for _ in range(5):
        await person("patient")  # each sign-in and account is audited
    first = await client.get("/api/admin/audit", params={"limit": 3}, headers=admin.headers)
    page = first.json()
    assert len(page["entries"]) == 3 and page["next_before_seq"] == page["entries"][-1]["seq"]
    seqs = [e["seq"] for e in page["entries"]]
    assert seqs == sorted(seqs, reverse=True)
    older = await client.get(
        "/api/admin/audit",
        params={"limit": 3, "before_seq": page["next_before_seq"]},
        headers=admin.headers,
    )
    assert all(e["seq"] < seqs[-1] for e in older.json()["entries"])
    future = (clock.now() + timedelta(hours=1)).isoformat()
    none = await client.get("/api/admin/audit", params={"since": future}, headers=admin.headers)
    assert none.json() == {"entries": [], "next_before_seq": None}


@pytest.mark.parametrize(
    "params",
    [
        {"outcome": "maybe"},
        {"since": "2026-11-30T06:00:00"},  # no time zone
        {"since": "yesterday"},
        {"since": "2026-11-30T08:00:00Z", "until": "2026-11-30T07:00:00Z"},
        {"limit": 0},
        {"limit": 201},
        {"before_seq": 0},
        {"action": "DROP TABLE"},
        {"actor_id": "not-a-uuid"},
    ],
)
async def test_bad_filters_are_a_clear_422(client, person, params):
    admin = await person("admin")
    response = await client.get("/api/admin/audit", params=params, headers=admin.headers)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("role", ["patient", "caregiver", "clinician", "moderator", "researcher"])
async def test_only_admins_read_the_trail_or_verify_it(client, person, role):
    someone = await person(role)
    assert (await client.get("/api/admin/audit", headers=someone.headers)).status_code == 403
    verify = await client.get("/api/admin/audit/verification", headers=someone.headers)
    assert verify.status_code == 403
    assert (await client.get("/api/admin/audit")).status_code == 401


async def test_verification_reports_a_tampered_row(client, person, app):
    admin = await person("admin")
    fine = await client.get("/api/admin/audit/verification", headers=admin.headers)
    assert fine.status_code == 200
    body = fine.json()
    assert body["ok"] is True and body["rows"] > 0 and body["first_bad_seq"] is None
    async with app.state.runtime.db.session() as session, session.begin():
        await session.execute(update(AuditEvent).where(AuditEvent.seq == 1).values(action="x"))
    bad = (await client.get("/api/admin/audit/verification", headers=admin.headers)).json()
    assert bad["ok"] is False and bad["first_bad_seq"] == 1 and bad["reason"]
    assert len(await audit_rows(app, action="audit.verify", actor_id=admin.id)) == 2
