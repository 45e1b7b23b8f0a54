"""Studies, research consent and cohorts through the API: who sees what, small counts
suppressed, bad input answered 422, and the research consent in the patient's record."""

from __future__ import annotations

import uuid

from tests.integration.research.support import (
    BASE,
    cohort,
    consenting,
    new_study,
    opt_in,
)


async def test_other_researchers_and_roles_get_404(client, person):
    researcher, admin = await person("researcher"), await person("admin")
    study = await new_study(client, researcher, admin, approve=False)
    url = f"{BASE}/{study['id']}"
    assert (await client.get(url, headers=researcher.headers)).status_code == 200
    assert (await client.get(url, headers=admin.headers)).status_code == 200
    for role in ("researcher", "admin", "clinician", "patient"):
        stranger = await person(role)
        assert (await client.get(url, headers=stranger.headers)).status_code == 404, role
        assert (await client.get(f"{url}/cohorts", headers=stranger.headers)).status_code == 404
    assert (await client.get(f"{BASE}/{uuid.uuid4()}", headers=researcher.headers)).status_code \
        == 404  # fmt: skip
    patient = await person("patient")
    # A draft study is not open to patients.
    assert (await client.post(f"{url}/consent", headers=patient.headers)).status_code == 404
    assert (await client.get("/api/research/consents", headers=patient.headers)).json() == []
    clinician = await person("clinician")
    made = await client.post(BASE, json={"title": "x", "protocol": "y",
                                         "approver_id": str(admin.id)},
                             headers=clinician.headers)  # fmt: skip
    assert made.status_code == 403


async def test_bad_input_is_422_with_the_field(client, person):
    researcher, admin = await person("researcher"), await person("admin")
    base = {"title": "T", "protocol": "P", "approver_id": str(admin.id)}
    cases = [({"approver_id": str(researcher.id)}, "approver_id"), ({"k": 1}, "k"),
             ({"l": 2}, "l"), ({"l": 2, "sensitive": "postcode"}, "sensitive"),
             ({"title": "   "}, "title")]  # fmt: skip
    for change, field in cases:
        bad = await client.post(BASE, json={**base, **change}, headers=researcher.headers)
        assert bad.status_code == 422, (change, bad.text)
        assert field in str(bad.json()["detail"][0]["loc"]), (change, bad.text)
    study = await new_study(client, researcher, admin)
    url = f"{BASE}/{study['id']}/cohorts"
    for criteria, field in [({"age_bands": ["12-13"]}, "age_bands"), ({"sex": ["x"]}, "sex"),
                            ({"readings": [{"code": "8867-4", "op": "~", "value": 1}]}, "readings"),
                            ({"scores": [{"op": ">", "value": 1}]}, "scores")]:  # fmt: skip
        bad = await client.post(url, json={"name": "c", "criteria": criteria},
                                headers=researcher.headers)  # fmt: skip
        assert bad.status_code == 422, (criteria, bad.text)
        assert field in str(bad.json()["detail"][0]["loc"]), bad.text
    bad = await client.post(url, json={"name": "c", "criteria": {"min_attendance": -1}},
                            headers=researcher.headers)  # fmt: skip
    assert bad.status_code == 422


async def test_cohorts_count_consented_patients_only_and_suppress_small_counts(client, person):
    researcher, admin, clinician = await person("researcher"), await person("admin"), \
        await person("clinician")  # fmt: skip
    study = await new_study(client, researcher, admin)
    await consenting(client, person, admin, clinician, study["id"], 11)
    await consenting(client, person, admin, clinician, study["id"], 2, "Type 2 diabetes",
                     birth_date="1940-01-01", sex="male")  # fmt: skip
    # Patients who did not consent never count, whatever their data.
    unconsented = await person("patient")
    assert unconsented
    everyone = await cohort(client, researcher, study["id"])
    assert everyone["count"] == "13" and everyone["suppressed"] is False
    hyper = await cohort(client, researcher, study["id"], conditions=["hypertension"],
                         age_bands=["40-49"], sex=["female"])  # fmt: skip
    assert hyper["count"] == "11"
    diabetes = await cohort(client, researcher, study["id"], conditions=["diabetes"])
    assert diabetes["count"] == "< 11" and diabetes["suppressed"] is True
    assert "2" not in diabetes["count"]
    old = await cohort(client, researcher, study["id"], age_bands=["80-89"])
    assert old["count"] == "< 11"
    again = await client.get(f"{BASE}/{study['id']}/cohorts/{diabetes['id']}",
                             headers=researcher.headers)  # fmt: skip
    assert again.json()["count"] == "< 11"


async def test_the_research_consent_is_in_the_patients_record(client, person):
    researcher, admin = await person("researcher"), await person("admin")
    study = await new_study(client, researcher, admin)
    patient = await person("patient")
    await opt_in(client, patient, study["id"])
    listed = (await client.get("/api/research/consents", headers=patient.headers)).json()
    assert listed[0]["status"] == "active" and listed[0]["title"] == study["title"]
    everything = await client.get(f"/fhir/Patient/{patient.patient_id}/$everything",
                                  headers=patient.headers)  # fmt: skip
    assert everything.status_code == 200, everything.text
    consents = [e["resource"] for e in everything.json()["entry"]
                if e["resource"]["resourceType"] == "Consent"]  # fmt: skip
    assert any(c["scope"]["coding"][0]["code"] == "research" for c in consents)
