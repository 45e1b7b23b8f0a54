"""Helpers of the self-help tests."""

from __future__ import annotations

import httpx

from tests.integration.privacy.support import Person

API = "/api/wellbeing/self-help"


def thought_record(**changes) -> dict:
    base = {
        "situation": "My manager asked to see me tomorrow",
        "emotions": [{"name": "anxious", "intensity": 85}, {"name": "low", "intensity": 50}],
        "automatic_thoughts": ["I did something wrong", "I'll lose my job"],
        "hot_thought": 1,
        "evidence_for": "The message was short",
        "evidence_against": "My last review was good; she often books quick catch-ups",
        "balanced_thought": "It is more likely a routine catch-up than bad news",
        "rerated": [{"name": "anxious", "intensity": 35}, {"name": "low", "intensity": 30}],
        "traps": ["catastrophising", "fortune-telling"],
    }
    return {**base, **changes}


async def write(client: httpx.AsyncClient, patient: Person, status: int = 201, **changes) -> dict:
    r = await client.post(
        f"{API}/thought-records", json=thought_record(**changes), headers=patient.headers
    )
    assert r.status_code == status, r.text
    return r.json()
