"""Issue 12: the waiting garden admits only people waiting there (and the clinic's clinicians)
and shows waiting people by first name; an ended visit's room refuses its people with a clear
message; check-in opens 30 minutes before by default, and not earlier."""

from __future__ import annotations

import pytest

from careverse.app import create_app
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.care.support import (
    BEFORE_NINE,
    DEVICES_OK,
    admitted,
    book,
    checked_in,
)
from tests.support import serve_in_thread

NINE = "2026-03-23T09:00:00Z"
TEN = "2026-03-23T10:00:00Z"


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


@pytest.fixture
def served(settings):
    """A second node on the same database, served over real sockets."""
    with serve_in_thread(create_app(settings)) as url:
        yield url


def token(who) -> str:
    return who.headers["Authorization"].removeprefix("Bearer ")


async def garden_of(client, patient, appt) -> str:
    wait = await client.get(f"/api/care/appointments/{appt['id']}/wait", headers=patient.headers)
    assert wait.status_code == 200, wait.text
    return wait.json()["waiting_space_id"]


async def test_only_people_waiting_and_clinicians_enter_the_garden(
    client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    waiting, booked_later, stranger, admin = (
        await person("patient"), await person("patient"), await person("patient"),
        await person("admin"),
    )  # fmt: skip
    garden = await garden_of(client, waiting, await checked_in(client, waiting, clinician, NINE))
    assert (await book(client, booked_later, clinician, TEN)).status_code == 201

    for who in (waiting, clinician):
        entered = await client.get(f"/api/spaces/{garden}", headers=who.headers)
        assert entered.status_code == 200, entered.text
    for who in (booked_later, stranger, admin):  # booked but not checked in; no visit; staff
        refused = await client.get(f"/api/spaces/{garden}", headers=who.headers)
        assert refused.status_code == 404, (who.role, refused.text)


async def test_garden_socket_refuses_strangers_and_shows_first_names(
    client, person, clinician_with_hours, before_nine, served
):
    clinician = await clinician_with_hours("UTC")
    amara = await person("patient", name="Amara Okafor")
    ben = await person("patient", name="Ben Tremaine")
    stranger = await person("patient", name="Cleo Stranger")
    garden = await garden_of(client, amara, await checked_in(client, amara, clinician, NINE))
    colleague = await clinician_with_hours("UTC", name="Dr. Sam Ito")
    await checked_in(client, ben, colleague, NINE)

    with pytest.raises(ConnectionRefusedError, match=str(proto.CLOSE_NOT_FOUND)):
        await WorldClient.connect(served, token(stranger), garden)
    async with (
        await WorldClient.connect(served, token(amara), garden) as me,
        await WorldClient.connect(served, token(ben), garden) as other,
    ):
        await me.move(1.0, 0.0, 1.0)
        if str(amara.id) not in other.avatars:
            await other.wait_for(lambda _: str(amara.id) in other.avatars)
        assert other.avatars[str(amara.id)].name == "Amara"
        await other.chat("hello")
        said = await me.wait_for(lambda m: isinstance(m, proto.ChatOut))
        assert said.name == "Ben" and "Tremaine" not in said.name


async def test_an_ended_visit_refuses_re_entry_with_a_clear_message(
    client, person, clinician_with_hours, before_nine, served
):
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient")
    appt, room = await admitted(client, patient, clinician, NINE)
    space = room["space_id"]
    assert (await client.get(f"/api/spaces/{space}", headers=patient.headers)).status_code == 200
    finished = await client.post(
        f"/api/care/encounters/{room['encounter_id']}/finish", headers=clinician.headers
    )
    assert finished.status_code == 204, finished.text

    again = await client.get(f"/api/spaces/{space}", headers=patient.headers)
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "visit_ended"
    assert "ended" in again.json()["detail"]
    with pytest.raises(ConnectionRefusedError, match=str(proto.CLOSE_ENDED)):
        await WorldClient.connect(served, token(patient), space)
    # Admitting again does not reopen it.
    reopened = await client.post(
        f"/api/care/appointments/{appt['id']}/admit", headers=clinician.headers
    )
    assert reopened.status_code == 409, reopened.text


async def test_check_in_opens_thirty_minutes_before_and_early_arrivals_are_told(
    client, person, clinician_with_hours, fake_clock
):
    fake_clock.now = BEFORE_NINE.replace(minute=25, hour=8)  # 08:25
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient")
    made = await book(client, patient, clinician, NINE)
    assert made.status_code == 201, made.text
    appt = made.json()
    assert appt["check_in_opens"].startswith("2026-03-23T08:30:00")
    url = f"/api/care/appointments/{appt['id']}/check-in"

    fake_clock.now = BEFORE_NINE.replace(minute=29, hour=8)  # 08:29: one minute early
    early = await client.post(url, json={"device_check": DEVICES_OK}, headers=patient.headers)
    assert early.status_code == 409 and early.json()["code"] == "too_early"
    assert "30 minutes" in early.json()["detail"]

    fake_clock.now = BEFORE_NINE.replace(minute=31, hour=8)  # 08:31: open (it was not at 15)
    done = await client.post(url, json={"device_check": DEVICES_OK}, headers=patient.headers)
    assert done.status_code == 200, done.text
