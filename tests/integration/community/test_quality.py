"""Quality marks: verified clinicians mark a post reviewed or contradicting current evidence,
with an https source; one current mark, changed and removed with an audit row; shown to every
reader under the clinician's name, never with a pseudonym."""

from __future__ import annotations

import json

from tests.integration.community.support import community, join, read, topic
from tests.integration.privacy.support import audit_rows

API = "/api/community"
MARK = {
    "verdict": "reviewed",
    "source_url": "https://www.nice.org.uk/guidance/ng28",
    "source_title": "NICE NG28: type 2 diabetes in adults",
    "note": "Matches the current guideline.",
    "reason": "Checked against the guideline",
}


async def marks(client, who, thread_id: str, expect: int = 200) -> dict:
    answer = await client.get(f"{API}/threads/{thread_id}/quality-marks", headers=who.headers)
    assert answer.status_code == expect, answer.text
    return answer.json()


async def test_a_clinician_marks_changes_and_removes_a_mark_audited(app, client, person):
    admin, writer, reader = await person("admin"), await person(), await person("caregiver")
    clinician = await person("clinician", name="Dr Ada Marsh")
    c = await community(client, admin, kind="condition")
    for who in (writer, reader, clinician):
        await join(client, who, c["slug"])
    # the clinician also writes under their pseudonym here: marking must not link the two
    mine = await topic(client, clinician, c["slug"], title="A question", body="Anyone tried?")
    handle = mine["post"]["author"]["handle"]
    started = await topic(client, writer, c["slug"], body="Cinnamon cures diabetes, I read.")
    post_id, thread_id = started["post"]["id"], started["thread"]["id"]

    answer = await client.put(f"{API}/posts/{post_id}/quality-mark", json=MARK,
                              headers=clinician.headers)  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["clinician"] == "Dr Ada Marsh" and answer.json()["mine"] is True

    own = await client.put(f"{API}/posts/{mine['post']['id']}/quality-mark", json=MARK,
                           headers=clinician.headers)  # fmt: skip
    assert own.status_code == 409 and own.json()["code"] == "own_post"
    seen = await marks(client, reader, thread_id)
    assert seen["can_mark"] is False
    (mark,) = seen["marks"]
    assert mark["post_id"] == post_id and mark["verdict"] == "reviewed" and mark["mine"] is False
    assert mark["source_url"] == MARK["source_url"] and mark["source_title"] == MARK["source_title"]
    assert mark["clinician"] == "Dr Ada Marsh" and mark["note"] == MARK["note"]
    assert handle not in json.dumps(seen) and str(clinician.id) not in json.dumps(seen)
    assert (await marks(client, clinician, thread_id))["can_mark"] is True

    changed = {**MARK, "verdict": "contradicts", "reason": "Read it again: it contradicts"}
    answer = await client.put(f"{API}/posts/{post_id}/quality-mark", json=changed,
                              headers=clinician.headers)  # fmt: skip
    assert answer.status_code == 200 and answer.json()["verdict"] == "contradicts"
    (mark,) = (await marks(client, reader, thread_id))["marks"]
    assert mark["verdict"] == "contradicts"
    page = await read(client, reader, thread_id)
    assert page["posts"][0]["state"] == "published" and "Cinnamon" in page["posts"][0]["html"]

    removed = await client.request("DELETE", f"{API}/posts/{post_id}/quality-mark",
                                   json={"reason": "The source was withdrawn"},
                                   headers=clinician.headers)  # fmt: skip
    assert removed.status_code == 204
    assert (await marks(client, reader, thread_id))["marks"] == []

    first, second = await audit_rows(app, action="community.quality_mark")
    assert first.actor_id == clinician.id and first.resource_id == post_id
    assert json.loads(first.detail or "null") == {
        "verdict": "reviewed", "previous": None, "source_url": MARK["source_url"],
        "source_title": MARK["source_title"], "reason": MARK["reason"],
    }  # fmt: skip
    assert json.loads(second.detail or "null")["previous"] == "reviewed"
    (gone,) = await audit_rows(app, action="community.quality_mark_remove")
    assert gone.actor_id == clinician.id
    assert json.loads(gone.detail or "null") == {
        "previous": "contradicts",
        "reason": "The source was withdrawn",
    }
    assert handle not in "".join(r.detail or "" for r in [first, second, gone])


async def test_members_cannot_mark_and_bad_sources_are_refused(app, client, person):
    admin, writer, clinician = await person("admin"), await person(), await person("clinician")
    c = await community(client, admin)
    await join(client, writer, c["slug"])
    started = await topic(client, writer, c["slug"])
    url = f"{API}/posts/{started['post']['id']}/quality-mark"

    refused = await client.put(url, json=MARK, headers=writer.headers)
    assert refused.status_code == 403 and refused.json()["code"] == "clinicians_only"
    for bad in (
        {**MARK, "source_url": "http://example.org/evidence"},
        {**MARK, "source_url": "javascript:alert(1)"},
        {**MARK, "source_url": "not a link"},
        {**MARK, "verdict": "great"},
        {**MARK, "source_title": " "},
        {**MARK, "extra": 1},
    ):
        answer = await client.put(url, json=bad, headers=clinician.headers)
        assert answer.status_code == 422, (bad, answer.text)
    missing = await client.put(f"{API}/posts/00000000-0000-0000-0000-000000000000/quality-mark",
                               json=MARK, headers=clinician.headers)  # fmt: skip
    assert missing.status_code == 404
    nothing = await client.request("DELETE", url, json={"reason": "Nothing to remove here"},
                                   headers=clinician.headers)  # fmt: skip
    assert nothing.status_code == 404
    assert (await client.put(url, json=MARK, headers=clinician.headers)).status_code == 200
    member_removal = await client.request("DELETE", url, json={"reason": "I do not like it"},
                                          headers=writer.headers)  # fmt: skip
    assert member_removal.status_code == 403
    short = await client.request("DELETE", url, json={"reason": "no"}, headers=clinician.headers)
    assert short.status_code == 422
    assert await audit_rows(app, action="community.quality_mark_remove") == []


async def test_marks_of_a_private_community_are_not_shown_to_outsiders(client, person):
    admin, member, outsider = await person("admin"), await person(), await person()
    clinician = await person("clinician")
    c = await community(client, admin, visibility="request")
    await join(client, member, c["slug"])
    pending = await client.get(f"{API}/communities/{c['slug']}/members",
                               params={"status": "requested"}, headers=admin.headers)  # fmt: skip
    (row,) = pending.json()["members"]
    approve = f"{API}/communities/{c['slug']}/members/{row['membership_id']}/approve"
    assert (await client.post(approve, headers=admin.headers)).status_code == 200
    started = await topic(client, member, c["slug"])
    url = f"{API}/posts/{started['post']['id']}/quality-mark"
    assert (await client.put(url, json=MARK, headers=clinician.headers)).status_code == 404
    assert (await client.put(url, json=MARK, headers=admin.headers)).status_code == 403
    await marks(client, outsider, started["thread"]["id"], expect=404)
    await marks(client, member, started["thread"]["id"])
