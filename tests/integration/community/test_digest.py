"""The community e-mail digest: chosen by the member (none by default), counts mentions, replies
in their topics and new topics in their communities, and says nothing else — no post text, no
titles, no community names, no handles; sent once across nodes; erased with the account."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from careverse.community import digest
from careverse.community.digest_models import DigestChoice
from careverse.privacy.service import PrivacyService
from tests.integration.community.support import GUIDELINES, join, reply, topic
from tests.integration.privacy.support import audit_rows
from tests.mailbox import running_inbox, smtp_settings

API = "/api/community"
NAME = "Type 2 diabetes support"
TITLE = "Metformin and long shifts"
SECRET = "Metformin made me dizzy at work"


@pytest.fixture
def inbox():
    with running_inbox() as box:
        yield box


@pytest.fixture
def settings_overrides(inbox) -> dict:
    return {**smtp_settings(inbox), "access_token_ttl_seconds": 30 * 24 * 3600,
            "erasure_grace_days": 0}  # fmt: skip


async def _diabetes(client, person) -> tuple:
    admin, reader, writer, other = (await person("admin"), await person("patient"),
                                    await person("patient"), await person("caregiver"))  # fmt: skip
    made = await client.post(
        f"{API}/communities",
        json={"slug": "t2d-support", "name": NAME, "kind": "condition", "visibility": "public",
              "description": "For people living with it", "guidelines": GUIDELINES},
        headers=admin.headers,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    for who in (reader, writer, other):
        await join(client, who, "t2d-support")
    return reader, writer, other


async def _choose(client, who, frequency: str, expect: int = 200) -> dict:
    answer = await client.put(f"{API}/digest", json={"frequency": frequency},
                              headers=who.headers)  # fmt: skip
    assert answer.status_code == expect, answer.text
    return answer.json()


def _digests(box) -> list:
    """The digests in the inbox (other notices, e.g. the crisis path's, arrive there too)."""
    return [m for m in box.messages if m["Subject"] == digest.SUBJECT]


def _body(mail) -> str:
    return mail.get_payload(decode=True).decode()


def _send(app):
    rt = app.state.runtime
    return digest.send_due(rt.db, rt.settings, rt.mailer)


async def test_no_digest_unless_chosen_and_bad_choices_are_4xx(client, person, fake_clock):
    who = await person("patient")
    mine = await client.get(f"{API}/digest", headers=who.headers)
    assert mine.status_code == 200 and mine.json() == {"frequency": "off", "next_at": None}
    chosen = await _choose(client, who, "weekly")
    assert chosen["frequency"] == "weekly" and chosen["next_at"]
    assert (await _choose(client, who, "daily"))["frequency"] == "daily"
    await _choose(client, who, "hourly", expect=422)
    assert (await client.put(f"{API}/digest", json={"frequency": "daily", "x": 1},
                             headers=who.headers)).status_code == 422  # fmt: skip
    assert (await client.get(f"{API}/digest")).status_code == 401
    assert (await _choose(client, who, "off")) == {"frequency": "off", "next_at": None}


async def test_the_digest_counts_and_says_nothing_about_health(app, client, person, fake_clock,
                                                                inbox):  # fmt: skip
    box, _ = inbox
    reader, writer, other = await _diabetes(client, person)
    await _choose(client, reader, "daily")
    started = await topic(client, reader, "t2d-support", title=TITLE, body="Anyone else?")
    handle = started["post"]["author"]["handle"]
    fake_clock.advance(minutes=5)
    await reply(client, writer, started["thread"]["id"], f"@{handle} {SECRET}")
    await reply(client, other, started["thread"]["id"], "Same here, it passes.")
    await reply(client, reader, started["thread"]["id"], "Thanks both")  # their own: not counted
    await topic(client, other, "t2d-support", title="Insulin pens on holiday", body="Tips?")
    await topic(client, reader, "t2d-support", title="My own", body="Not counted")
    held = await topic(client, writer, "t2d-support", title="Hard night",
                       body="I'm going to kill myself tonight.")  # fmt: skip
    assert held["post"]["state"] == "held"  # not published: not counted

    fake_clock.advance(hours=23)
    assert await _send(app) == 0 and _digests(box) == []  # not due yet
    fake_clock.advance(hours=1, seconds=1)
    assert await _send(app) == 1
    (mail,) = _digests(box)
    body = _body(mail)
    assert mail["Subject"] == "Your Careverse communities"
    assert mail["To"] == reader.email
    assert "You have 2 new replies, 1 mention and 1 new topic in your Careverse communities" in body
    assert "https://clinic.example.org/community" in body
    lowered = (body + mail["Subject"]).lower()
    for revealing in (NAME, "diabetes", "t2d-support", TITLE, "metformin", SECRET, "insulin",
                      handle, "dizzy", "kill", started["thread"]["id"]):  # fmt: skip
        assert revealing.lower() not in lowered, revealing

    assert await _send(app) == 0  # sent once; the next is due a day later
    assert (await client.get(f"{API}/digest", headers=reader.headers)).json()["next_at"]
    fake_clock.advance(days=1)
    assert await _send(app) == 0 and len(_digests(box)) == 1  # nothing new: no e-mail at all


async def test_two_nodes_send_each_digest_once(app, client, person, fake_clock, inbox, settings):
    from careverse.app import create_app

    box, _ = inbox
    reader, writer, _ = await _diabetes(client, person)
    await _choose(client, reader, "weekly")
    started = await topic(client, reader, "t2d-support", title=TITLE, body="Anyone else?")
    fake_clock.advance(minutes=1)
    await reply(client, writer, started["thread"]["id"], SECRET)
    fake_clock.advance(days=7, seconds=1)
    other = create_app(settings)  # its digest job runs at start, as on a live node
    async with other.router.lifespan_context(other):
        sent = await asyncio.gather(_send(app), _send(other), _send(app))
        for _ in range(250):  # the job's e-mail, if the job won the claim
            if _digests(box):
                break
            await asyncio.sleep(0.02)
    assert sum(sent) <= 1 and len(_digests(box)) == 1
    assert len(await audit_rows(app, action="community.digest.send")) == 1
    assert "1 new reply in your Careverse communities" in _body(_digests(box)[0])


async def test_erasure_deletes_the_choice_and_its_state(app, client, person, fake_clock, inbox):
    reader, writer, _ = await _diabetes(client, person)
    await _choose(client, reader, "daily")
    await _choose(client, writer, "weekly")
    started = await topic(client, reader, "t2d-support", title=TITLE, body="Hello")
    await reply(client, writer, started["thread"]["id"], f"@{started['post']['author']['handle']}")
    async with app.state.runtime.db.session() as session:
        counted = await session.get(DigestChoice, reader.id)
        assert counted is not None and counted.mentions == 1  # the state the erasure must take
    assert (await client.delete("/api/me", headers=reader.headers)).status_code == 202
    async with app.state.runtime.db.session() as session:
        assert await PrivacyService(session, app.state.runtime.settings).erase_due() == 1
        assert (await session.scalars(select(DigestChoice.account_id))).all() == [writer.id]
