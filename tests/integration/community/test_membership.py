"""Joining a community: guidelines accepted and recorded, request-to-join and approval,
invite-only and professional communities hidden (404) from those who may not join, roles."""

from __future__ import annotations

import json

from tests.integration.community.support import community, join, topic
from tests.integration.privacy.support import audit_rows

JOIN = "/api/community/communities/{}/join"


async def test_a_public_community_is_joined_with_its_guidelines_accepted(app, client, person):
    admin, carer = await person("admin"), await person("caregiver")
    c = await community(client, admin)
    refused = await client.post(
        JOIN.format(c["slug"]),
        headers=carer.headers,
        json={"accept_guidelines": False, "guidelines_version": 1},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "accept_guidelines"]
    stale = await client.post(
        JOIN.format(c["slug"]),
        headers=carer.headers,
        json={"accept_guidelines": True, "guidelines_version": 7},
    )
    assert stale.status_code == 409 and stale.json()["code"] == "guidelines_changed"

    joined = await join(client, carer, c["slug"])
    m = joined["membership"]
    assert (m["status"], m["role"], m["guidelines_version"]) == ("active", "member", 1)
    assert m["guidelines_accepted_at"] and joined["members"] == 1
    again = await client.post(
        JOIN.format(c["slug"]),
        headers=carer.headers,
        json={"accept_guidelines": True, "guidelines_version": 1},
    )
    assert again.status_code == 409
    (row,) = await audit_rows(app, action="community.join", resource_id=c["id"])
    assert json.loads(row.detail or "null") == {"status": "active", "guidelines": 1}

    left = await client.post(f"/api/community/communities/{c['slug']}/leave", headers=carer.headers)
    assert left.status_code == 204
    await topic(client, carer, c["slug"], expect=403)


async def test_request_to_join_waits_for_staff_approval(client, person):
    admin, patient, facilitator = await person("admin"), await person("patient"), await person()
    c = await community(client, admin, kind="condition", visibility="request")
    await join(client, facilitator, c["slug"])  # requested, approved by the admin below
    pending = await join(client, patient, c["slug"])
    assert pending["membership"]["status"] == "requested"
    threads = f"/api/community/communities/{c['slug']}/threads"
    assert (await client.get(threads, headers=patient.headers)).status_code == 404
    await topic(client, patient, c["slug"], expect=403)

    listed = await client.get(
        f"/api/community/communities/{c['slug']}/members?status=requested", headers=admin.headers
    )
    ids = {m["name"]: m["membership_id"] for m in listed.json()["members"]}
    members = f"/api/community/communities/{c['slug']}/members"
    # A plain member may not approve anyone; the admin may, and may appoint a facilitator.
    assert (
        await client.post(f"{members}/{ids[patient.name]}/approve", headers=patient.headers)
    ).status_code == 403
    ok = await client.post(f"{members}/{ids[facilitator.name]}/approve", headers=admin.headers)
    assert ok.status_code == 200 and ok.json()["status"] == "active"
    role = await client.put(
        f"{members}/{ids[facilitator.name]}/role",
        json={"role": "facilitator"},
        headers=admin.headers,
    )
    assert role.json()["role"] == "facilitator"
    approved = await client.post(
        f"{members}/{ids[patient.name]}/approve", headers=facilitator.headers
    )
    assert approved.status_code == 200
    assert (await client.get(threads, headers=patient.headers)).status_code == 200
    await topic(client, patient, c["slug"])


async def test_invite_only_and_professional_communities_are_hidden(client, person):
    admin, patient, clinician, invitee = (
        await person("admin"),
        await person("patient"),
        await person("clinician"),
        await person("caregiver"),
    )
    secret = await community(client, admin, visibility="invite")
    pro = await community(client, admin, kind="professional")
    for who in (patient, invitee):
        listed = await client.get("/api/community/communities", headers=who.headers)
        slugs = {c["slug"] for c in listed.json()["communities"]}
        assert secret["slug"] not in slugs and pro["slug"] not in slugs
    assert (
        await client.get(f"/api/community/communities/{pro['slug']}", headers=patient.headers)
    ).status_code == 404
    await join(client, patient, pro["slug"], expect=404)
    await join(client, clinician, pro["slug"])
    await join(client, invitee, secret["slug"], expect=404)

    invited = await client.post(
        f"/api/community/communities/{secret['slug']}/invitations",
        json={"email": invitee.email},
        headers=admin.headers,
    )
    assert invited.status_code == 201 and invited.json()["status"] == "invited"
    bad = await client.post(
        f"/api/community/communities/{secret['slug']}/invitations",
        json={"email": "nobody@example.org"},
        headers=admin.headers,
    )
    assert bad.status_code == 422
    assert (await join(client, invitee, secret["slug"]))["membership"]["status"] == "active"


async def test_bad_input_answers_4xx(client, person):
    admin, patient, researcher = (
        await person("admin"),
        await person("patient"),
        await person("researcher"),
    )
    c = await community(client, admin)
    bad_slug = await client.post(
        "/api/community/communities",
        headers=admin.headers,
        json={"slug": "Bad Slug!", "name": "x y", "kind": "condition", "visibility": "public"},
    )
    assert bad_slug.status_code == 422
    bad_kind = await client.get("/api/community/communities?kind=nope", headers=patient.headers)
    assert bad_kind.status_code == 422
    dup = await client.post(
        "/api/community/communities",
        headers=admin.headers,
        json={"slug": c["slug"], "name": "Again", "kind": "condition", "visibility": "public"},
    )
    assert dup.status_code == 409
    not_admin = await client.post(
        "/api/community/communities",
        headers=patient.headers,
        json={"slug": "mine-1", "name": "Mine", "kind": "condition", "visibility": "public"},
    )
    assert not_admin.status_code == 403
    assert (
        await client.get("/api/community/communities/nope", headers=patient.headers)
    ).status_code == 404
    assert (
        await client.get(f"/api/community/communities/{c['slug']}", headers=researcher.headers)
    ).status_code == 404
    extra = await client.post(
        JOIN.format(c["slug"]),
        headers=patient.headers,
        json={"accept_guidelines": True, "guidelines_version": 1, "admin": True},
    )
    assert extra.status_code == 422
    badge = await join(client, admin, c["slug"], expect=422, lived_experience=True)
    assert badge["detail"][0]["loc"] == ["body", "lived_experience"]
    assert (await client.get("/api/community/communities")).status_code == 401
