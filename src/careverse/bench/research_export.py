"""``careverse bench research-export``: the de-identification stage of a research export —
every record of a cohort through ``research.deidentify.prepare`` (rdeid's Safe Harbor record
de-identifier, the per-patient deny list, NDJSON lines and a CSV row each) and the k-anonymity
gate (``deidentify.disclosure``) — for N patients with R hourly readings each.

Records are made at random (seeded): a Patient with name, phone, e-mail and birth date, one
Condition with a free-text note holding identifiers, and R vital-sign Observations an hour apart.
Not timed: reading the records from the database (the patient-record sections) and storing the
encrypted files. Patients per second are reported with the extrapolated time of the issue's
target (10,000 patients with a year of hourly readings, ≤ 60 s).
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from careverse.research import deidentify
from careverse.research.criteria import facts_of
from careverse.research.models import Study
from careverse.research.population import Member

TARGET_S = 60.0
YEAR_OF_HOURS = 24 * 365
NOTE = "{name} called from 07700 9{n:05d} about her knee; lives at {n} Oak Street, ZIP 02139."


def _record(rng: random.Random, n: int, readings: int) -> list[dict]:
    pid = str(uuid.UUID(int=rng.getrandbits(128)))
    name = f"Person{n} Family{n % 97}"
    start = datetime(2025, 1, 1, tzinfo=UTC)
    out: list[dict] = [
        {"resourceType": "Patient", "id": pid, "name": [{"text": name}],
         "gender": rng.choice(["female", "male"]),
         "birthDate": f"{rng.randint(1940, 2000)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
         "telecom": [{"system": "phone", "value": f"07700 9{n:05d}"},
                     {"system": "email", "value": f"p{n}@example.org"}]},
        {"resourceType": "Condition", "id": str(uuid.uuid4()), "code": {"text": "Hypertension"},
         "subject": {"reference": f"Patient/{pid}"}, "onsetDateTime": "2024-05-01",
         "note": [{"text": NOTE.format(name=name, n=n)}]},
    ]  # fmt: skip
    for h in range(readings):
        out.append({
            "resourceType": "Observation", "id": str(uuid.uuid4()), "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "subject": {"reference": f"Patient/{pid}"},
            "effectiveDateTime": (start + timedelta(hours=h)).isoformat(),
            "valueQuantity": {"value": 60 + rng.random() * 40, "unit": "/min"},
        })  # fmt: skip
    return out


def _members(rng: random.Random, patients: int, readings: int) -> list[Member]:
    today = datetime.now(UTC).date()
    out = []
    for n in range(patients):
        resources = _record(rng, n, readings)
        out.append(
            Member(uuid.UUID(resources[0]["id"]), None, resources, facts_of(resources, today))
        )
    return out


def _timed(study: Study, members: list[Member]) -> tuple[float, dict, str | None]:
    start = time.perf_counter()
    prepared = deidentify.prepare(study, members)
    report, refusal = deidentify.disclosure(study, prepared)
    return time.perf_counter() - start, report, refusal


def run_research_export_bench(patients: int = 200, readings: int = 168, seed: int = 7) -> dict:
    rng = random.Random(seed)
    study = Study(title="bench", protocol="bench", k=5, pseudonym_key="k" * 64, key_id="bench")
    _timed(study, _members(rng, 2, 1))  # warm up: Presidio's engines are built on first use
    bare, _r, _x = _timed(study, _members(rng, patients, 0))
    seconds, report, refusal = _timed(study, _members(rng, patients, readings))
    # Per patient: a fixed part (the Patient, the Condition and its note scrubbed) and a part
    # per reading; the target is 10,000 patients with a year of hourly readings.
    fixed = bare / patients
    per_reading = max(seconds - bare, 0.0) / (patients * readings) if readings else 0.0
    projected = 10_000 * (fixed + YEAR_OF_HOURS * per_reading)
    return {
        "patients": patients,
        "readings_per_patient": readings,
        "resources": patients * (2 + readings),
        "seconds": round(seconds, 3),
        "patients_per_second": round(patients / seconds, 1),
        "readings_per_second": round(patients * readings / max(seconds - bare, 1e-9)),
        "k": report["k"],
        "refused": refusal is not None,
        "projected_10000_patients_year_hourly_s": round(projected, 1),
        "target_s": TARGET_S,
        "meets_target": projected <= TARGET_S,
    }
