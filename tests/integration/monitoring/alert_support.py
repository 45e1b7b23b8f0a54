"""Helpers of the rules, alerts and panel tests: a care team, readings in, alerts out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx

from careverse.kernel import clock
from careverse.monitoring.jobs import Evaluator
from tests.integration.monitoring.support import point
from tests.integration.privacy.support import Person, assign

# Long-lived tokens: these tests move the fake clock by hours.
LONG_SESSIONS = {"access_token_ttl_seconds": 7 * 24 * 3600, "alert_check_seconds": 3600}


@dataclass
class Team:
    admin: Person
    clinician: Person
    patient: Person


async def team(client: httpx.AsyncClient, person, *, patient_name: str | None = None) -> Team:
    admin = await person("admin")
    clinician = await person("clinician")
    patient = await person("patient", name=patient_name)
    await assign(client, admin, clinician, patient)
    return Team(admin, clinician, patient)


def at(minutes_ago: float = 0) -> str:
    return (clock.now() - timedelta(minutes=minutes_ago)).isoformat()


def vital(code: str, value: float, minutes_ago: float = 0, **extra) -> dict:
    """An Open mHealth data point of one vital sign, measured ``minutes_ago``."""
    when = at(minutes_ago)
    if code == "8867-4":
        return point("heart-rate", {"heart_rate": {"value": value, "unit": "beats/min"}}, at=when)
    if code == "59408-5":
        body: dict = {"oxygen_saturation": {"value": value, "unit": "%"}}
        if "flow" in extra:
            body["supplemental_oxygen_flow_rate"] = {"value": extra["flow"], "unit": "L/min"}
        return point("oxygen-saturation", body, at=when)
    if code == "9279-1":
        return point(
            "respiratory-rate", {"respiratory_rate": {"value": value, "unit": "breaths/min"}},
            at=when,
        )  # fmt: skip
    if code == "8310-5":
        return point(
            "body-temperature", {"body_temperature": {"value": value, "unit": "C"}}, at=when
        )
    if code == "8480-6":
        return point(
            "blood-pressure",
            {
                "systolic_blood_pressure": {"value": value, "unit": "mmHg"},
                "diastolic_blood_pressure": {"value": extra.get("diastolic", 60), "unit": "mmHg"},
            },
            at=when,
        )
    if code == "29463-7":
        return point("body-weight", {"body_weight": {"value": value, "unit": "kg"}}, at=when)
    raise AssertionError(f"no data point helper for {code}")


async def send(app, client: httpx.AsyncClient, patient: Person, *points: dict) -> dict:
    """The patient sends readings; waits until the rules have run on them."""
    response = await client.post(
        "/api/monitoring/readings",
        json={"patient_id": str(patient.patient_id), "data_points": list(points)},
        headers=patient.headers,
    )
    assert response.status_code == 200, response.text
    assert not response.json()["rejected"], response.text
    await app.state.runtime.get(Evaluator).wait_idle()
    return response.json()


async def add_rule(client: httpx.AsyncClient, clinician: Person, patient: Person, **rule) -> dict:
    response = await client.post(
        f"/api/monitoring/patients/{patient.patient_id}/rules", json=rule, headers=clinician.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def alerts(
    client: httpx.AsyncClient, clinician: Person, status: str | None = None, source: str = ""
) -> list:
    """The clinician's alerts (of one source, "rule" or "news2", if given)."""
    params = {"status": status} if status else {}
    response = await client.get("/api/monitoring/alerts", params=params, headers=clinician.headers)
    assert response.status_code == 200, response.text
    return [a for a in response.json()["alerts"] if source in ("", a["source"])]


NORMAL_SET = {
    "9279-1": 16,
    "59408-5": 97,
    "8480-6": 125,
    "8867-4": 72,
    "8310-5": 37.0,
}


def vitals_set(changes: dict[str, float] | None = None, minutes_ago: float = 0) -> list[dict]:
    """A full set of NEWS2 vital signs, normal except the given {code: value} changes."""
    chosen = {**NORMAL_SET, **(changes or {})}
    return [vital(code, value, minutes_ago) for code, value in chosen.items()]
