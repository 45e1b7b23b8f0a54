"""Care programmes: create, change, delete; enrolment rules; who sees what (a clinician outside
the programme, a caregiver, the patient); audit, events and the patient's notice; bad input."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from careverse.kernel import clock
from tests.integration.privacy.support import assign, audit_rows, delegate

BASE = "/api/care/programmes"


@pytest.fixture
async def team(client, person):
    """An admin, two lead clinicians, an outsider clinician, two patients of lead A (one also
    of lead B), a patient of nobody, and a caregiver of patient 1."""
    admin = await person("admin")
    lead_a = await person("clinician", name="Dr. Ada Lead")
    lead_b = await person("clinician", name="Dr. Bea Lead")
    outsider = await person("clinician", name="Dr. Out Side")
    p1 = await person("patient", name="Pat One")
    p2 = await person("patient", name="Pat Two")
    lonely = await person("patient", name="Pat Alone")
    caregiver = await person("caregiver")
    await assign(client, admin, lead_a, p1)
    await assign(client, admin, lead_a, p2)
    await assign(client, admin, lead_b, p2)
    await delegate(client, p1, caregiver, ["record:read", "vitals:read"])
    return {"admin": admin, "a": lead_a, "b": lead_b, "out": outsider, "p1": p1, "p2": p2,
            "lonely": lonely, "caregiver": caregiver}  # fmt: skip


async def create(client, who, name="Heart failure remote monitoring", **body) -> dict:
    r = await client.post(BASE, json={"name": name, "description": "Daily weights", **body},
                          headers=who.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


async def enrol(client, who, programme: dict, patient, status=201, **body):
    r = await client.post(
        f"{BASE}/{programme['id']}/enrolments",
        json={"patient_id": str(patient.patient_id), **body}, headers=who.headers,
    )  # fmt: skip
    assert r.status_code == status, r.text
    return r.json()


async def test_a_clinician_creates_a_programme_and_leads_it(app, client, team):
    a, b = team["a"], team["b"]
    made = await create(client, a, lead_ids=[str(b.id)])
    assert made["name"] == "Heart failure remote monitoring" and made["is_lead"] is True
    assert [lead["id"] for lead in made["leads"]] == [str(a.id), str(b.id)]
    assert made["enrolled"] == 0
    # Every clinician sees the list; a patient or a caregiver does not.
    listed = (await client.get(BASE, headers=team["out"].headers)).json()
    assert [p["name"] for p in listed] == [made["name"]] and listed[0]["is_lead"] is False
    for who in (team["p1"], team["caregiver"]):
        assert (await client.get(BASE, headers=who.headers)).status_code == 403
        r = await client.post(BASE, json={"name": "X"}, headers=who.headers)
        assert r.status_code == 403
    # Names are unique, whatever their case.
    r = await client.post(BASE, json={"name": made["name"].upper()}, headers=b.headers)
    assert r.status_code == 409
    rows = await audit_rows(app, action="care.programme.create")
    assert len(rows) == 1 and rows[0].actor_id == a.id


async def test_an_admin_names_the_leads_and_leads_change_or_delete_it(client, team):
    admin, a, out = team["admin"], team["a"], team["out"]
    r = await client.post(BASE, json={"name": "Post-COVID rehabilitation"}, headers=admin.headers)
    assert r.status_code == 422  # an admin must name a lead
    made = await create(client, admin, "Post-COVID rehabilitation", lead_ids=[str(a.id)])
    assert [lead["id"] for lead in made["leads"]] == [str(a.id)]
    url = f"{BASE}/{made['id']}"
    r = await client.patch(url, json={"description": "Breathing"}, headers=out.headers)
    assert r.status_code == 403  # not a lead
    r = await client.patch(url, json={"description": "Breathing", "lead_ids": [str(a.id),
                           str(out.id)]}, headers=a.headers)  # fmt: skip
    assert r.status_code == 200 and r.json()["description"] == "Breathing"
    assert len(r.json()["leads"]) == 2
    r = await client.patch(url, json={"lead_ids": []}, headers=a.headers)
    assert r.status_code == 422
    await create(client, a, "Taken")
    r = await client.patch(url, json={"name": "taken"}, headers=a.headers)
    assert r.status_code == 409
    r = await client.patch(url, json={"lead_ids": [str(team["p1"].id)]}, headers=a.headers)
    assert r.status_code == 422  # a lead is a clinician
    await enrol(client, a, made, team["p1"])
    assert (await client.delete(url, headers=a.headers)).status_code == 409  # someone enrolled
    r = await client.delete(f"{url}/enrolments/{team['p1'].patient_id}", headers=a.headers)
    assert r.status_code == 204
    assert (await client.delete(url, headers=out.headers)).status_code == 204  # now a lead
    assert (await client.get(url, headers=a.headers)).status_code == 404


async def test_enrolment_needs_a_care_relationship_and_leads_see_only_whom_they_may(
    app, client, team
):
    a, b, out = team["a"], team["b"], team["out"]
    programme = await create(client, a, lead_ids=[str(b.id)])
    member = await enrol(client, a, programme, team["p1"])
    assert member["name"] == "Pat One" and member["enrolled_by"] == "Dr. Ada Lead"
    await enrol(client, b, programme, team["p2"])  # B cares for patient 2
    # Not a patient one cares for: 404 whatever the programme (no probing who exists).
    await enrol(client, out, programme, team["p1"], status=404)
    await enrol(client, a, programme, team["lonely"], status=404)
    await enrol(client, a, programme, team["p1"], status=409)  # already in
    url = f"{BASE}/{programme['id']}"
    seen_a = (await client.get(url, headers=a.headers)).json()
    assert {m["name"] for m in seen_a["members"]} == {"Pat One", "Pat Two"}
    seen_b = (await client.get(url, headers=b.headers)).json()
    assert [m["name"] for m in seen_b["members"]] == ["Pat Two"]
    assert seen_b["hidden_members"] == 1 and seen_b["enrolled"] == 2
    seen_out = (await client.get(url, headers=out.headers)).json()
    assert seen_out["members"] is None and seen_out["enrolled"] == 2
    # The outsider cannot end an enrolment of a patient they do not care for.
    r = await client.delete(f"{url}/enrolments/{team['p1'].patient_id}", headers=out.headers)
    assert r.status_code == 404
    rows = await audit_rows(app, action="care.programme.enrol")
    assert {r.patient_id for r in rows} == {team["p1"].patient_id, team["p2"].patient_id}
    lists = await audit_rows(app, action="record.list", resource_type="Group")
    assert lists and str(team["p2"].patient_id) in json.loads(lists[-1].detail or "{}")["shown"]


async def test_the_patient_sees_their_programmes_is_told_and_may_leave(app, client, team):
    a, p1 = team["a"], team["p1"]
    programme = await create(client, a)
    ends = (clock.now() + timedelta(days=90)).isoformat()
    await enrol(client, a, programme, p1, ends_at=ends)
    mine = (await client.get("/api/me/programmes", headers=p1.headers)).json()
    assert [(m["name"], m["active"]) for m in mine] == [(programme["name"], True)]
    assert mine[0]["ends_at"] is not None
    assert (await client.get("/api/me/programmes", headers=team["p2"].headers)).json() == []
    assert (await client.get("/api/me/programmes", headers=a.headers)).status_code == 403
    # A patient sees no programme's member list, and cannot end another patient's enrolment.
    assert (await client.get(f"{BASE}/{programme['id']}", headers=p1.headers)).status_code == 403
    other = f"{BASE}/{programme['id']}/enrolments/{team['p2'].patient_id}"
    assert (await client.delete(other, headers=p1.headers)).status_code == 404
    inbox = (await client.get("/api/me/notifications", headers=p1.headers)).json()
    items = inbox["items"] if isinstance(inbox, dict) else inbox
    assert any(n["title"] == "Your care programmes changed" for n in items)
    own = f"{BASE}/{programme['id']}/enrolments/{p1.patient_id}"
    assert (await client.delete(own, headers=p1.headers)).status_code == 204
    mine = (await client.get("/api/me/programmes", headers=p1.headers)).json()
    assert mine[0]["active"] is False and mine[0]["ended_at"] is not None
    assert (await client.delete(own, headers=p1.headers)).status_code == 404  # already ended
    # Enrolled again after leaving: a new enrolment.
    await enrol(client, a, programme, p1)
    assert len((await client.get("/api/me/programmes", headers=p1.headers)).json()) == 2


async def test_a_caregiver_sees_nothing_and_enrols_nobody(client, team):
    programme = await create(client, team["a"])
    cg = team["caregiver"]
    assert (await client.get(f"{BASE}/{programme['id']}", headers=cg.headers)).status_code == 403
    await enrol(client, cg, programme, team["p1"], status=403)
    assert (await client.get("/api/me/programmes", headers=cg.headers)).status_code == 403


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"name": "x" * 121}, {"name": "   "}, {"description": "no name"},
     {"name": "Ok", "lead_ids": ["not-a-uuid"]}, {"name": "Ok", "lead_ids": [str(uuid.uuid4())]},
     {"name": "Nul\x00byte"}, {"name": "Ok", "description": "nul\x00"}],
)  # fmt: skip
async def test_bad_programmes_answer_422(client, team, body):
    r = await client.post(BASE, json=body, headers=team["a"].headers)
    assert r.status_code == 422, r.text


async def test_bad_enrolments_answer_4xx(client, team):
    a = team["a"]
    programme = await create(client, a)
    url = f"{BASE}/{programme['id']}/enrolments"
    past = (clock.now() - timedelta(days=1)).isoformat()
    naive = (clock.now() + timedelta(days=1)).replace(tzinfo=None).isoformat()
    for body, status in [
        ({"patient_id": "nope"}, 422), ({}, 422),
        ({"patient_id": str(team["p1"].patient_id), "ends_at": past}, 422),
        ({"patient_id": str(team["p1"].patient_id), "ends_at": naive}, 422),
        ({"patient_id": str(uuid.uuid4())}, 404),
    ]:  # fmt: skip
        r = await client.post(url, json=body, headers=a.headers)
        assert r.status_code == status, (body, r.text)
    body = {"patient_id": str(team["p1"].patient_id)}
    r = await client.post(f"{BASE}/{uuid.uuid4()}/enrolments", json=body, headers=a.headers)
    assert r.status_code == 404
    assert (await client.get(f"{BASE}/not-an-id", headers=a.headers)).status_code == 422
    assert (await client.get(f"{BASE}/{uuid.uuid4()}", headers=a.headers)).status_code == 404


async def test_the_demo_has_two_programmes_with_its_patients(app, client):
    from careverse import demo

    for _ in range(2):  # repeatable
        async with app.state.runtime.db.session() as session:
            await demo.seed(session, app.state.runtime.settings)

    async def as_(local: str, url: str):
        await client.post("/api/auth/session", json={"email": f"{local}@{demo.DOMAIN}",
                                                     "password": demo.DEMO_PASSWORD})  # fmt: skip
        got = (await client.get(url)).json()
        client.cookies.clear()
        return got

    listed = await as_("dr.rivera", BASE)
    assert [p["name"] for p in listed] == [
        "Heart failure remote monitoring", "Post-COVID rehabilitation"]  # fmt: skip
    heart = await as_("dr.okafor", f"{BASE}/{listed[0]['id']}")
    assert [m["name"] for m in heart["members"]] == ["Lucía Fernández"]
    assert heart["enrolled"] == 2 and heart["hidden_members"] == 1
    mine = await as_("jonas", "/api/me/programmes")
    assert [m["name"] for m in mine] == ["Post-COVID rehabilitation"]


class TestErasure:
    @pytest.fixture
    def settings_overrides(self) -> dict:
        return {"erasure_grace_days": 0, "access_token_ttl_seconds": 7 * 24 * 3600}

    async def test_an_erased_patient_s_enrolments_and_an_erased_lead_go(self, app, client, team):
        from sqlalchemy import func, select

        from careverse.care.programme_models import ProgrammeEnrolment, ProgrammeLead
        from careverse.privacy.service import PrivacyService

        a, b, p1, p2 = team["a"], team["b"], team["p1"], team["p2"]
        programme = await create(client, a, lead_ids=[str(b.id)])
        await enrol(client, a, programme, p1)
        await enrol(client, a, programme, p2)
        for who in (p1, b):
            assert (await client.delete("/api/me", headers=who.headers)).status_code == 202
        async with app.state.runtime.db.session() as session:
            assert await PrivacyService(session, app.state.runtime.settings).erase_due() == 2
        async with app.state.runtime.db.session() as session:
            left = (await session.scalars(select(ProgrammeEnrolment.patient_id))).all()
            leads = (await session.scalars(select(ProgrammeLead.clinician_id))).all()
            assert list(left) == [p2.patient_id]  # patient 2's enrolment stays
            assert list(leads) == [a.id]
            assert await session.scalar(select(func.count()).select_from(ProgrammeEnrolment)) == 1
