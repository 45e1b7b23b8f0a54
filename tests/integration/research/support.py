"""Helpers of the research tests: a study, consenting patients with planted identifiers."""

from __future__ import annotations

import uuid

import httpx

from tests.integration.privacy.support import Person, assign

BASE = "/api/research/studies"


async def new_study(client: httpx.AsyncClient, researcher: Person, admin: Person, *,
                    approve: bool = True, **extra) -> dict:  # fmt: skip
    body = {"title": "Blood pressure and mood", "protocol": "Does mood follow blood pressure?",
            "approver_id": str(admin.id), "k": 3, **extra}  # fmt: skip
    made = await client.post(BASE, json=body, headers=researcher.headers)
    assert made.status_code == 201, made.text
    if approve:
        done = await client.post(f"{BASE}/{made.json()['id']}/approve", headers=admin.headers)
        assert done.status_code == 200, done.text
    return made.json()


async def profile(client: httpx.AsyncClient, patient: Person, **fields) -> None:
    body = {"birth_date": "1980-03-04", "sex": "female", **fields}
    changed = await client.patch(f"/api/patients/{patient.patient_id}", json=body,
                                 headers=patient.headers)  # fmt: skip
    assert changed.status_code == 200, changed.text


async def condition(client, clinician: Person, patient: Person, text: str, note: str = "",
                    onset: str | None = None) -> None:  # fmt: skip
    body: dict = {"text": text, "plain_text": note or None}
    if onset:
        body["onset"] = onset
    made = await client.post(f"/api/care/patients/{patient.patient_id}/conditions", json=body,
                             headers=clinician.headers)  # fmt: skip
    assert made.status_code == 201, made.text


async def opt_in(client: httpx.AsyncClient, patient: Person, study_id: str) -> None:
    done = await client.post(f"{BASE}/{study_id}/consent", headers=patient.headers)
    assert done.status_code == 204, done.text


async def consenting(client, person, admin: Person, clinician: Person, study_id: str,
                     n: int, condition_text: str = "Essential hypertension",
                     **fields) -> list[Person]:  # fmt: skip
    """``n`` patients with a profile and a condition, each opted in to the study."""
    out = []
    for _ in range(n):
        patient = await person("patient")
        await profile(client, patient, **fields)
        await assign(client, admin, clinician, patient)
        await condition(client, clinician, patient, condition_text)
        await opt_in(client, patient, study_id)
        out.append(patient)
    return out


async def cohort(client, researcher: Person, study_id: str, **criteria) -> dict:
    made = await client.post(f"{BASE}/{study_id}/cohorts",
                             json={"name": "Hypertension", "criteria": criteria},
                             headers=researcher.headers)  # fmt: skip
    assert made.status_code == 201, made.text
    return made.json()


async def export(client, researcher: Person, admin: Person, study_id: str,
                 cohort_id: str) -> dict:  # fmt: skip
    """Kick off, approve and answer the completed export's status."""
    started = await client.post(f"{BASE}/{study_id}/cohorts/{cohort_id}/$export",
                                headers=researcher.headers)  # fmt: skip
    assert started.status_code == 202, started.text
    status_url = started.headers["Content-Location"]
    waiting = await client.get(status_url, headers=researcher.headers)
    assert waiting.status_code == 202 and waiting.headers["X-Progress"] == "awaiting approval"
    approved = await client.post(f"{status_url}/approve", headers=admin.headers)
    assert approved.status_code == 200, approved.text
    done = await client.get(status_url, headers=researcher.headers)
    assert done.status_code == 200, done.text
    return done.json()


async def files(client, researcher: Person, done: dict) -> dict[str, str]:
    out = {}
    for f in done["manifest"]["files"]:
        got = await client.get(f"{done['status_url']}/files/{f['name']}",
                               headers=researcher.headers)  # fmt: skip
        assert got.status_code == 200, got.text
        out[f["name"]] = got.text
    return out


def short() -> str:
    return uuid.uuid4().hex[:6]
