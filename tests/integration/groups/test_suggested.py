"""Caregiver groups suggested to caregivers (both databases): only caregiver groups they may
see, are not in and can join themselves; nothing for other roles."""

from __future__ import annotations

from tests.integration.groups.support import group, join


async def slugs(client, who) -> list[str]:
    r = await client.get("/api/groups/suggested?tz=Europe/Paris", headers=who.headers)
    assert r.status_code == 200, r.text
    return [g["slug"] for g in r.json()["groups"]]


async def test_caregivers_are_suggested_caregiver_groups_they_are_not_in(client, person):
    admin, carer, patient = (
        await person("admin"),
        await person("caregiver"),
        await person("patient"),
    )
    carers = await group(client, admin, caregiver=True, capacity=5)
    await group(client, admin, caregiver=False)  # not for caregivers
    await group(client, admin, caregiver=True, admission="referral")  # cannot join by oneself
    await group(client, admin, caregiver=True, visibility="invite")  # cannot see it
    assert await slugs(client, carer) == [carers["slug"]]
    r = await client.get("/api/groups/suggested", headers=carer.headers)
    assert r.json()["groups"][0]["caregiver"] is True
    assert await slugs(client, patient) == []  # other roles: nothing suggested
    assert await slugs(client, admin) == []
    await join(client, carer, carers["slug"])
    assert await slugs(client, carer) == []  # a member already
    r = await client.post(f"/api/groups/{carers['slug']}/leave", headers=carer.headers)
    assert r.status_code == 204
    assert await slugs(client, carer) == [carers["slug"]]  # left: suggested again
    r = await client.get("/api/groups/suggested?tz=Nowhere/Else", headers=carer.headers)
    assert r.status_code == 422
    assert (await client.get("/api/groups/suggested")).status_code == 401
