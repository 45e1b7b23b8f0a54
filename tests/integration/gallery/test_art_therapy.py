"""Art-therapy sessions are support groups that meet in the gallery (groups' sessions, reused):
a member's work in progress is shared with the group only, approved by its facilitator, never
hung in the community's gallery; a group that meets elsewhere takes no works."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.integration.community.support import community
from tests.integration.community.support import join as join_community
from tests.integration.gallery.support import decide, submit_text, works
from tests.integration.groups.support import RULES, join


async def art_group(client, admin, template: str = "gallery") -> tuple[str, str]:
    """A community and a group of it meeting in ``template``: (community slug, group slug)."""
    home = await community(client, admin)
    body = {
        "slug": f"art-{uuid.uuid4().hex[:6]}", "name": "Painting our way", "template": template,
        "timezone": "Europe/London", "first_date": "2026-03-05", "start_time": "18:30",
        "duration_minutes": 60, "every_weeks": 1, "capacity": 8, "admission": "open",
        "ground_rules": RULES,
    }  # fmt: skip
    r = await client.post(f"/api/groups/communities/{home['slug']}", json=body,
                          headers=admin.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    return home["slug"], body["slug"]


@pytest.fixture(autouse=True)
def thursday(fake_clock):
    fake_clock.now = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    return fake_clock


async def test_a_work_in_progress_is_shared_with_the_group_only(client, person):
    admin, facilitator = await person("admin"), await person("clinician")
    member, outsider = await person("patient"), await person("patient")
    home, slug = await art_group(client, admin)
    for who in (member, outsider, facilitator):
        await join_community(client, who, home)
    await join(client, member, slug)

    sent = await submit_text(client, member, home, body="Blue, then *less blue*.", group=slug)
    work = sent["work"]
    assert (work["status"], work["group"]) == ("pending", slug)
    # Not in the group's list until approved; never in the community's gallery.
    listed = await client.get(f"/api/gallery/groups/{slug}/works", headers=member.headers)
    assert listed.status_code == 200 and listed.json()["works"] == []
    approved = await decide(client, admin, work["id"], "approve")
    assert approved["status"] == "approved" and approved["placed"] is False
    listed = await client.get(f"/api/gallery/groups/{slug}/works", headers=member.headers)
    assert [w["id"] for w in listed.json()["works"]] == [work["id"]]
    assert listed.json()["community"] == home
    assert await works(client, outsider, home) == []
    # Someone outside the group: the group's works and the work's image path are 404.
    away = await client.get(f"/api/gallery/groups/{slug}/works", headers=outsider.headers)
    assert away.status_code == 404
    answer = await client.post(f"/api/gallery/works/{work['id']}/reports",
                               json={"reason": "spam"}, headers=outsider.headers)  # fmt: skip
    assert answer.status_code == 404
    # Only members of the group share with it.
    await submit_text(client, outsider, home, group=slug, expect=404)


async def test_a_group_that_meets_elsewhere_takes_no_works(client, person):
    admin, member = await person("admin"), await person("patient")
    home, slug = await art_group(client, admin, template="support-circle")
    await join_community(client, member, home)
    await join(client, member, slug)
    refused = await submit_text(client, member, home, group=slug, expect=409)
    assert refused["code"] == "not_art_therapy"
