"""The moderation queue and its actions, flags with auto-hide, escalating penalties, appeals,
watched words and the moderator's own log: each with a reason, audited; bad input is a 4xx."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.community.moderation_support import post, queue, room
from tests.integration.community.support import read, reply
from tests.integration.privacy.support import audit_rows

API = "/api/community"


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 30 * 24 * 3600}


async def _act(client, who, post_id: str, action: str, expect: int = 200, **body) -> dict:
    answer = await client.post(f"{API}/posts/{post_id}/moderation/{action}", json=body,
                               headers=who.headers)  # fmt: skip
    assert answer.status_code == expect, answer.text
    return answer.json()


async def _rule(client, who, slug, word, action, replacement="", expect=201) -> dict:
    params = {"community": slug} if slug else {}
    answer = await client.post(f"{API}/moderation/rules", params=params,
                               json={"word": word, "action": action, "replacement": replacement},
                               headers=who.headers)  # fmt: skip
    assert answer.status_code == expect, answer.text
    return answer.json()


async def test_watched_words_block_censor_and_require_approval(app, client, person):
    r = await room(client, person)
    await _rule(client, r.moderator, r.slug, "miracle cure", "block")
    await _rule(client, r.moderator, r.slug, "darn", "censor")
    await _rule(client, r.moderator, r.slug, "supplement*", "require_approval")
    blocked = await client.post(
        f"{API}/communities/{r.slug}/threads",
        json={"title": "Look", "body": "A miracle cure for you", "identity": "pseudonym"},
        headers=r.member.headers,
    )
    assert blocked.status_code == 422 and "miracle cure" in blocked.text and "body" in blocked.text
    threads = await client.get(f"{API}/communities/{r.slug}/threads", headers=r.member.headers)
    assert threads.json()["threads"] == []  # nothing stored
    censored = await post(client, r.member, r.slug, "What a darn day")
    assert censored["post"]["state"] == "published" and "darn" not in censored["post"]["html"]
    held = await post(client, r.member, r.slug, "Try this supplement, it helps")
    assert held["post"]["state"] == "held" and held["concern"] is None
    (item,) = await queue(client, r.moderator)
    assert item["reasons"] == ["watched-word:require_approval:supplement*"]
    await _act(client, r.moderator, item["post_id"], "approve", reason="Fine, it is a vitamin")
    assert (await read(client, r.other, held["thread"]["id"]))["posts"][0]["state"] == "published"


async def test_bad_rules_and_bad_actions_answer_4xx_naming_the_field(app, client, person):
    r = await room(client, person)
    bad = await _rule(client, r.moderator, r.slug, "word", "link", "javascript:x", expect=422)
    assert "replacement" in str(bad)
    await _rule(client, r.member, r.slug, "word", "block", expect=403)  # not staff
    await _rule(client, r.moderator, None, "word", "block", expect=403)  # site-wide: site staff
    answered = await post(client, r.member, r.slug, "Hello all")
    pid = answered["post"]["id"]
    no_reason = await _act(client, r.moderator, pid, "hide", expect=422, reason="")
    assert "reason" in str(no_reason)
    await _act(client, r.moderator, pid, "penalty", expect=422, kind="ban", reason="x")
    await _act(client, r.moderator, pid, "penalty", expect=422, kind="silence", reason="x", days=0)
    await _act(client, r.moderator, str(uuid.uuid4()), "hide", expect=404, reason="spam")
    await _act(client, r.other, pid, "hide", expect=403, reason="I don't like it")
    flag = await client.post(f"{API}/posts/{pid}/flags", json={"reason": "rude"},
                             headers=r.other.headers)  # fmt: skip
    assert flag.status_code == 422 and "reason" in flag.text


async def test_flags_put_a_post_in_the_queue_and_enough_trusted_flags_hide_it(app, client, person):
    r = await room(client, person)
    answered = await post(client, r.member, r.slug, "Buy followers at my shop")
    pid = answered["post"]["id"]
    policy = await client.put(f"{API}/communities/{r.community_id}/moderation/policy",
                              json={"flags_to_hide": 2, "flag_min_trust": 0},
                              headers=r.moderator.headers)  # fmt: skip
    assert policy.status_code == 200
    first = await client.post(f"{API}/posts/{pid}/flags", json={"reason": "spam", "note": "ad"},
                              headers=r.other.headers)  # fmt: skip
    assert first.status_code == 201 and first.json()["state"] == "published"
    again = await client.post(f"{API}/posts/{pid}/flags", json={"reason": "spam"},
                              headers=r.other.headers)  # fmt: skip
    assert again.status_code == 409
    own = await client.post(f"{API}/posts/{pid}/flags", json={"reason": "spam"},
                            headers=r.member.headers)  # fmt: skip
    assert own.status_code == 409
    (item,) = await queue(client, r.moderator)
    assert [f["reason"] for f in item["flags"]] == ["spam"] and item["flags"][0]["note"] == "ad"
    third = await person()
    from tests.integration.community.support import join

    await join(client, third, r.slug)
    hidden = await client.post(f"{API}/posts/{pid}/flags", json={"reason": "spam"},
                               headers=third.headers)  # fmt: skip
    assert hidden.json()["state"] == "hidden"
    page = await read(client, r.other, answered["thread"]["id"])
    assert all(p["id"] != pid for p in page["posts"] if p["state"] == "published")
    assert await audit_rows(app, action="community.moderation.auto_hide")


async def test_queue_items_carry_the_threads_context(app, client, person):
    r = await room(client, person)
    opened = await post(client, r.other, r.slug, "How do you cope with night shifts?")
    await reply(client, r.member, opened["thread"]["id"], body="Honestly, nothing works for me.")
    held = await reply(client, r.member, opened["thread"]["id"], body="you are a fucking moron")
    assert held["post"]["state"] == "held"
    (item,) = await queue(client, r.moderator)
    assert [c["seq"] for c in item["thread"]["context"]] == [1, 2]
    assert item["thread"]["context"][0]["excerpt"].startswith("How do you cope")
    assert "abuse:score-high" in item["reasons"] and item["author"]
    assert str(r.member.id) not in str(item)  # the account behind a pseudonym is never shown
    await queue(client, r.other, expect=403)


async def test_hide_edit_with_a_visible_note_and_the_moderators_own_log(app, client, person):
    r = await room(client, person)
    answered = await post(client, r.member, r.slug, "Call Dr Who on 07700 900123 for pills")
    pid = answered["post"]["id"]
    edited = await _act(client, r.moderator, pid, "edit", body="Ask your GP about pills",
                        note="phone number removed", reason="Personal details")  # fmt: skip
    assert edited["state"] == "published"
    page = await read(client, r.other, answered["thread"]["id"])
    html = page["posts"][0]["html"]
    assert "07700" not in html and "Edited by a moderator: phone number removed" in html
    await _act(client, r.moderator, pid, "hide", reason="Off topic")
    await _act(client, r.moderator, pid, "hide", expect=409, reason="again")
    log = (await client.get(f"{API}/moderation/my-actions", headers=r.moderator.headers)).json()
    assert [a["action"] for a in log["actions"]] == ["hide", "edit"]
    assert log["actions"][1]["note"] == "phone number removed"
    assert (await client.get(f"{API}/moderation/my-actions", headers=r.other.headers)).json()[
        "actions"] == []  # fmt: skip
    for action in ("edit", "hide"):
        assert await audit_rows(app, action=f"community.moderation.{action}", resource_id=pid)


async def test_penalties_escalate_silence_blocks_posting_and_appeals_lift_them(
    app, client, person, fake_clock
):
    r = await room(client, person)
    second_mod = r.admin
    answered = await post(client, r.member, r.slug, "You are all idiots")
    pid = answered["post"]["id"]
    steps = []
    for _ in range(3):
        fake_clock.advance(seconds=1)
        steps.append(await _act(client, r.moderator, pid, "penalty", expect=201,
                                kind="escalate", reason="Repeated insults"))  # fmt: skip
    assert [(s["kind"], s["step"]) for s in steps] == [("warn", 0), ("silence", 1), ("silence", 2)]
    assert steps[0]["until"] is None and steps[1]["until"] and steps[2]["until"]
    silenced = await client.post(f"{API}/threads/{answered['thread']['id']}/posts",
                                 json={"body": "Sorry"}, headers=r.member.headers)  # fmt: skip
    assert silenced.status_code == 403 and "silenced" in silenced.text

    mine = (await client.get(f"{API}/moderation/about-me", headers=r.member.headers)).json()
    assert [a["action"] for a in mine["actions"]] == ["silence", "silence", "warn"]
    latest, earlier = mine["actions"][0], mine["actions"][1]
    appeal = {"text": "I apologised in private"}
    ok = await client.post(f"{API}/moderation/actions/{latest['id']}/appeal", json=appeal,
                           headers=r.member.headers)  # fmt: skip
    assert ok.status_code == 201
    dup = await client.post(f"{API}/moderation/actions/{latest['id']}/appeal",
                            json={"text": "again"}, headers=r.member.headers)  # fmt: skip
    assert dup.status_code == 409
    not_mine = await client.post(f"{API}/moderation/actions/{latest['id']}/appeal",
                                 json={"text": "x"}, headers=r.other.headers)  # fmt: skip
    assert not_mine.status_code == 404
    (open_appeal,) = (await client.get(f"{API}/moderation/appeals",
                                       headers=r.moderator.headers)).json()["appeals"]  # fmt: skip
    own = await client.post(f"{API}/moderation/appeals/{open_appeal['id']}/decision",
                            json={"outcome": "overturned", "reason": "ok"},
                            headers=r.moderator.headers)  # fmt: skip
    assert own.status_code == 403  # another moderator decides
    decided = await client.post(f"{API}/moderation/appeals/{open_appeal['id']}/decision",
                                json={"outcome": "overturned", "reason": "Apology accepted"},
                                headers=second_mod.headers)  # fmt: skip
    assert decided.status_code == 200 and decided.json()["status"] == "overturned"
    still = await client.post(f"{API}/threads/{answered['thread']['id']}/posts",
                              json={"body": "Sorry"}, headers=r.member.headers)  # fmt: skip
    assert still.status_code == 403  # the earlier silence is still in force
    fake_clock.advance(days=8)  # both silences over (1 and 7 days)
    assert earlier["until"]
    sorry = {"body": "Sorry, everyone"}
    after = await client.post(f"{API}/threads/{answered['thread']['id']}/posts", json=sorry,
                              headers=r.member.headers)  # fmt: skip
    assert after.status_code == 201, after.text
    assert await audit_rows(app, action="community.appeal.decide")


async def test_a_moderator_warns_without_learning_who_the_member_is(app, client, person):
    r = await room(client, person)
    answered = await post(client, r.member, r.slug, "Rude words here")
    warned = await _act(client, r.moderator, answered["post"]["id"], "penalty", expect=201,
                        kind="warn", reason="Be kind")  # fmt: skip
    assert set(warned) == {"action_id", "kind", "step", "until"}
    log = (await client.get(f"{API}/moderation/my-actions", headers=r.moderator.headers)).text
    assert str(r.member.id) not in log and r.member.name not in log


async def test_a_professional_community_holds_identifiable_patient_details(app, client, person):
    admin = await person("admin")
    doctor, nurse = await person("clinician"), await person("clinician")
    from tests.integration.community.support import community, join

    made = await community(client, admin, kind="professional")
    await join(client, doctor, made["slug"])
    await join(client, nurse, made["slug"])
    held = await post(client, doctor, made["slug"], "Mrs Jane Doe, DOB 12/03/1950: falls again")
    assert held["post"]["state"] == "held" and held["concern"] is None
    fine = await post(client, nurse, made["slug"], "A woman in her seventies with recurrent falls")
    assert fine["post"]["state"] == "published"
    (item,) = await queue(client, admin)
    assert item["reasons"] == ["patient-details:name", "patient-details:date-of-birth"]
