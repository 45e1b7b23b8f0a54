"""Veiled crisis language and a sign spread over two sentences take the same crisis path as an
explicit post: held (never deleted), staff told why (the sign's id, never the post's words),
a deadline that escalates when nobody acknowledges it."""

from __future__ import annotations

import pytest

from careverse.community.moderation_events import describe
from careverse.community.moderation_review import escalate_crisis_cases
from tests.integration.community.moderation_support import notices, post, queue, room

VEILED = "I have the pills. Tonight is the night."
BURDEN = "I won't be a burden much longer."


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 7 * 24 * 3600}


@pytest.mark.parametrize(
    ("text", "reason"), [(VEILED, "window:means-time"), (BURDEN, "veiled:burden")]
)
async def test_a_veiled_post_is_held_staff_are_told_why_and_it_escalates(
    app, client, person, fake_clock, text, reason
):
    r = await room(client, person)
    seen = notices(app)
    answered = await post(client, r.member, r.slug, text)
    assert answered["post"]["state"] == "held"
    assert answered["concern"] and answered["concern"]["resources"]

    (item,) = await queue(client, r.moderator)
    assert f"crisis:{reason}" in item["reasons"]
    assert item["crisis"]["status"] == "open" and item["crisis"]["acknowledge_by"]
    told = [n for n in seen if n.kind == "community.crisis" and n.account_id == r.moderator.id]
    assert told and describe(reason) in told[0].body  # "veiled crisis language (burden)"
    assert "pills" not in told[0].body and "burden" not in told[0].title

    db, settings = app.state.runtime.db, app.state.runtime.settings
    fake_clock.advance(minutes=16)
    assert await escalate_crisis_cases(db, settings) == 1
    assert {n.account_id for n in seen if n.kind == "community.crisis.escalated"} >= {r.admin.id}
