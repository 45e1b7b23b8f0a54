"""An erased member's works leave the gallery, its walls and its tables; their reports go; the
decisions of a moderator who is erased stay under no name."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from careverse.gallery.models import GalleryImage, GalleryReport, GalleryWork
from careverse.privacy.service import PrivacyService
from careverse.world.models import SpaceObject
from tests.integration.community.moderation_support import room
from tests.integration.gallery.support import decide, png, submit_image, submit_text, works


@pytest.fixture
def settings_overrides() -> dict:
    return {"erasure_grace_days": 0}


async def test_an_erased_members_works_and_frames_are_gone(app, client, person):
    r = await room(client, person)
    image = (await submit_image(client, r.member, r.slug, png()))["work"]
    poem = (await submit_text(client, r.other, r.slug))["work"]
    for work in (image, poem):
        await decide(client, r.moderator, work["id"], "approve")
    answer = await client.post(f"/api/gallery/works/{poem['id']}/reports",
                               json={"reason": "other"}, headers=r.member.headers)  # fmt: skip
    assert answer.status_code == 204
    assert (await client.delete("/api/me", headers=r.member.headers)).status_code == 202
    async with app.state.runtime.db.session() as session:
        assert await PrivacyService(session, app.state.runtime.settings).erase_due() == 1
    assert [w["id"] for w in await works(client, r.other, r.slug)] == [poem["id"]]
    async with app.state.runtime.db.session() as session:
        ids = [uuid.UUID(image["id"])]
        for model, column in ((GalleryWork, GalleryWork.id), (GalleryImage, GalleryImage.work_id),
                              (SpaceObject, SpaceObject.id)):  # fmt: skip
            count = await session.scalar(
                select(func.count()).select_from(model).where(column.in_(ids))
            )
            assert count == 0, model.__tablename__
        reports = await session.scalar(select(func.count()).select_from(GalleryReport))
        assert reports == 0
        frame = await session.get(SpaceObject, uuid.UUID(poem["id"]))
        assert frame is not None  # the other member's work still hangs
