"""A crisis disclosure in a poem reaches a human exactly as a community post does: held (never
deleted, not even by its author's removal before a human has seen it), the writer answered with
the message of concern, the staff told with a deadline, the patient's care team alerted, and an
unacknowledged hold escalated."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from careverse.gallery.moderation import escalate_due
from careverse.kernel.config import DEFAULT_COMMUNITY_CONCERN
from tests.integration.community.moderation_support import notices, room
from tests.integration.gallery.support import decide, submit_text, works
from tests.integration.monitoring.alert_support import alerts
from tests.integration.privacy.support import assign, audit_rows


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 7 * 24 * 3600}  # the clock moves past the deadline


CRISIS_POEM = "The nights are long.\nI can't do this anymore. I'm going to kill myself tonight."


async def test_a_crisis_poem_is_held_alerted_with_a_deadline_and_kept(
    app, client, person, fake_clock
):
    r = await room(client, person)
    clinician = await person("clinician")
    await assign(client, r.admin, clinician, r.member)
    seen = notices(app)
    sent = await submit_text(client, r.member, r.slug, body=CRISIS_POEM)
    assert sent["work"]["status"] == "held"
    assert sent["concern"]["message"] == DEFAULT_COMMUNITY_CONCERN["en"].message
    # The care team's urgent alert, with its acknowledgement deadline; no words of the poem.
    (alert,) = await alerts(client, clinician, source="gallery")
    assert (alert["severity"], alert["status"]) == ("high", "open")
    assert alert["why"].startswith("Held gallery work: suicidal language")
    assert "tonight" not in alert["why"]
    opened = datetime.fromisoformat(alert["opened_at"])
    assert datetime.fromisoformat(alert["acknowledge_by"]) - opened == timedelta(minutes=15)
    # The community's staff and (no on-call configured) every admin are told, with the deadline.
    told = {n.account_id for n in seen if n.kind == "gallery.crisis"}
    assert r.moderator.id in told and r.admin.id in told and r.member.id not in told
    notice = next(n for n in seen if n.account_id == r.moderator.id)
    assert "Acknowledge by" in notice.body and "tonight" not in notice.body + notice.title
    # In the queue, first, with the deadline; never shown to other members.
    queue = (await client.get("/api/gallery/moderation/queue", headers=r.moderator.headers)).json()
    (item,) = queue["works"]
    assert item["crisis"]["acknowledge_by"] and not item["crisis"]["acknowledged"]
    assert "crisis:rule:suicide.intent" in item["reasons"]
    assert await works(client, r.other, r.slug) == []
    # The author removes it before anyone acknowledged: out of sight, its words kept for staff.
    gone = await client.delete(f"/api/gallery/works/{item['id']}", headers=r.member.headers)
    assert gone.status_code == 204
    queue = (await client.get("/api/gallery/moderation/queue", headers=r.moderator.headers)).json()
    assert queue["works"] == []  # removed: no longer waiting to be shown
    # Nobody acknowledged: past the deadline it escalates once to the whole on-call group.
    fake_clock.now = fake_clock.now + timedelta(minutes=16)
    assert await escalate_due(app.state.runtime.db, app.state.runtime.settings) == 1
    assert await escalate_due(app.state.runtime.db, app.state.runtime.settings) == 0
    assert {n.account_id for n in seen if n.kind == "gallery.crisis.escalated"} >= {r.admin.id}
    held = await audit_rows(app, action="gallery.crisis.hold")
    assert [row.resource_id for row in held] == [item["id"]]
    removed = await audit_rows(app, action="gallery.remove")
    assert removed[0].detail and "true" in removed[0].detail.lower()
    from careverse.gallery.models import GalleryWork

    async with app.state.runtime.db.session() as session:
        row = await session.get(GalleryWork, __import__("uuid").UUID(item["id"]))
        assert row is not None and "kill myself" in row.body and row.status == "removed"


async def test_acknowledging_stops_the_escalation_and_release_shows_it(app, client, person,
                                                                       fake_clock):  # fmt: skip
    r = await room(client, person)
    sent = await submit_text(client, r.member, r.slug, body=CRISIS_POEM)
    work_id = sent["work"]["id"]
    await decide(client, r.other, work_id, "acknowledge", expect=404)
    acknowledged = await decide(client, r.moderator, work_id, "acknowledge")
    assert acknowledged["crisis"]["acknowledged"] is True and acknowledged["status"] == "held"
    fake_clock.now = fake_clock.now + timedelta(minutes=16)
    assert await escalate_due(app.state.runtime.db, app.state.runtime.settings) == 0
    await decide(client, r.moderator, work_id, "approve", reason="Talked with them; it's a poem")
    assert [w["id"] for w in await works(client, r.other, r.slug)] == [work_id]
