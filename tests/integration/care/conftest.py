"""Fixtures of the care tests: people (cheap password hashing) and a clinician with hours."""

from __future__ import annotations

import pytest

from tests.integration.care.support import MONDAY, WEEKDAYS
from tests.integration.privacy.support import Person, cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "person"]


@pytest.fixture
def monday(fake_clock):
    fake_clock.now = MONDAY
    return fake_clock


@pytest.fixture
def clinician_with_hours(client, person):
    """A clinician with weekday hours 09:00-17:00 in a zone (Europe/London by default)."""

    async def make(zone: str = "Europe/London", **extra) -> Person:
        clinician = await person("clinician", name=extra.pop("name", "Dr. Lena Park"))
        body = {
            "time_zone": zone, "buffer_minutes": 5, "languages": ["en", "fr"],
            "specialties": ["General practice"], "weekly": WEEKDAYS, **extra,
        }  # fmt: skip
        response = await client.put("/api/care/availability", json=body, headers=clinician.headers)
        assert response.status_code == 200, response.text
        return clinician

    return make
