"""The demo's gallery: two images and a poem in the caregivers' corner, approved and hung on the
walls of its gallery space; seeding again adds nothing."""

from __future__ import annotations

from careverse import demo
from tests.integration.groups.test_demo import signed_in


async def test_demo_gallery_works_are_shown_and_hung(app, client):
    for _ in range(2):  # again: nothing new
        async with app.state.runtime.db.session() as session:
            await demo.seed(session, app.state.runtime.settings)
    await signed_in(client, "maria")
    r = await client.get("/api/gallery/communities/caregivers/works")
    assert r.status_code == 200, r.text
    shown = r.json()["works"]
    assert sorted(w["kind"] for w in shown) == ["image", "image", "text"]
    assert all(w["placed"] and w["status"] == "approved" for w in shown)
    assert all(w["alt_text"] for w in shown if w["kind"] == "image")
    picture = await client.get(next(w["image_url"] for w in shown if w["image_url"]))
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
