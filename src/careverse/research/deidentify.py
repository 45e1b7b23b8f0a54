"""From a cohort's records to what an export holds: each record de-identified by rdeid's Safe
Harbor functions (``careverse.research.deid``), a CSV row of quasi-identifiers and values per
participant, and the disclosure check (``careverse.research.kanon``).

Choices made here (docs/research.md): dates are reduced to the year (Safe Harbor); the exported
Patient keeps its sex and a ten-year age band (90 and over as one band) and not its birth year,
so the quasi-identifiers measured by the k-anonymity gate (age band, sex, ZIP3 when a postcode is
recorded) are exactly what the files show. The per-patient deny list is the patient's own names,
contacts and identifiers (rdeid's ``patient_deny_list``) plus their account's e-mail address.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from careverse.kernel import clock
from careverse.research import deid, kanon
from careverse.research.criteria import age_band
from careverse.research.models import Study
from careverse.research.population import Member

METHOD = "HIPAA Safe Harbor (45 CFR 164.514(b)(2)): identifiers removed, dates as years, " \
    "ages over 89 as 90+, ZIP3, free text scrubbed; keyed HMAC study pseudonyms"  # fmt: skip
QUASI = ("age_band", "sex", "zip3")
CSV_COLUMNS = ("participant", *QUASI, "conditions", "readings", "scores", "attendance")


@dataclass
class Prepared:
    rows: list[dict] = field(default_factory=list)  # one per participant (CSV, k report)
    ndjson: dict[str, list[str]] = field(default_factory=dict)  # resource type → lines


def pseudonym(study: Study, patient_id: object) -> str:
    """The participant's stable pseudonym in this study (keyed HMAC, the study's own key)."""
    return deid.pseudonym(study.pseudonym_key, str(patient_id))


def _by_type(resources: Sequence[dict]) -> dict:
    record: dict = {}
    for r in resources:
        if r.get("resourceType") == "Patient":
            record["Patient"] = r
        else:
            record.setdefault(r["resourceType"], []).append(r)
    return record


def _zip3(patient: dict) -> str:
    for address in patient.get("address", []) or []:
        if address.get("postalCode"):
            return str(address["postalCode"])
    return ""


def _patient(out: dict, band: str) -> dict:
    """The de-identified Patient with a ten-year band and no birth year (see the module doc)."""
    out.pop("birthDate", None)
    others = [e for e in out.get("extension", []) if e.get("url") != deid.AGE_BAND_URL]
    out["extension"] = [{"url": deid.AGE_BAND_URL, "valueString": band}, *others]
    return out


def prepare(study: Study, members: Sequence[Member]) -> Prepared:
    """Every member's record de-identified, as NDJSON lines and one CSV row each."""
    today = clock.now().date()
    out = Prepared()
    for m in members:
        deny = [m.email] if m.email else []
        record = _by_type(m.resources)
        record.setdefault("Patient", {"resourceType": "Patient", "id": str(m.patient_id)})
        clean = deid.deidentify_record(record, study.pseudonym_key, deny=deny, on=today)
        band = age_band(m.facts.age)
        clean["Patient"] = _patient(clean["Patient"], band)
        for kind, found in clean.items():
            for resource in [found] if isinstance(found, dict) else found:
                line = json.dumps(resource, separators=(",", ":"), ensure_ascii=False)
                out.ndjson.setdefault(kind, []).append(line)
        readings = {code: round(sum(v) / len(v), 2) for code, v in m.facts.readings.items() if v}
        out.rows.append({
            "participant": clean["Patient"]["id"], "age_band": band, "sex": m.facts.sex,
            "zip3": _zip3(clean["Patient"]), "condition": _first(clean.get("Condition", [])),
            "conditions": "; ".join(sorted({_text(c) for c in clean.get("Condition", [])})),
            "readings": json.dumps(readings, sort_keys=True),
            "scores": json.dumps(m.facts.scores, sort_keys=True), "attendance": m.facts.attendance,
        })  # fmt: skip
    return out


def _text(condition: dict) -> str:
    return str((condition.get("code") or {}).get("text") or "coded")


def _first(conditions: list) -> str:
    return min((_text(c) for c in conditions), default="none")


def csv_text(prepared: Prepared) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(prepared.rows)
    return buffer.getvalue()


def disclosure(study: Study, prepared: Prepared) -> tuple[dict, str | None]:
    """The k-anonymity (and l-diversity) report of the rows over the quasi-identifiers, and
    why the export is refused (None when it may go): rdeid's gate, ``kanon.require_k``."""
    quasi = [q for q in QUASI if any(r.get(q) for r in prepared.rows)] or ["age_band"]
    sensitive = [study.sensitive] if study.sensitive and study.l_div else None
    refusal = None
    if not prepared.rows:
        report = kanon.kanon_report([], quasi, sensitive)
        refusal = "The cohort has no consented member to export."
    else:
        try:
            report = kanon.require_k(prepared.rows, quasi, study.k, sensitive, study.l_div)
        except kanon.KAnonymityError as refused:
            report, refusal = refused.report, refused.reason
    out = report.as_dict()
    out.update(k_required=study.k, l_required=study.l_div, passed=refusal is None)
    return out, refusal
