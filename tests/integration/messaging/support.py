"""Helpers of the messaging tests: small real files, threads and replies through the API."""

from __future__ import annotations

import httpx

from tests.integration.privacy.support import Person

# The smallest real files of each kind: their first bytes are what the server reads.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000000000500010d0a2db40000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
EXE = b"MZ\x90\x00" + b"\x00" * 60  # a Windows program, whatever its name says


async def start(
    client: httpx.AsyncClient,
    who: Person,
    subject: str = "Question about my tablets",
    body: str = "Should I take them with food?",
    patient_id=None,
    file: tuple[str, bytes, str] | None = None,
) -> httpx.Response:
    data = {"subject": subject, "body": body}
    if patient_id is not None:
        data["patient_id"] = str(patient_id)
    files = {"file": file} if file else None
    return await client.post("/api/messages/threads", data=data, files=files, headers=who.headers)


async def reply(
    client: httpx.AsyncClient, who: Person, thread_id: str, body: str, file=None
) -> httpx.Response:
    files = {"file": file} if file else None
    return await client.post(
        f"/api/messages/threads/{thread_id}/messages",
        data={"body": body},
        files=files,
        headers=who.headers,
    )


async def notices(client: httpx.AsyncClient, who: Person, **params) -> list[dict]:
    response = await client.get("/api/me/notifications", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def unread(client: httpx.AsyncClient, who: Person) -> int:
    response = await client.get("/api/me/notifications/unread-count", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()["unread"]
