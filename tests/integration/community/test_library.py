"""The education library: clinicians and peer educators write articles, infographics and quiz
modules; a clinician's review is needed to publish; members read the published ones and take a
quiz scored on the server; their results are erased with their account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from careverse.community.library_models import LibraryItem, QuizResult
from careverse.privacy.service import PrivacyService
from tests.integration.community.support import community, join
from tests.integration.privacy.support import audit_rows, count

API = "/api/community"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
QUIZ = {
    "kind": "module",
    "title": "Hypos: what to do",
    "summary": "Five minutes on low blood sugar",
    "body": "Low blood sugar (a *hypo*) needs fast sugar.",
    "questions": [
        {"prompt": "First thing to take?", "options": ["Fast sugar", "Chocolate", "Water"],
         "correct": [0], "explanation": "Fast sugar acts in minutes; fat slows chocolate."},
        {"prompt": "Signs of a hypo?", "options": ["Shaking", "Sweating", "Sneezing"],
         "correct": [0, 1], "multiple": True, "explanation": "Shaking and sweating are common."},
    ],
}  # fmt: skip


@pytest.fixture
def settings_overrides() -> dict:
    return {"erasure_grace_days": 0}


async def setup_library(client, person):
    admin, clinician, educator = await person("admin"), await person("clinician"), await person()
    member = await person()
    c = await community(client, admin, kind="condition")
    for who in (clinician, educator, member):
        await join(client, who, c["slug"])
    members = await client.get(f"{API}/communities/{c['slug']}/members", headers=admin.headers)
    (row,) = [m for m in members.json()["members"] if m["account_id"] == str(educator.id)]
    role = await client.put(f"{API}/communities/{c['slug']}/members/{row['membership_id']}/role",
                            json={"role": "educator"}, headers=admin.headers)  # fmt: skip
    assert role.status_code == 200 and role.json()["role"] == "educator"
    return c, clinician, educator, member


async def create(client, who, slug: str, body: dict, expect: int = 201) -> dict:
    answer = await client.post(f"{API}/communities/{slug}/library", json=body,
                               headers=who.headers)  # fmt: skip
    assert answer.status_code == expect, answer.text
    return answer.json()


async def test_authors_publish_after_review_and_members_read_published(app, client, person):
    c, clinician, educator, member = await setup_library(client, person)
    article = await create(client, educator, c["slug"], {
        "kind": "article", "title": "Foot checks", "body": "# Daily\nLook <script>x</script>",
    })  # fmt: skip
    assert article["state"] == "draft" and article["reviewed_by"] is None
    assert "<script>" not in article["html"] and "<h3>Daily</h3>" in article["html"]
    url = f"{API}/library/{article['id']}"
    listed = await client.get(f"{API}/communities/{c['slug']}/library", headers=member.headers)
    assert listed.json() == {"items": [], "can_author": False}
    assert (await client.get(url, headers=member.headers)).status_code == 404

    refused = await client.put(f"{url}/state", json={"state": "published"},
                               headers=educator.headers)  # fmt: skip
    assert refused.status_code == 403 and refused.json()["code"] == "review_required"
    reviewed = await client.post(f"{url}/review", headers=clinician.headers)
    assert reviewed.json()["reviewed_by"] == clinician.name and reviewed.json()["last_reviewed_at"]
    published = await client.put(f"{url}/state", json={"state": "published"},
                                 headers=educator.headers)  # fmt: skip
    assert published.status_code == 200 and published.json()["state"] == "published"

    seen = await client.get(url, headers=member.headers)
    assert seen.status_code == 200
    body = seen.json()
    assert body["body"] is None and body["can_edit"] is False and body["author"] == educator.name
    listed = await client.get(f"{API}/communities/{c['slug']}/library", headers=member.headers)
    assert [i["title"] for i in listed.json()["items"]] == ["Foot checks"]

    # a peer educator's edit takes it back to draft until a clinician reviews it
    edit = {"kind": "article", "title": "Foot checks", "body": "Look every day."}
    edited = await client.put(url, json=edit, headers=educator.headers)
    assert edited.json()["state"] == "draft" and edited.json()["reviewed_by"] is None
    assert (await client.put(url, json=edit, headers=member.headers)).status_code == 404
    assert (await create(client, member, c["slug"], edit, expect=403))["code"] == (
        "not_library_author"
    )
    actions = [r.action for r in await audit_rows(app, resource_id=article["id"])]
    assert actions == ["community.library_create", "community.library_review",
                       "community.library_state", "community.library_edit"]  # fmt: skip


async def test_infographics_need_alt_text_and_a_checked_image(client, person):
    c, clinician, _educator, member = await setup_library(client, person)
    base = {"kind": "infographic", "title": "Plate model", "body": "Half the plate vegetables."}
    assert await create(client, clinician, c["slug"], base, expect=422)
    item = await create(client, clinician, c["slug"], {**base, "alt_text": "A divided plate"})
    url = f"{API}/library/{item['id']}"
    early = await client.put(f"{url}/state", json={"state": "published"},
                             headers=clinician.headers)  # fmt: skip
    assert early.status_code == 422
    fake = await client.put(f"{url}/image", files={"file": ("x.png", b"<svg>", "image/png")},
                            headers=clinician.headers)  # fmt: skip
    assert fake.status_code == 415
    big = await client.put(f"{url}/image", files={"file": ("x.png", PNG * 40000, "image/png")},
                           headers=clinician.headers)  # fmt: skip
    assert big.status_code == 413
    good = await client.put(f"{url}/image", files={"file": ("x.png", PNG, "image/png")},
                            headers=clinician.headers)  # fmt: skip
    assert good.status_code == 200 and good.json()["has_image"] is True
    await client.put(f"{url}/state", json={"state": "published"}, headers=clinician.headers)
    image = await client.get(f"{url}/image", headers=member.headers)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == PNG
    shown = (await client.get(url, headers=member.headers)).json()
    assert shown["alt_text"] == "A divided plate" and "vegetables" in shown["html"]


async def test_a_quiz_is_scored_on_the_server_and_erased_with_the_member(app, client, person):
    c, clinician, _educator, member = await setup_library(client, person)
    item = await create(client, clinician, c["slug"], QUIZ)
    assert item["questions"][1]["correct"] == [0, 1]  # authors see the answers
    url = f"{API}/library/{item['id']}"
    await client.put(f"{url}/state", json={"state": "published"}, headers=clinician.headers)
    shown = (await client.get(url, headers=member.headers)).json()
    assert all(q["correct"] is None and q["explanation"] is None for q in shown["questions"])
    assert shown["my_result"] is None

    for wrong in ({"answers": [[0]]}, {"answers": [[0], [0], [1]]}, {"answers": [[5], [0]]},
                  {"answers": [[0, 1], [0]]}, {"answers": "A"}, {"answers": [["x"], [0]]},
                  {"answers": [[0, 0], [1]]}, {}):  # fmt: skip
        answer = await client.post(f"{url}/answers", json=wrong, headers=member.headers)
        assert answer.status_code == 422, (wrong, answer.text)
    scored = await client.post(f"{url}/answers", json={"answers": [[1], [1, 0]]},
                               headers=member.headers)  # fmt: skip
    assert scored.status_code == 200, scored.text
    result = scored.json()
    assert (result["score"], result["total"]) == (1, 2)
    assert [f["right"] for f in result["feedback"]] == [False, True]
    assert result["feedback"][0]["explanation"].startswith("Fast sugar acts")
    again = (await client.get(url, headers=member.headers)).json()["my_result"]
    assert again["score"] == 1 and again["feedback"][1]["chosen"] == [0, 1]

    assert (await client.delete("/api/me", headers=member.headers)).status_code == 202
    async with app.state.runtime.db.session() as session:
        assert await PrivacyService(session, app.state.runtime.settings).erase_due() == 1
    assert await count(app, QuizResult, QuizResult.account_id == member.id) == 0
    async with app.state.runtime.db.session() as session:
        row = await session.scalar(select(LibraryItem).where(LibraryItem.title == QUIZ["title"]))
        assert row is not None and row.state == "published"


async def test_quiz_shapes_are_checked_when_written(client, person):
    c, clinician, _educator, _member = await setup_library(client, person)
    question = QUIZ["questions"][0]
    for bad in (
        {**QUIZ, "questions": []},
        {**QUIZ, "questions": [{**question, "correct": [3]}]},
        {**QUIZ, "questions": [{**question, "correct": [0, 1]}]},
        {**QUIZ, "questions": [{**question, "options": ["only one"]}]},
        {**QUIZ, "kind": "article", "questions": [question]},
        {**QUIZ, "kind": "podcast"},
    ):
        await create(client, clinician, c["slug"], bad, expect=422)
