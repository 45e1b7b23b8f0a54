"""Finding 1 of the hardening probe: a refused break-glass request (its audit row has no resource
id) made the victim's access log answer 500 on every call from then on. The access log renders
every kind of audit row, refusals included, and no request can make it fail."""

from __future__ import annotations

import pytest

from tests.integration.privacy.support import break_glass, cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "person"]


@pytest.mark.parametrize("role", ["patient", "caregiver", "admin", "moderator", "researcher"])
async def test_a_refused_break_glass_leaves_the_access_log_readable(client, person, role):
    victim, stranger = await person("patient"), await person(role)
    r = await client.post(
        "/api/privacy/break-glass",
        json={"patient_id": str(victim.patient_id), "reason": "I want to look"},
        headers=stranger.headers,
    )
    assert r.status_code in (403, 404), r.text

    for _ in range(2):  # not just the first call after it
        r = await client.get("/api/me/access-log", headers=victim.headers)
        assert r.status_code == 200, r.text
    refused = [e for e in r.json() if e["action"] == "break-glass.start"]
    assert [e["outcome"] for e in refused] == ["denied"], r.json()  # shown, not hidden


async def test_real_emergency_access_after_a_refusal_reaches_the_patient(client, person):
    victim, caregiver, clinician = (
        await person("patient"), await person("caregiver"), await person("clinician"),
    )  # fmt: skip
    r = await client.post(
        "/api/privacy/break-glass",
        json={"patient_id": str(victim.patient_id), "reason": "I was only curious about her"},
        headers=caregiver.headers,
    )
    assert r.status_code in (403, 404), r.text
    await break_glass(client, clinician, victim, "Unconscious in the emergency department")

    r = await client.get("/api/me/access-log", headers=victim.headers)
    assert r.status_code == 200, r.text
    assert "break-glass.start" in r.text and "Unconscious in the emergency department" in r.text
