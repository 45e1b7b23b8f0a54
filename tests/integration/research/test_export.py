"""De-identified exports: planted identifiers never leave, the k-anonymity gate refuses with its
reason, withdrawal removes a patient from the next export, the files are encrypted at rest."""

from __future__ import annotations

from sqlalchemy import text

from careverse.research.models import ExportFile
from tests.integration.privacy.support import audit_rows, count
from tests.integration.research.support import (
    BASE,
    cohort,
    condition,
    consenting,
    export,
    files,
    new_study,
    opt_in,
    profile,
)

PLANTED = {
    "name": "Wilhelmina Quartermaine",
    "email": "wilhelmina.q@example.net",
    "phone": "+44 20 7946 0958",
    "record": "MRN 00482913",
    "street": "42 Larkspur Avenue",
    "zip5": "02139",
    "date": "14/07/2023",
    "birth": "1961-07-14",
}


async def test_an_export_contains_none_of_the_planted_identifiers(client, person):
    researcher, admin, clinician = await person("researcher"), await person("admin"), \
        await person("clinician")  # fmt: skip
    study = await new_study(client, researcher, admin)
    planted = await person("patient", name=PLANTED["name"], email=PLANTED["email"])
    await profile(client, planted, birth_date=PLANTED["birth"], phone=PLANTED["phone"],
                  contact_email=PLANTED["email"])  # fmt: skip
    from tests.integration.privacy.support import assign

    await assign(client, admin, clinician, planted)
    note = (f"Wilhelmina lives at {PLANTED['street']}, Cambridge MA {PLANTED['zip5']}; call "
            f"{PLANTED['phone']} or {PLANTED['email']}. {PLANTED['record']}. Seen on "
            f"{PLANTED['date']}.")  # fmt: skip
    await condition(client, clinician, planted, "Essential hypertension", note,
                    onset="2023-07-14")  # fmt: skip
    await opt_in(client, planted, study["id"])
    others = await consenting(client, person, admin, clinician, study["id"], 2,
                              birth_date="1963-02-01")  # fmt: skip
    assert len(others) == 2
    made = await cohort(client, researcher, study["id"], conditions=["hypertension"])
    done = await export(client, researcher, admin, study["id"], made["id"])

    manifest = done["manifest"]
    assert manifest["patients"] == 3
    assert manifest["pseudonymKeyId"] and "pseudonym_key" not in str(manifest)
    assert manifest["disclosure"]["k"] >= 3
    got = await files(client, researcher, done)
    assert {"Patient.ndjson", "Condition.ndjson", "cohort.csv"} <= set(got)
    everything = "\n".join(got.values())
    for kind, value in PLANTED.items():
        assert value.lower() not in everything.lower(), kind
    for word in ("Wilhelmina", "Quartermaine", str(planted.patient_id), "2023-07-14",
                 "7946", "Larkspur"):  # fmt: skip
        assert word.lower() not in everything.lower(), word
    assert "60-69" in got["cohort.csv"] and "hypertension" in got["cohort.csv"].lower()
    # Encrypted at rest: the stored content is ciphertext.
    async with client._transport.app.state.runtime.db.session() as session:  # type: ignore[attr-defined]
        raw = (await session.execute(text("SELECT content FROM research_export_files"))).all()
    assert raw and all("Essential" not in r[0] for r in raw)
    assert await count(client._transport.app, ExportFile) == len(got)  # type: ignore[attr-defined]


async def test_an_export_below_k_is_refused_with_the_reason(app, client, person):
    researcher, admin, clinician = await person("researcher"), await person("admin"), \
        await person("clinician")  # fmt: skip
    study = await new_study(client, researcher, admin, k=5)
    await consenting(client, person, admin, clinician, study["id"], 3)
    made = await cohort(client, researcher, study["id"], conditions=["hypertension"])
    refused = await client.post(f"{BASE}/{study['id']}/cohorts/{made['id']}/$export",
                                headers=researcher.headers)  # fmt: skip
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "disclosure_risk"
    assert "k" in refused.json()["detail"] and "5" in refused.json()["detail"]
    listed = await client.get(f"{BASE}/{study['id']}/exports", headers=researcher.headers)
    assert listed.json() == []
    denied = await audit_rows(app, action="research.export.request", outcome="denied")
    assert len(denied) == 1


async def test_withdrawing_removes_the_patient_from_the_next_export(app, client, person):
    researcher, admin, clinician = await person("researcher"), await person("admin"), \
        await person("clinician")  # fmt: skip
    study = await new_study(client, researcher, admin, k=2)
    patients = await consenting(client, person, admin, clinician, study["id"], 3)
    made = await cohort(client, researcher, study["id"])
    first = await export(client, researcher, admin, study["id"], made["id"])
    assert first["manifest"]["patients"] == 3
    gone = await client.delete(f"{BASE}/{study['id']}/consent", headers=patients[0].headers)
    assert gone.status_code == 204
    second = await export(client, researcher, admin, study["id"], made["id"])
    assert second["manifest"]["patients"] == 2
    withdrawn = await audit_rows(app, action="research.consent.withdraw")
    assert [r.patient_id for r in withdrawn] == [patients[0].patient_id]
    # The patient sees the withdrawal, and its FHIR Consent is inactive.
    mine = (await client.get("/api/research/consents", headers=patients[0].headers)).json()
    assert mine[0]["status"] == "withdrawn" and mine[0]["shared"]
    fhir = await client.get(f"/api/research/consents/{mine[0]['consent_id']}/fhir",
                            headers=patients[0].headers)  # fmt: skip
    assert fhir.status_code == 200
    assert fhir.json()["resourceType"] == "Consent" and fhir.json()["status"] == "inactive"
    assert fhir.json()["provision"]["purpose"][0]["code"] == "HRESCH"


async def test_an_export_waits_for_its_approver_and_others_get_404(client, person):
    researcher, admin, clinician = await person("researcher"), await person("admin"), \
        await person("clinician")  # fmt: skip
    other_admin, other_researcher = await person("admin"), await person("researcher")
    study = await new_study(client, researcher, admin, k=2)
    await consenting(client, person, admin, clinician, study["id"], 2)
    made = await cohort(client, researcher, study["id"])
    started = await client.post(f"{BASE}/{study['id']}/cohorts/{made['id']}/$export",
                                headers=researcher.headers)  # fmt: skip
    url = started.headers["Content-Location"]
    assert (await client.post(f"{url}/approve", headers=researcher.headers)).status_code == 403
    for who in (other_admin, other_researcher):
        assert (await client.post(f"{url}/approve", headers=who.headers)).status_code == 404
        assert (await client.get(url, headers=who.headers)).status_code == 404
    files_url = f"{url}/files/cohort.csv"
    assert (await client.get(files_url, headers=researcher.headers)).status_code == 404
