"""Trials through the API: the allocation is concealed (no seed, no next arm, to anyone),
enrolment needs consent and eligibility, and each draw is audited."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from careverse.research.models import Trial
from tests.integration.privacy.support import audit_rows
from tests.integration.research.support import BASE, cohort, consenting, new_study

ARMS = [{"name": "Reminders", "ratio": 1, "intervention": "reminder-schedule"},
        {"name": "Usual care", "ratio": 1}]  # fmt: skip


async def _trial(client, researcher, study_id: str, **extra) -> dict:
    body = {"title": "Reminder trial", "method": "permuted_blocks", "arms": ARMS,
            "block_sizes": [2, 4], "factors": ["sex"], **extra}  # fmt: skip
    made = await client.post(f"{BASE}/{study_id}/trials", json=body, headers=researcher.headers)
    assert made.status_code == 201, made.text
    return made.json()


async def test_allocation_is_concealed_and_each_draw_audited(app, client, person):
    researcher, admin, clinician = await person("researcher"), await person("admin"), \
        await person("clinician")  # fmt: skip
    study = await new_study(client, researcher, admin)
    await consenting(client, person, admin, clinician, study["id"], 4)
    trial = await _trial(client, researcher, study["id"])
    async with app.state.runtime.db.session() as session:
        seed = (await session.scalar(select(Trial).where(Trial.id == uuid.UUID(trial["id"])))).seed
    base = f"{BASE}/{study['id']}/trials/{trial['id']}"
    eligible = await client.get(f"{base}/eligible", headers=researcher.headers)
    assert eligible.status_code == 200 and len(eligible.json()) == 4
    seen: list[str] = []
    for n, participant in enumerate(eligible.json(), start=1):
        # Before each draw, nobody can see what comes next: no route answers it, no answer
        # carries the seed, and the allocations list holds the past ones only.
        for who in (researcher, admin):
            for url in (f"{BASE}/{study['id']}/trials", f"{base}/allocations", f"{base}/eligible"):
                got = await client.get(url, headers=who.headers)
                assert seed not in got.text
            listed = await client.get(f"{base}/allocations", headers=who.headers)
            assert [a["arm"] for a in listed.json()] == seen
        for probe in ("next", "sequence", "seed"):
            assert (await client.get(f"{base}/{probe}", headers=admin.headers)).status_code \
                in (404, 405)  # fmt: skip
        drawn = await client.post(f"{base}/enrolments", json={"participant": participant},
                                  headers=researcher.headers)  # fmt: skip
        assert drawn.status_code == 201, drawn.text
        assert drawn.json()["seq"] == n and seed not in drawn.text
        seen.append(drawn.json()["arm"])
    assert set(seen) <= {"Reminders", "Usual care"}
    # Staff may not enrol; enrolling twice is refused; an unknown pseudonym is 422.
    again = await client.post(f"{base}/enrolments", json={"participant": eligible.json()[0]},
                              headers=researcher.headers)  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "enrolled"
    staff = await client.post(f"{base}/enrolments", json={"participant": "x"},
                              headers=admin.headers)  # fmt: skip
    assert staff.status_code == 403
    draws = await audit_rows(app, action="research.trial.allocate")
    assert len(draws) == 4 and all(r.detail and '"arm"' not in r.detail for r in draws)


async def test_only_consented_eligible_patients_are_enrolled(client, person):
    researcher, admin, clinician = await person("researcher"), await person("admin"), \
        await person("clinician")  # fmt: skip
    study = await new_study(client, researcher, admin)
    patients = await consenting(client, person, admin, clinician, study["id"], 2)
    await consenting(client, person, admin, clinician, study["id"], 1, "Asthma")
    hyper = await cohort(client, researcher, study["id"], conditions=["hypertension"])
    trial = await _trial(client, researcher, study["id"], method="minimise", block_sizes=[],
                         cohort_id=hyper["id"], factors=["sex", "age_band"])  # fmt: skip
    base = f"{BASE}/{study['id']}/trials/{trial['id']}"
    eligible = (await client.get(f"{base}/eligible", headers=researcher.headers)).json()
    assert len(eligible) == 2
    await client.delete(f"{BASE}/{study['id']}/consent", headers=patients[0].headers)
    eligible = (await client.get(f"{base}/eligible", headers=researcher.headers)).json()
    assert len(eligible) == 1
    drawn = await client.post(f"{base}/enrolments", json={"participant": eligible[0]},
                              headers=researcher.headers)  # fmt: skip
    assert drawn.status_code == 201, drawn.text
    assert drawn.json()["stratum"] == {"sex": "female", "age_band": "40-49"}


async def test_bad_trials_are_422(client, person):
    researcher, admin = await person("researcher"), await person("admin")
    study = await new_study(client, researcher, admin)
    url = f"{BASE}/{study['id']}/trials"
    base = {"title": "T", "method": "permuted_blocks", "arms": ARMS, "block_sizes": [4]}
    cases = [({"method": "coin"}, "method"), ({"block_sizes": [3]}, "block_sizes"),
             ({"arms": [ARMS[0], ARMS[0]]}, "arms"), ({"factors": ["postcode"]}, "factors"),
             ({"arms": [{**ARMS[0], "intervention": "surgery"}, ARMS[1]]}, "arms"),
             ({"method": "minimise", "factors": []}, "factors")]  # fmt: skip
    for change, field in cases:
        bad = await client.post(url, json={**base, **change}, headers=researcher.headers)
        assert bad.status_code == 422, (change, bad.text)
        assert field in str(bad.json()["detail"][0]["loc"]), (change, bad.text)
