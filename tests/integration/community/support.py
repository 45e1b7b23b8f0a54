"""Helpers of the community tests: a community made through the API, joining and posting."""

from __future__ import annotations

import uuid

import httpx

from tests.integration.privacy.support import Person

GUIDELINES = "Be kind. No medical advice in place of your clinician's. No names of patients."


async def community(
    client: httpx.AsyncClient, admin: Person, kind: str = "caregiver",
    visibility: str = "public", slug: str | None = None,
) -> dict:  # fmt: skip
    slug = slug or f"{kind.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
    answer = await client.post(
        "/api/community/communities",
        json={"slug": slug, "name": f"Group {slug}", "kind": kind, "visibility": visibility,
              "description": "A place to share", "guidelines": GUIDELINES},
        headers=admin.headers,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()


async def join(
    client: httpx.AsyncClient, who: Person, slug: str, expect: int = 200, **extra
) -> dict:
    body = {"accept_guidelines": True, "guidelines_version": 1, **extra}
    answer = await client.post(f"/api/community/communities/{slug}/join", json=body,
                               headers=who.headers)  # fmt: skip
    assert answer.status_code == expect, answer.text
    return answer.json()


async def topic(
    client: httpx.AsyncClient, who: Person, slug: str, title: str = "Nights are hard",
    body: str = "How do you keep going when the nights are long?", identity: str = "pseudonym",
    expect: int = 201,
) -> dict:  # fmt: skip
    answer = await client.post(
        f"/api/community/communities/{slug}/threads",
        json={"title": title, "body": body, "identity": identity},
        headers=who.headers,
    )
    assert answer.status_code == expect, answer.text
    return answer.json()


async def reply(
    client: httpx.AsyncClient, who: Person, thread_id: str, body: str = "Same here.",
    expect: int = 201, **extra,
) -> dict:  # fmt: skip
    answer = await client.post(f"/api/community/threads/{thread_id}/posts",
                               json={"body": body, **extra}, headers=who.headers)  # fmt: skip
    assert answer.status_code == expect, answer.text
    return answer.json()


async def read(client: httpx.AsyncClient, who: Person, thread_id: str, expect: int = 200) -> dict:
    answer = await client.get(f"/api/community/threads/{thread_id}", headers=who.headers)
    assert answer.status_code == expect, answer.text
    return answer.json()
