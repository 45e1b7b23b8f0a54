"""The debrief as a PDF: for the run's trainees and instructor only (404 for anyone else),
audited, with the scenario, the scores, the actions and the notes in its text (both DBs)."""

from __future__ import annotations

import re
import uuid
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from careverse.kernel.audit import AuditEvent
from careverse.training.events import LabRunEnded
from careverse.training.lab import LiveRun
from careverse.training.service import record_run


def pdf_text(data: bytes) -> str:
    """The text drawn on the pages: every content stream inflated, its literal strings joined."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            body = zlib.decompress(stream)
        except zlib.error:
            body = stream
        out += [m.decode("latin-1") for m in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", body)]
    return "\n".join(out)


async def a_run(app, instructor, trainees) -> uuid.UUID:
    """A real run of the anaphylaxis scenario (engine, scoring) ended and stored."""
    live = LiveRun("anaphylaxis", seed=3)
    one, two = (str(t.id) for t in trainees)
    live.advance(30)
    live.act("adrenaline", {"dose_mg": 0.5, "route": "im"}, one)
    live.advance(20)
    live.act("oxygen", {"flow_l_min": 15}, two)
    live.advance(40)
    result = live.finish("stopped")
    now = datetime.now(UTC)
    event = LabRunEnded(
        run_id=uuid.uuid4(), space_id=uuid.uuid4(), scenario="anaphylaxis",
        title=live.scenario.title, seed=3, instructor_id=instructor.id,
        instructor_name="Dr Ada Tutor", trainees={one: "Trainee One", two: "Trainee Two"},
        started_at=now - timedelta(minutes=3), ended_at=now, outcome=result["outcome"],
        score=result["score"], individual=result["individual"], log=live.log,
        timeline=live.timeline,
    )  # fmt: skip
    async with app.state.runtime.db.session() as session:
        run = await record_run(session, event)
        await session.commit()
        return run.id


async def test_debrief_pdf_for_its_people_only(app, client, signed_in):
    teacher, teacher_h = await signed_in("clinician", name="Dr Ada Tutor")
    one, one_h = await signed_in("patient", name="Trainee One")
    two, two_h = await signed_in("patient", name="Trainee Two")
    _, stranger_h = await signed_in("patient", name="Someone Else")
    _, colleague_h = await signed_in("clinician", name="Dr Other")
    run_id = await a_run(app, teacher, (one, two))
    notes = {"summary": "Adrenaline early, well done."}
    r = await client.put(f"/api/training/runs/{run_id}/notes", json=notes, headers=teacher_h)
    assert r.status_code == 200

    r = await client.get(f"/api/training/runs/{run_id}/debrief.pdf", headers=one_h)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"%PDF")
    text = pdf_text(r.content)
    title = (await client.get(f"/api/training/runs/{run_id}", headers=one_h)).json()["title"]
    assert title in text
    assert "Team score" in text and "Adrenaline early, well done." in text
    assert "adrenaline" in text and "Vitals timeline" in text
    # A trainee's copy has their own individual score, not the other's; the instructor's, all.
    assert "Individual score: Trainee One" in text
    assert "Individual score: Trainee Two" not in text
    teacher_text = pdf_text(
        (await client.get(f"/api/training/runs/{run_id}/debrief.pdf", headers=teacher_h)).content
    )
    assert "Individual score: Trainee One" in teacher_text
    assert "Individual score: Trainee Two" in teacher_text

    # Anyone else: not found (never forbidden), and an unknown run too.
    for outsider in (stranger_h, colleague_h):
        r = await client.get(f"/api/training/runs/{run_id}/debrief.pdf", headers=outsider)
        assert r.status_code == 404
    r = await client.get(f"/api/training/runs/{uuid.uuid4()}/debrief.pdf", headers=two_h)
    assert r.status_code == 404
    assert (await client.get(f"/api/training/runs/{run_id}/debrief.pdf")).status_code == 401

    async with app.state.runtime.db.session() as session:
        exports = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "training.run.export")
            )
        )
    assert {e.actor_id for e in exports} >= {one.id, teacher.id}
