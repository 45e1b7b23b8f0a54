"""The gallery over HTTP on both databases: a work waits for a human before anyone else sees
it, is hung on a wall when approved, is taken away by its author at once; bad images are 422,
metadata is stripped, and what one may not see is 404."""

from __future__ import annotations

import io
import uuid

from PIL import Image
from sqlalchemy import select

from careverse.world.models import SpaceObject
from tests.integration.community.moderation_support import room
from tests.integration.gallery.support import POEM, decide, png, submit_image, submit_text, works
from tests.integration.privacy.support import audit_rows


async def frames(app, space_id: str) -> list[SpaceObject]:
    async with app.state.runtime.db.session() as session:
        rows = await session.scalars(
            select(SpaceObject).where(SpaceObject.space_id == uuid.UUID(space_id))
        )
        return list(rows.all())


async def test_a_work_waits_for_a_moderator_then_hangs_on_a_wall(app, client, person):
    r = await room(client, person)
    sent = await submit_text(client, r.member, r.slug)
    work = sent["work"]
    assert (work["status"], work["kind"], work["mine"], sent["concern"]) == (
        "pending", "text", True, None)  # fmt: skip
    assert "<em>I am still here</em>" in work["html"] and work["handle"]
    # Not shown to anyone else until approved; the author sees it as pending.
    assert await works(client, r.other, r.slug) == []
    mine = (await client.get("/api/gallery/me/works", headers=r.member.headers)).json()["works"]
    assert [(w["id"], w["status"]) for w in mine] == [(work["id"], "pending")]
    r2 = await client.get(f"/api/gallery/works/{work['id']}/image", headers=r.other.headers)
    assert r2.status_code == 404
    # The moderator sees it in the queue (the pipeline's reasons, the author as a handle only).
    queue = (await client.get("/api/gallery/moderation/queue", headers=r.moderator.headers)).json()
    assert [w["id"] for w in queue["works"]] == [work["id"]]
    assert str(r.member.id) not in str(queue)
    # A member cannot decide; the moderator approves.
    await decide(client, r.other, work["id"], "approve", expect=404)  # not theirs to see
    approved = await decide(client, r.moderator, work["id"], "approve")
    assert approved["status"] == "approved" and approved["placed"] is True
    shown = await works(client, r.other, r.slug)
    assert [(w["id"], w["title"], w["mine"]) for w in shown] == [(work["id"], "Still here", False)]
    assert shown[0]["body"] is None and shown[0]["reasons"] == []
    # Hung in the gallery space, as a plaque with the poem.
    space = await client.post(f"/api/gallery/communities/{r.slug}/space", headers=r.other.headers)
    assert space.status_code == 200, space.text
    (frame,) = await frames(app, space.json()["space_id"])
    assert (frame.kind, str(frame.id)) == ("artwork", work["id"])
    assert abs(frame.z) > 39 or abs(frame.x) > 39  # on an outer wall
    assert "I am still here" in frame.label
    # Its author removes it: gone from the gallery and the wall at once.
    gone = await client.delete(f"/api/gallery/works/{work['id']}", headers=r.member.headers)
    assert gone.status_code == 204
    assert await works(client, r.other, r.slug) == []
    assert await frames(app, space.json()["space_id"]) == []
    again = await client.delete(f"/api/gallery/works/{work['id']}", headers=r.member.headers)
    assert again.status_code == 404
    assert [row.action for row in await audit_rows(app, resource_type="GalleryWork")][:3] == [
        "gallery.submit", "gallery.queue.read", "gallery.approve"]  # fmt: skip


async def test_an_image_is_decoded_its_metadata_stripped_and_declining_tells_the_author(
    client, person
):
    r = await room(client, person)
    original = png(exif=True, fmt="JPEG")
    assert b"PhoneMaker" in original
    sent = (await submit_image(client, r.member, r.slug, original, name="photo.jpg"))["work"]
    assert sent["kind"] == "image" and sent["alt_text"] == "A teal square, calm"
    stored = await client.get(sent["image_url"], headers=r.member.headers)
    assert stored.status_code == 200 and stored.headers["content-type"] == "image/jpeg"
    assert b"PhoneMaker" not in stored.content and b"Exif" not in stored.content
    with Image.open(io.BytesIO(stored.content)) as picture:
        assert picture.size == (64, 48) and not picture.getexif()
    declined = await decide(client, r.moderator, sent["id"], "decline", reason="Not a fit here")
    assert declined["status"] == "declined" and declined["placed"] is False
    mine = (await client.get("/api/gallery/me/works", headers=r.member.headers)).json()["works"]
    assert (mine[0]["status"], mine[0]["decision"]) == ("declined", "Not a fit here")
    assert (await client.get(sent["image_url"], headers=r.other.headers)).status_code == 404


async def test_bad_images_and_missing_fields_are_422_and_nothing_is_stored(client, person):
    r = await room(client, person)
    for data, name in ((b"GIF89a not really", "a.gif"), (b"\x89PNG\r\n\x1a\n broken", "a.png"),
                       (png(fmt="GIF"), "real.gif")):  # fmt: skip
        bad = await submit_image(client, r.member, r.slug, data, expect=422, name=name)
        assert bad["detail"][0]["loc"][-1] == "image", bad
    too_big = b"\x89PNG" + b"0" * (1024 * 1024 + 10)  # over the edge's body limit: 413
    bad = await submit_image(client, r.member, r.slug, too_big, expect=413)
    assert bad["code"] == "too_large"
    bad = await submit_image(client, r.member, r.slug, png(), expect=422, alt_text="")
    assert bad["detail"][0]["loc"][-1] == "alt_text"
    bad = await submit_text(client, r.member, r.slug, body="", expect=422)
    assert bad["detail"][0]["loc"][-1] == "body"
    mine = (await client.get("/api/gallery/me/works", headers=r.member.headers)).json()["works"]
    assert mine == []


async def test_access_is_404_for_those_who_may_not_see(client, person):
    r = await room(client, person)
    # An invite-only community: a stranger gets 404 for its gallery, its works and its space.
    from tests.integration.community.support import community, join

    hidden = await community(client, r.admin, visibility="invite")
    stranger, clinician = await person("patient"), await person("researcher")
    for who in (stranger, clinician):
        await works(client, who, hidden["slug"], expect=404)
        answer = await client.post(f"/api/gallery/communities/{hidden['slug']}/space",
                                   headers=who.headers)  # fmt: skip
        assert answer.status_code == 404
    # A reader who is not a member may not submit (403); a non-member of an invite-only: 404.
    await submit_text(client, stranger, r.slug, expect=403)
    await submit_text(client, stranger, hidden["slug"], expect=404)
    await join(client, r.other, r.slug, expect=409)  # already in
    work = (await submit_text(client, r.member, r.slug))["work"]
    # Someone else's work: removing it is 404, its queue is empty for a member.
    gone = await client.delete(f"/api/gallery/works/{work['id']}", headers=r.other.headers)
    assert gone.status_code == 404
    queue = await client.get("/api/gallery/moderation/queue", headers=r.other.headers)
    assert queue.json()["works"] == []
    await decide(client, stranger, work["id"], "approve", expect=404)
    # Reports: approved works only, not one's own, once.
    await decide(client, r.moderator, work["id"], "approve")
    for who, code in ((r.member, 409), (r.other, 204), (r.other, 409)):
        answer = await client.post(f"/api/gallery/works/{work['id']}/reports",
                                   json={"reason": "spam"}, headers=who.headers)  # fmt: skip
        assert answer.status_code == code, answer.text
    queue = (await client.get("/api/gallery/moderation/queue", headers=r.moderator.headers)).json()
    assert [(w["id"], w["open_reports"]) for w in queue["works"]] == [(work["id"], 1)]
    assert POEM not in str(await works(client, stranger, hidden["slug"], expect=404))
