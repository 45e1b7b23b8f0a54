"""The demo patients' health records: seeded once by their clinician, read by the patient and by
the caregiver the demo patient delegated ``record:read`` to, valid in ``$everything``."""

from __future__ import annotations

from careverse import demo
from tests.integration.fhir.test_resources import valid


async def _sign_in(client, local: str) -> dict:
    client.cookies.clear()
    response = await client.post(
        "/api/auth/session",
        json={"email": f"{local}@{demo.DOMAIN}", "password": demo.DEMO_PASSWORD},
    )
    assert response.status_code == 200, response.text
    return response.json()["account"]


async def test_demo_patients_have_a_health_record_seeded_once(app, client):
    for _ in range(2):  # seeding again adds nothing
        async with app.state.runtime.db.session() as session:
            await demo.seed(session, app.state.runtime.settings)
    amara = await _sign_in(client, "amara")
    url = f"/api/care/patients/{amara['patient_id']}/health"
    record = (await client.get(url)).json()
    assert len(record["conditions"]) == 4
    assert {c["plain_text"] for c in record["conditions"]} >= {"High blood pressure"}
    assert [m["name"] for m in record["medications"]] == [
        "Amlodipine", "Metformin", "Salbutamol inhaler",
    ]  # fmt: skip
    assert [a["substance"] for a in record["allergies"]] == ["Penicillin", "Codeine"]
    assert len(record["care_plans"]) == 1 and len(record["care_plans"][0]["goals"]) == 3
    assert record["care_plans"][0]["recorded_by_name"] == "Dr. Sofia Rivera"

    await _sign_in(client, "maria")  # Amara's caregiver, with record:read
    assert (await client.get(url)).status_code == 200
    await _sign_in(client, "dr.okafor")  # not Amara's clinician
    assert (await client.get(url)).status_code == 404
    lucia = await _sign_in(client, "lucia")
    theirs = (await client.get(f"/api/care/patients/{lucia['patient_id']}/health")).json()
    assert len(theirs["conditions"]) == 2 and len(theirs["medications"]) == 3

    await _sign_in(client, "dr.rivera")
    everything = await client.get(f"/fhir/Patient/{amara['patient_id']}/$everything")
    assert everything.status_code == 200
    valid(everything.json(), "Bundle")
