"""Pseudonyms: another member, a moderator and the API cannot link a handle to an account; the
database keeps the link only encrypted; the audited safety unmasking (site admins, a reason)
can resolve it."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from careverse.community.models import Pseudonym
from tests.integration.community.support import community, join, read, reply, topic
from tests.integration.privacy.support import audit_rows

API = "/api/community"


async def test_nobody_can_link_a_pseudonym_to_its_account(app, client, person):
    admin, writer, member, moderator = (
        await person("admin"), await person("patient", name="Priya Shah"),
        await person("patient"), await person("moderator"),
    )  # fmt: skip
    facilitator = await person("caregiver")
    c = await community(client, admin, kind="condition")
    other = await community(client, admin, kind="condition")
    for who in (writer, member, facilitator):
        await join(client, who, c["slug"])
    await join(client, writer, other["slug"])
    members = (await client.get(f"{API}/communities/{c['slug']}/members",
                                headers=admin.headers)).json()["members"]  # fmt: skip
    fid = next(m["membership_id"] for m in members if m["account_id"] == str(facilitator.id))
    await client.put(f"{API}/communities/{c['slug']}/members/{fid}/role",
                     json={"role": "moderator"}, headers=admin.headers)  # fmt: skip

    started = await topic(client, writer, c["slug"], body="I was diagnosed last month.")
    thread_id, handle = started["thread"]["id"], started["post"]["author"]["handle"]
    named = await reply(client, writer, thread_id, "Also me, by name.", identity="name")
    assert named["post"]["author"] == {"handle": None, "name": "Priya Shah", "badge": None,
                                       "mine": True}  # fmt: skip
    elsewhere = await topic(client, writer, other["slug"])
    assert elsewhere["post"]["author"]["handle"] != handle  # one handle per community
    await reply(client, member, thread_id, f"@{handle} welcome")
    await client.put(f"{API}/posts/{started['post']['id']}/bookmark", headers=member.headers)

    for who in (member, facilitator, moderator):
        page = await read(client, who, thread_id)
        first = page["posts"][0]["author"]
        assert first == {"handle": handle, "name": None, "badge": None, "mine": False}
        answers = [
            page,
            (
                await client.get(f"{API}/communities/{c['slug']}/threads", headers=who.headers)
            ).json(),
            (
                await client.get(
                    f"{API}/communities/{c['slug']}/search",
                    params={"q": "diagnosed"},
                    headers=who.headers,
                )
            ).json(),
            (await client.get(f"{API}/me/bookmarks", headers=who.headers)).json(),
        ]
        if who is not member:
            answers.append((await client.get(f"{API}/communities/{c['slug']}/members",
                                             headers=who.headers)).json())  # fmt: skip
        # The account id appears in no answer about posts; the handle never beside the name;
        # the staff's member list names members without their handles.
        assert str(writer.id) not in json.dumps(answers[:4])
        assert "Priya" not in json.dumps(page["posts"][0])
        if len(answers) > 4:
            assert handle not in json.dumps(answers[4])

    # At rest: the owner is ciphertext, and no column of the pseudonym names the account.
    async with app.state.runtime.db.session() as session:
        rows = (await session.execute(text(
            "SELECT handle, owner_index, owner FROM community_pseudonyms WHERE handle = :h"
        ), {"h": handle})).all()  # fmt: skip
        assert len(rows) == 1 and all(str(writer.id) not in str(v) for v in rows[0])
        assert rows[0].owner.startswith("cv1:")
    # No audit row ties the writer to the pseudonymous post.
    assert await audit_rows(app, actor_id=writer.id, resource_id=started["post"]["id"]) == []


async def test_the_safety_unmasking_is_for_admins_with_a_reason_and_audited(app, client, person):
    admin, writer, moderator = (
        await person("admin"),
        await person("patient"),
        await person("moderator"),
    )
    c = await community(client, admin, kind="mental_health")
    await join(client, writer, c["slug"])
    post_id = (await topic(client, writer, c["slug"]))["post"]["id"]
    url = f"{API}/posts/{post_id}/unmask"
    reason = "Imminent risk reported by facilitator; welfare check needed."

    refused = await client.post(url, json={"reason": reason}, headers=moderator.headers)
    assert refused.status_code == 403
    short = await client.post(url, json={"reason": "because"}, headers=admin.headers)
    assert short.status_code == 422
    assert await audit_rows(app, action="community.unmask") == []

    unmasked = await client.post(url, json={"reason": reason}, headers=admin.headers)
    assert unmasked.status_code == 200
    assert unmasked.json() == {"account_id": str(writer.id), "name": writer.name}
    (row,) = await audit_rows(app, action="community.unmask")
    assert (row.actor_id, row.resource_id) == (admin.id, post_id)
    assert json.loads(row.detail or "null") == {"reason": reason}
    missing = await client.post(f"{API}/posts/00000000-0000-0000-0000-000000000000/unmask",
                                json={"reason": reason}, headers=admin.headers)  # fmt: skip
    assert missing.status_code == 404


async def test_badges_verified_professionals_and_lived_experience(client, person):
    admin, patient, clinician, carer = (
        await person("admin"), await person("patient"), await person("clinician"),
        await person("caregiver"),
    )  # fmt: skip
    c = await community(client, admin, kind="condition")
    await join(client, patient, c["slug"], lived_experience=True)
    await join(client, clinician, c["slug"])
    await join(client, carer, c["slug"])
    started = await topic(client, patient, c["slug"])
    assert started["post"]["author"]["badge"] == "lived_experience"
    answer = await reply(client, clinician, started["thread"]["id"], "Ask your GP.",
                         identity="name")  # fmt: skip
    assert answer["post"]["author"]["badge"] == "verified_professional"
    assert (await reply(client, carer, started["thread"]["id"]))["post"]["author"]["badge"] is None


async def test_pseudonym_rows_hold_no_account_id(app, client, person):
    admin, writer = await person("admin"), await person("caregiver")
    c = await community(client, admin)
    await join(client, writer, c["slug"])
    await topic(client, writer, c["slug"])
    async with app.state.runtime.db.session() as session:
        (row,) = (await session.scalars(select(Pseudonym))).all()
        assert row.owner == str(writer.id)  # decrypts to the owner: only the service reads it
