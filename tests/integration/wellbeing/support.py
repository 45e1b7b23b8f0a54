"""Helpers of the wellbeing tests."""

from __future__ import annotations

import httpx

from tests.integration.privacy.support import Person

PHQ9_CALM = [0, 1, 0, 1, 0, 0, 0, 0, 0]


async def submit(
    client: httpx.AsyncClient, patient: Person, instrument: str, answers, status: int = 201,
    **headers: str,
) -> dict:  # fmt: skip
    response = await client.post(
        "/api/wellbeing/responses",
        json={"instrument": instrument, "answers": answers},
        headers={**patient.headers, **headers},
    )
    assert response.status_code == status, response.text
    return response.json()
