"""Secure messages: a patient writes to the care team, a clinician answers from the triage inbox
(assign, handled), read receipts, notifications to the other side without health data in their
titles, the policy's 404s, and attachments checked by their bytes (413/415)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from careverse.messaging.models import Message, MessageAttachment, MessageThread
from tests.integration.messaging.support import EXE, JPEG, PDF, PNG, notices, reply, start, unread
from tests.integration.monitoring.alert_support import LONG_SESSIONS, team
from tests.integration.privacy.support import assign, audit_rows, delegate


@pytest.fixture
def settings_overrides() -> dict:
    return {**LONG_SESSIONS, "messaging_attachment_max_bytes": 4096}


async def rows(app, model) -> int:
    async with app.state.runtime.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def inbox(client, who, **params) -> list[dict]:
    response = await client.get("/api/messages/threads", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()["threads"]


async def test_a_patient_writes_the_care_team_answers_and_both_see_receipts(app, client, person):
    t = await team(client, person, patient_name="Amara Okafor")
    colleague = await person("clinician")
    await assign(client, t.admin, colleague, t.patient)

    made = await start(client, t.patient, body="My ankle is swollen again")
    assert made.status_code == 201, made.text
    thread = made.json()
    assert thread["subject"] == "Question about my tablets" and len(thread["messages"]) == 1
    assert thread["messages"][0]["side"] == "patient"
    assert thread["messages"][0]["read_by_other_side_at"] is None

    # The whole care team is told; the title says nothing of what was written.
    for clinician in (t.clinician, colleague):
        notes = await notices(client, clinician)
        assert [n["kind"] for n in notes] == ["message.received"]
        assert notes[0]["title"] == "New message from a patient"
        assert notes[0]["link"] == f"/inbox?thread={thread['id']}"
        assert notes[0]["patient_id"] == str(t.patient.patient_id)
        assert await unread(client, clinician) == 1

    # The triage inbox: unassigned, unread; the clinician takes it and reads it.
    waiting = await inbox(client, t.clinician, triage="unassigned")
    assert [w["id"] for w in waiting] == [thread["id"]] and waiting[0]["unread"] is True
    assert waiting[0]["patient_name"] == "Amara Okafor"
    taken = await client.put(
        f"/api/messages/threads/{thread['id']}/assignee",
        json={"clinician_id": str(t.clinician.id)},
        headers=t.clinician.headers,
    )
    assert taken.status_code == 200 and taken.json()["assigned_name"]
    assert await inbox(client, t.clinician, triage="unassigned") == []
    assert [w["id"] for w in await inbox(client, t.clinician, triage="mine")] == [thread["id"]]
    assert await inbox(client, colleague, triage="mine") == []
    read = await client.post(
        f"/api/messages/threads/{thread['id']}/read", headers=t.clinician.headers
    )
    assert read.status_code == 204

    # The patient sees the receipt; the clinician answers; the patient is told.
    seen = (
        await client.get(f"/api/messages/threads/{thread['id']}", headers=t.patient.headers)
    ).json()
    assert seen["messages"][0]["read_by_other_side_at"] is not None
    assert any(r["side"] == "care_team" for r in seen["reads"])
    answered = await reply(client, t.clinician, thread["id"], "Keep it raised; call if worse.")
    assert answered.status_code == 201, answered.text
    assert [m["side"] for m in answered.json()["messages"]] == ["patient", "care_team"]
    mine = await notices(client, t.patient)
    assert [n["title"] for n in mine] == ["New message from your care team"]
    assert mine[0]["link"] == f"/messages?thread={thread['id']}"
    assert (await inbox(client, t.patient))[0]["unread"] is True

    # Handled: out of the open list until the patient writes again, then only the assignee
    # is told (the colleague's inbox stays as it was).
    done = await client.put(
        f"/api/messages/threads/{thread['id']}/handled",
        json={"handled": True},
        headers=t.clinician.headers,
    )
    assert done.status_code == 200 and done.json()["handled"] is True
    assert await inbox(client, t.clinician, handled=False) == []
    assert (await reply(client, t.patient, thread["id"], "Thank you")).status_code == 201
    assert [w["id"] for w in await inbox(client, t.clinician, handled=False)] == [thread["id"]]
    assert len(await notices(client, t.clinician)) == 2
    assert len(await notices(client, colleague)) == 1
    assert len(await audit_rows(app, action="message.send")) == 3
    assert len(await audit_rows(app, action="message.assign")) == 1


async def test_what_the_caller_may_not_see_answers_404(app, client, person):
    t = await team(client, person)
    stranger_patient, stranger_clinician = await person("patient"), await person("clinician")
    caregiver, reader, writer = (
        await person("caregiver"), await person("caregiver"), await person("caregiver"),
    )  # fmt: skip
    await delegate(client, t.patient, caregiver, ["appointments:read"])
    await delegate(client, t.patient, reader, ["messages:read"])
    await delegate(client, t.patient, writer, ["messages:write"])
    thread = (await start(client, t.patient, file=("scan.png", PNG, "image/png"))).json()
    url = f"/api/messages/threads/{thread['id']}"
    attachment = thread["messages"][0]["attachments"][0]["url"]

    for outsider in (stranger_patient, stranger_clinician, caregiver):
        assert (await client.get(url, headers=outsider.headers)).status_code == 404
        assert (await client.get(attachment, headers=outsider.headers)).status_code == 404
        assert (await reply(client, outsider, thread["id"], "hi")).status_code == 404
        assert await inbox(client, outsider) == []
        listed = await client.get(
            "/api/messages/threads",
            params={"patient": str(t.patient.patient_id)},
            headers=outsider.headers,
        )
        assert listed.status_code == 404
    missing = await client.get(f"/api/messages/threads/{uuid.uuid4()}", headers=t.patient.headers)
    assert missing.status_code == 404
    assert len(await audit_rows(app, action="messages.read", outcome="denied")) >= 6

    # A caregiver reads with messages:read, writes only with messages:write.
    assert (await client.get(url, headers=reader.headers)).status_code == 200
    refused = await reply(client, reader, thread["id"], "hello")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden_write"
    # The care team answers: the patient reads "your care team", a caregiver of someone else.
    assert (await reply(client, t.clinician, thread["id"], "Noted")).status_code == 201
    assert (await notices(client, t.patient))[0]["title"] == "New message from your care team"
    assert (await notices(client, reader))[0]["title"] == "New message about someone you support"
    assert (await reply(client, writer, thread["id"], "Her daughter here")).status_code == 201
    on_behalf = await start(client, writer, patient_id=t.patient.patient_id)
    assert on_behalf.status_code == 201, on_behalf.text
    # Only clinicians triage, and only to a clinician of the patient's care team.
    by_patient = await client.put(
        f"{url}/assignee", json={"clinician_id": str(t.clinician.id)}, headers=t.patient.headers
    )
    assert by_patient.status_code == 403
    outside = await client.put(
        f"{url}/assignee",
        json={"clinician_id": str(stranger_clinician.id)},
        headers=t.clinician.headers,
    )
    assert outside.status_code == 422
    assert outside.json()["detail"][0]["loc"] == ["body", "clinician_id"]


async def test_attachments_are_checked_by_their_bytes_and_size(app, client, person):
    t = await team(client, person)
    thread = (await start(client, t.patient, file=("letter.pdf", PDF, "application/pdf"))).json()
    for name, content, claimed in (("photo.jpg", JPEG, "image/jpeg"), ("x.png", PNG, "text/plain")):
        sent = await reply(client, t.clinician, thread["id"], "See this", (name, content, claimed))
        assert sent.status_code == 201, sent.text
    files = [a for m in sent.json()["messages"] for a in m["attachments"]]
    assert [f["content_type"] for f in files] == ["application/pdf", "image/jpeg", "image/png"]
    got = await client.get(files[0]["url"], headers=t.patient.headers)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == 'attachment; filename="letter.pdf"'
    assert len(await audit_rows(app, action="messages.read")) >= 1

    before = (await rows(app, Message), await rows(app, MessageAttachment))
    disguised = await reply(
        client, t.patient, thread["id"], "x", ("report.pdf", EXE, "application/pdf")
    )
    assert disguised.status_code == 415
    assert "PDF, PNG and JPEG" in disguised.json()["detail"]
    large = await reply(
        client, t.patient, thread["id"], "x", ("big.pdf", PDF + b"0" * 5000, "application/pdf")
    )
    assert large.status_code == 413
    empty = await reply(client, t.patient, thread["id"], "x", ("e.pdf", b"", "application/pdf"))
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "file"]
    blank = await reply(client, t.patient, thread["id"], "   ")
    assert blank.status_code == 422 and blank.json()["detail"][0]["loc"] == ["body", "body"]
    no_subject = await start(client, t.patient, subject="")
    assert no_subject.status_code == 422
    assert (await rows(app, Message), await rows(app, MessageAttachment)) == before
    threads = await rows(app, MessageThread)
    assert threads == 1


async def test_a_patient_with_no_care_team_is_told_so(client, person):
    patient = await person("patient")
    refused = await start(client, patient)
    assert refused.status_code == 409 and refused.json()["code"] == "no_care_team"
