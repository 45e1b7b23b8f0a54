"""The patient's record as a readable, printable HTML document, beside the FHIR Bundle.

Made from the same Bundle the FHIR export answers, so the two never disagree. The document is
self-contained and safe under a strict Content-Security-Policy: no script, no external asset,
one ``<style>`` element allowed by its hash (:data:`CSP`, also in a ``<meta>`` so the saved
file keeps the policy when opened from disk). Every value is escaped: nothing from the record is
ever markup (a resource's own ``text.div`` is not used).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any

STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;color:#111;margin:2rem auto;max-width:60rem;"
    "padding:0 1rem}h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:"
    "1px solid #999}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:"
    ".3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}th{background:#f2f2f2}"
    ".meta{color:#444}@media print{body{margin:0;max-width:none}h2{break-after:avoid}"
    "tr{break-inside:avoid}}"
)
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP = f"default-src 'none'; style-src '{STYLE_HASH}'; base-uri 'none'; form-action 'none'"

# Sections in the order a person reads a record; any other kind follows, by name.
TITLES = {
    "Patient": "About you",
    "Condition": "Conditions",
    "AllergyIntolerance": "Allergies",
    "MedicationStatement": "Medicines",
    "CarePlan": "Care plans",
    "Observation": "Readings and observations",
    "Encounter": "Visits",
    "DocumentReference": "Visit notes",
    "Appointment": "Appointments",
    "Flag": "Alerts",
    "CareTeam": "Your care team",
    "QuestionnaireResponse": "Questionnaires",
    "Device": "Devices",
    "Consent": "Your consent choices",
}


def _text(concept: Any) -> str:
    """A CodeableConcept (or a list of them) in words."""
    if isinstance(concept, list):
        return ", ".join(t for t in (_text(c) for c in concept) if t)
    if not isinstance(concept, dict):
        return ""
    if concept.get("text"):
        return str(concept["text"])
    for coding in concept.get("coding") or []:
        if coding.get("display") or coding.get("code"):
            return str(coding.get("display") or coding.get("code"))
    return ""


def _quantity(q: Any) -> str:
    if not isinstance(q, dict) or q.get("value") is None:
        return ""
    value = q["value"]
    number = f"{value:g}" if isinstance(value, int | float) else str(value)
    return f"{number} {q.get('unit') or q.get('code') or ''}".strip()


def _value(resource: dict) -> str:
    """The value of an observation-like resource, in words."""
    for key in ("valueQuantity", "valueString", "valueCodeableConcept", "valueInteger",
                "valueBoolean"):  # fmt: skip
        if key in resource:
            value = resource[key]
            if key == "valueQuantity":
                return _quantity(value)
            if key == "valueCodeableConcept":
                return _text(value)
            return str(value)
    parts = []
    for component in resource.get("component") or []:
        parts.append(f"{_text(component.get('code'))}: {_value(component)}")
    return "; ".join(parts)


def _when(resource: dict) -> str:
    for key in ("effectiveDateTime", "issued", "authored", "recordedDate", "onsetDateTime",
                "dateTime", "start", "date", "occurrenceDateTime"):  # fmt: skip
        if resource.get(key):
            return _readable_time(str(resource[key]))
    for key in ("effectivePeriod", "period"):
        start = (resource.get(key) or {}).get("start")
        if start:
            return _readable_time(str(start))
    return ""


def _readable_time(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if len(value) <= 10:
        return moment.strftime("%d %b %Y")
    return (
        moment.strftime("%d %b %Y %H:%M UTC")
        if moment.tzinfo
        else moment.strftime("%d %b %Y %H:%M")
    )


def _what(resource: dict) -> str:
    for key in ("code", "type", "serviceType", "category", "medicationCodeableConcept", "scope",
                "class"):  # fmt: skip
        words = _text(resource.get(key))
        if words:
            return words
    for key in ("description", "title", "questionnaire", "reasonCode"):
        value = resource.get(key)
        if isinstance(value, str) and value:
            return value
        if value:
            return _text(value)
    return resource.get("resourceType", "")


def _detail(resource: dict) -> str:
    kind = resource.get("resourceType")
    if kind == "Consent":
        provision = resource.get("provision") or {}
        purposes = _text([{"coding": [p]} for p in provision.get("purpose") or []])
        return " ".join(x for x in (provision.get("type", ""), purposes) if x)
    if kind == "QuestionnaireResponse":
        answers = []
        for item in resource.get("item") or []:
            for answer in item.get("answer") or []:
                answers.append(_value(answer))
        return f"{len(answers)} answers" if answers else ""
    if kind == "DocumentReference":  # a visit note: its plain-text attachment, readable
        return " ".join(
            _attachment_text(c.get("attachment")) for c in resource.get("content") or []
        )
    if kind == "CareTeam":
        members = [
            (p.get("member") or {}).get("display") for p in resource.get("participant") or []
        ]
        return ", ".join(m for m in members if m)
    return _value(resource) or _text(resource.get("reasonCode"))


def _attachment_text(attachment: Any) -> str:
    if not isinstance(attachment, dict) or not str(attachment.get("contentType", "")).startswith(
        "text/plain"
    ):
        return ""
    try:
        return base64.b64decode(attachment.get("data") or "").decode()
    except (ValueError, UnicodeDecodeError):
        return ""


def _patient(resources: Iterable[dict]) -> tuple[str, list[tuple[str, str]]]:
    for r in resources:
        if r.get("resourceType") != "Patient":
            continue
        names = r.get("name") or [{}]
        name = (
            names[0].get("text")
            or " ".join([*names[0].get("given", []), names[0].get("family", "")]).strip()
        )
        facts = [
            ("Name", name),
            ("Date of birth", _readable_time(r["birthDate"]) if r.get("birthDate") else ""),
            ("Sex", r.get("gender", "")),
            ("Language", _text([c.get("language") for c in r.get("communication") or []])),
        ]
        for telecom in r.get("telecom") or []:
            facts.append((str(telecom.get("system", "contact")).title(), telecom.get("value", "")))
        return name, [(k, v) for k, v in facts if v]
    return "", []


def _table(rows: list[dict]) -> str:
    body = "".join(
        f"<tr><td>{escape(_when(r))}</td><td>{escape(_what(r))}</td>"
        f"<td>{escape(_detail(r))}</td><td>{escape(str(r.get('status', '')))}</td></tr>"
        for r in sorted(rows, key=_sort_key, reverse=True)
    )
    return (
        '<table><thead><tr><th scope="col">When</th><th scope="col">What</th>'
        f'<th scope="col">Details</th><th scope="col">Status</th></tr></thead><tbody>{body}'
        "</tbody></table>"
    )


def _sort_key(resource: dict) -> str:
    for key in ("effectiveDateTime", "issued", "authored", "start", "recordedDate", "date"):
        if resource.get(key):
            return str(resource[key])
    return str((resource.get("period") or resource.get("effectivePeriod") or {}).get("start", ""))


def render(bundle: dict, generated_at: datetime) -> str:
    """The record in ``bundle`` (a FHIR collection Bundle) as one HTML document."""
    resources = [e["resource"] for e in bundle.get("entry", []) if "resource" in e]
    name, facts = _patient(resources)
    by_kind: dict[str, list[dict]] = {}
    for r in resources:
        if r.get("resourceType") != "Patient":
            by_kind.setdefault(str(r.get("resourceType")), []).append(r)
    order = [k for k in TITLES if k in by_kind] + sorted(k for k in by_kind if k not in TITLES)
    sections = []
    if facts:
        items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
        sections.append(f"<section><h2>{TITLES['Patient']}</h2><dl>{items}</dl></section>")
    for kind in order:
        title = TITLES.get(kind, kind)
        sections.append(f"<section><h2>{escape(title)}</h2>{_table(by_kind[kind])}</section>")
    if not by_kind:
        sections.append("<p>Your record holds nothing else yet.</p>")
    heading = f"Health record of {name}" if name else "Health record"
    stamp = generated_at.strftime("%d %b %Y %H:%M UTC")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(heading)}</title><style>{STYLE}</style></head><body><main>"
        f"<h1>{escape(heading)}</h1>"
        f'<p class="meta">Exported from Careverse on {escape(stamp)}. The same record, for '
        "other software, is the FHIR export (JSON). Keep this file private: it holds your "
        f"health information.</p>{''.join(sections)}</main></body></html>"
    )
