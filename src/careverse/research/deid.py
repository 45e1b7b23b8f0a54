"""De-identification by the HIPAA Safe Harbor method (45 CFR 164.514(b)(2)).

Public contract: ``scrub_text(text, deny=[...]) -> str`` (free text, see
``careverse.research.scrub``) and ``deidentify_record(record, study_key, ...)`` for one
patient's record. The generalisers (``zip3``, ``age_band``, ``birth_year``,
``date_shift_days``, ``shift_date``, ``year_only``, ``pseudonym``) live in
``careverse.research.generalise`` and are re-exported here.

A *record* is a dict of FHIR-like (R4 JSON) resources of one patient::

    {
        "Patient": {...},                    # one FHIR Patient
        "Observation": [{...}, ...],         # FHIR Observations
        "QuestionnaireResponse": [{...}],    # FHIR QuestionnaireResponses
        "notes": ["free text", {"text": "...", "date": "2024-03-12"}, ...],
    }

Every key is optional; other keys holding a resource or a list of resources are handled like
Observations. The result has the same shape.

How each of the 18 Safe Harbor identifiers is handled:

1. **Names** — ``Patient.name`` and ``Patient.contact`` are dropped; the patient's names (and
   each name part) go on the deny list used for every free-text field; the ``display`` and
   ``authorString`` of references and notes are dropped.
2. **Geography smaller than a state** — ``Patient.address`` keeps only ``state``, ``country``
   and, for a US ZIP, the ZIP3 (``"000"`` for the 17 areas of 20,000 people or fewer);
   street lines, city, district and non-US postcodes are dropped. In free text: street
   addresses, ZIP codes and UK postcodes become ``[ADDRESS]``/``[ZIP]``.
3. **Dates** — with ``dates="year"`` (the Safe Harbor default) every date and date-time
   becomes its year; with ``dates="shift"`` every date of the patient moves by the same
   per-study, per-patient offset (``date_shift_days``: ±1…``max_shift_days`` days; this keeps
   intervals and is an expert-determination technique rather than Safe Harbor). Ages over 89:
   the birth year is removed and the age band is ``"90+"``. In free text dates become
   ``[DATE]`` and ages over 89 ``[AGE 90+]``.
4. **Telephone numbers**, 5. **Fax numbers**, 6. **E-mail addresses** — ``Patient.telecom``
   dropped (its values join the deny list); free text ``[PHONE]``, ``[EMAIL]``.
7. **Social security numbers**, 8. **Medical record numbers**, 9. **Health plan beneficiary
   numbers**, 10. **Account numbers**, 11. **Certificate/licence numbers** — every
   ``identifier`` element is dropped (its values join the deny list); free text ``[ID]``
   (SSNs, NHS numbers, labelled and code-like numbers, any other run of 7+ digits).
12. **Vehicle identifiers** — VINs in free text ``[ID]``; licence plates only through the deny
   list (no reliable pattern).
13. **Device identifiers and serial numbers** — references to ``Device`` are dropped; serial
   numbers in text are ``[ID]`` when labelled or code-like.
14. **URLs** and 15. **IP addresses** — ``meta`` (``source``) is dropped; ``url`` telecoms are
   dropped; free text ``[URL]``, ``[IP]``.
16. **Biometric identifiers** and 17. **Full-face photographs** — ``Patient.photo`` and every
   attachment (``valueAttachment``, ``attachment``) are dropped.
18. **Any other unique identifying number, characteristic or code** — resource ids and
   references between the patient's own resources are replaced by keyed pseudonyms
   (``pseudonym``: HMAC-SHA256 under the study's secret key, of Careverse's internal random
   id, never of information about the person); references to practitioners, organisations,
   encounters, locations, devices and related persons are dropped; ``contained`` resources
   and narrative ``text`` (HTML) are dropped; every other string is scrubbed.

Coded values (``system``, ``code``, ``unit``, ``status``, ``linkId``, ``url`` of extensions,
canonical ``questionnaire`` …) pass through unchanged; numbers and booleans are kept.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal

from careverse.research.generalise import (
    AGE_CAP,
    DEFAULT_MAX_SHIFT_DAYS,
    age_band,
    age_years,
    birth_year,
    date_shift_days,
    pseudonym,
    restricted_zip3,
    shift_date,
    year_only,
    zip3,
)
from careverse.research.scrub import PLACEHOLDERS, deny_terms, scrub_text

__all__ = [
    "AGE_BAND_URL",
    "PLACEHOLDERS",
    "age_band",
    "age_years",
    "birth_year",
    "date_shift_days",
    "deidentify_record",
    "deny_terms",
    "patient_deny_list",
    "pseudonym",
    "restricted_zip3",
    "scrub_text",
    "shift_date",
    "year_only",
    "zip3",
]

AGE_BAND_URL = "https://careverse.health/fhir/StructureDefinition/age-band"
"""Extension on the de-identified Patient carrying its five-year age band (or ``"90+"``)."""

_KEEP_EXTENSIONS = {
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex",
    "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired",
}
_PASS_KEYS = {
    "resourceType",
    "system",
    "code",
    "unit",
    "status",
    "linkId",
    "url",
    "version",
    "language",
    "gender",
    "use",
    "questionnaire",
    "profile",
    "comparator",
    "definition",
    "valueCode",
    "valueBoolean",
    "valueCanonical",
    "div_status",
}
_DROP_KEYS = {
    "identifier",
    "photo",
    "telecom",
    "name",
    "address",
    "contact",
    "meta",
    "authorString",
    "valueAttachment",
    "attachment",
    "contained",
    "link",
    "generalPractitioner",
    "managingOrganization",
    "implicitRules",
}
_LINKED_TYPES = {
    "Patient",
    "Observation",
    "QuestionnaireResponse",
    "Condition",
    "CarePlan",
    "MedicationStatement",
    "Procedure",
    "DiagnosticReport",
}
_DATE_VALUE = re.compile(
    r"^\d{4}-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?$"
)

Dates = Literal["year", "shift"]


def patient_deny_list(patient: dict[str, Any] | None) -> list[str]:
    """The patient's own names, contacts and identifiers, from a FHIR Patient: name parts and
    texts, telecom values, identifier values, address lines, city and postcode, the birth
    date, and the names and telecoms of the patient's contacts."""
    if not patient:
        return []
    terms: list[str] = []

    def names(items: Any) -> None:
        for name in items if isinstance(items, list) else [items] if items else []:
            if isinstance(name, dict):
                terms.extend(str(g) for g in name.get("given", []) or [])
                terms.extend(str(name[k]) for k in ("family", "text") if name.get(k))

    def telecoms(items: Any) -> None:
        terms.extend(str(t["value"]) for t in items or [] if isinstance(t, dict) and t.get("value"))

    names(patient.get("name"))
    telecoms(patient.get("telecom"))
    for ident in patient.get("identifier", []) or []:
        if isinstance(ident, dict) and ident.get("value"):
            terms.append(str(ident["value"]))
    for addr in patient.get("address", []) or []:
        if isinstance(addr, dict):
            terms.extend(str(line) for line in addr.get("line", []) or [])
            terms.extend(str(addr[k]) for k in ("city", "district", "postalCode") if addr.get(k))
    for contact in patient.get("contact", []) or []:
        if isinstance(contact, dict):
            names(contact.get("name"))
            telecoms(contact.get("telecom"))
    if patient.get("birthDate"):
        terms.append(str(patient["birthDate"]))
    return terms


class _Context:
    def __init__(
        self, study_key: bytes | str, patient_id: str, deny: Sequence[str], dates: Dates, shift: int
    ) -> None:
        self.study_key, self.patient_id, self.deny = study_key, patient_id, list(deny)
        self.dates, self.shift = dates, shift
        self._scrubbed: dict[str, str] = {}

    def ref_id(self, resource_type: str, rid: str) -> str:
        if resource_type == "Patient" and rid == self.patient_id:
            return pseudonym(self.study_key, self.patient_id)
        return pseudonym(self.study_key, f"{resource_type}/{rid}")[:32]

    def scrub(self, text: str) -> str:
        """``scrub_text`` with this patient's deny list, once per distinct string (displays
        such as "Heart rate" repeat across hundreds of Observations)."""
        if text not in self._scrubbed:
            self._scrubbed[text] = scrub_text(text, self.deny)
        return self._scrubbed[text]

    def date(self, value: str) -> str:
        return year_only(value) if self.dates == "year" else shift_date(value, self.shift)


def _reference(value: dict[str, Any], ctx: _Context) -> dict[str, Any] | None:
    ref = str(value.get("reference") or "")
    rtype, _, rid = ref.partition("/")
    if rtype not in _LINKED_TYPES or not rid or "/" in rid:
        return None
    return {"reference": f"{rtype}/{ctx.ref_id(rtype, rid)}"}


def _clean(value: Any, key: str, ctx: _Context) -> Any:
    if isinstance(value, dict):
        if "reference" in value:
            return _reference(value, ctx)
        if key == "text" and "div" in value:
            return None
        url = str(value.get("url", ""))
        if (
            key in ("extension", "modifierExtension")
            and "://" in url
            and url not in _KEEP_EXTENSIONS
        ):
            return None
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in _DROP_KEYS or (k == "display" and "code" not in value):
                continue
            if k == "id" and isinstance(value.get("resourceType"), str):
                out[k] = ctx.ref_id(value["resourceType"], str(v))
                continue
            cleaned = _clean(v, k, ctx)
            if cleaned is not None and cleaned != [] and cleaned != {}:
                out[k] = cleaned
        return out
    if isinstance(value, list):
        items = [_clean(v, key, ctx) for v in value]
        return [v for v in items if v is not None and v != {}]
    if isinstance(value, str):
        if key in _PASS_KEYS:
            return value
        if _DATE_VALUE.match(value):
            return ctx.date(value)
        if key == "id":
            return None
        return ctx.scrub(value)
    return value


def _patient(patient: dict[str, Any], ctx: _Context, on: date) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Patient", "id": ctx.ref_id("Patient", ctx.patient_id)}
    if patient.get("gender"):
        out["gender"] = patient["gender"]
    born = patient.get("birthDate")
    if born and _DATE_VALUE.match(str(born)) and len(str(born)) >= 10:
        age = age_years(born, on)
        out["extension"] = [{"url": AGE_BAND_URL, "valueString": age_band(age)}]
        if birth_year(born, on) is not None:
            out["birthDate"] = ctx.date(str(born))
    elif born and re.fullmatch(r"\d{4}(?:-\d{2})?", str(born)):
        year = int(str(born)[:4])
        if on.year - year <= AGE_CAP - 1:  # the year cannot show an age over 89
            out["birthDate"] = str(year)
    for k in ("deceasedBoolean", "multipleBirthBoolean", "maritalStatus"):
        if k in patient:
            out[k] = _clean(patient[k], k, ctx)
    if patient.get("deceasedDateTime"):
        out["deceasedDateTime"] = ctx.date(str(patient["deceasedDateTime"]))
    exts = [e for e in patient.get("extension", []) or [] if e.get("url") in _KEEP_EXTENSIONS]
    if exts:
        out["extension"] = [*out.get("extension", []), *_clean(exts, "extension", ctx)]
    langs = [
        {"language": _clean(c["language"], "language", ctx)}
        for c in patient.get("communication", []) or []
        if isinstance(c, dict) and c.get("language")
    ]
    if langs:
        out["communication"] = langs
    addresses = []
    for addr in patient.get("address", []) or []:
        kept = {k: addr[k] for k in ("state", "country") if addr.get(k)}
        with contextlib.suppress(ValueError):  # not a US ZIP: dropped
            kept["postalCode"] = zip3(str(addr.get("postalCode", "")))
        if kept:
            addresses.append(kept)
    if addresses:
        out["address"] = addresses
    return out


def deidentify_record(
    record: dict[str, Any],
    study_key: bytes | str,
    *,
    deny: Sequence[str] = (),
    dates: Dates = "year",
    max_shift_days: int = DEFAULT_MAX_SHIFT_DAYS,
    on: date | None = None,
) -> dict[str, Any]:
    """De-identify one patient's record (shape in the module doc) for one study.

    ``study_key`` is the study's secret (16+ bytes); ``deny`` adds terms to the deny list
    built from the Patient (``patient_deny_list``); ``dates`` is ``"year"`` (Safe Harbor) or
    ``"shift"``; ``on`` is the reference date for ages (default: today, UTC). The patient id
    is ``record["Patient"]["id"]`` (or ``record["patient_id"]``). Returns a new dict; the input
    is not modified.
    """
    if dates not in ("year", "shift"):
        raise ValueError("dates must be 'year' or 'shift'")
    patient = record.get("Patient") or {}
    patient_id = str(patient.get("id") or record.get("patient_id") or "")
    if not patient_id:
        raise ValueError("the record needs Patient.id (or patient_id)")
    on = on or datetime.now(UTC).date()
    shift = date_shift_days(study_key, patient_id, max_shift_days) if dates == "shift" else 0
    ctx = _Context(study_key, patient_id, [*patient_deny_list(patient), *deny], dates, shift)
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "patient_id":
            continue
        if key == "Patient":
            out[key] = _patient(value or {}, ctx, on)
        elif key == "notes":
            out[key] = [
                ctx.scrub(n) if isinstance(n, str) else _clean(n, "note", ctx) for n in value or []
            ]
        else:
            cleaned = _clean(value, key, ctx)
            out[key] = cleaned if cleaned is not None else []
    return out
