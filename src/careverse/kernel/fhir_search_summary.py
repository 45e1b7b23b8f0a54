"""``_summary`` of the search toolkit: ``true`` keeps the elements FHIR R4 marks "in summary"
(of the types we serve; other types: every element but text, contained, extensions and notes),
``text`` keeps the narrative and the elements FHIR requires, ``data`` drops the narrative,
``false`` keeps everything. A resource cut down is tagged SUBSETTED."""

from __future__ import annotations

SUBSETTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "SUBSETTED",
}
SUMMARY_MODES = ("count", "true", "false", "data", "text")
ALWAYS = ("resourceType", "id", "meta", "implicitRules")
SUMMARY: dict[str, tuple[str, ...]] = {
    "Patient": ("identifier", "active", "name", "telecom", "gender", "birthDate",
                "deceasedBoolean", "deceasedDateTime", "address", "managingOrganization", "link"),
    "Observation": ("identifier", "basedOn", "partOf", "status", "category", "code", "subject",
                    "focus", "encounter", "effectiveDateTime", "effectivePeriod", "issued",
                    "performer", "valueQuantity", "valueCodeableConcept", "valueString",
                    "hasMember", "derivedFrom", "component"),
    "Schedule": ("identifier", "active", "serviceCategory", "serviceType", "specialty", "actor",
                 "planningHorizon"),
    "Slot": ("identifier", "serviceCategory", "serviceType", "specialty", "appointmentType",
             "schedule", "status", "start", "end"),
    "AuditEvent": ("type", "subtype", "action", "recorded", "outcome", "outcomeDesc",
                   "purposeOfEvent", "agent", "source", "entity"),
    "Appointment": ("identifier", "status", "cancelationReason", "serviceCategory",
                    "serviceType", "specialty", "appointmentType", "start", "end",
                    "participant"),
    "Encounter": ("identifier", "status", "class", "type", "serviceType", "priority", "subject",
                  "episodeOfCare", "basedOn", "participant", "appointment", "period", "length",
                  "reasonCode", "reasonReference", "diagnosis", "account", "serviceProvider",
                  "partOf"),
    "Flag": ("identifier", "status", "category", "code", "subject", "period", "encounter",
             "author"),
    "Consent": ("identifier", "status", "scope", "category", "patient", "dateTime", "performer",
                "organization", "policyRule", "provision"),
}  # fmt: skip
# The elements FHIR R4 requires (min 1), kept by _summary=text.
REQUIRED: dict[str, tuple[str, ...]] = {
    "Observation": ("status", "code"),
    "Schedule": ("actor",),
    "Slot": ("schedule", "status", "start", "end"),
    "AuditEvent": ("type", "recorded", "agent", "source"),
    "Appointment": ("status", "participant"),
    "Encounter": ("status", "class"),
    "Flag": ("status", "code", "subject"),
    "Consent": ("status", "scope", "category"),
    "DocumentReference": ("status", "content"),
    "Goal": ("lifecycleStatus", "description", "subject"),
    "QuestionnaireResponse": ("status",),
}
NOT_SUMMARY = ("text", "contained", "extension", "modifierExtension", "note")


def tagged(resource: dict, kept: dict) -> dict:
    meta = dict(resource.get("meta") or {})
    meta["tag"] = [*meta.get("tag", []), SUBSETTED]
    kept["meta"] = meta
    return kept


def summarised(resource: dict, mode: str | None) -> dict:
    """``resource`` as ``_summary=<mode>`` asks (``None``, ``false`` and ``count``: as it is)."""
    kind = resource.get("resourceType", "")
    if mode == "true":
        if kind in SUMMARY:
            keep = set(ALWAYS) | set(SUMMARY[kind])
            kept = {k: v for k, v in resource.items() if k in keep}
        else:
            kept = {k: v for k, v in resource.items() if k not in NOT_SUMMARY}
    elif mode == "text":
        keep = {*ALWAYS, "text", *REQUIRED.get(kind, ())}
        kept = {k: v for k, v in resource.items() if k in keep}
    elif mode == "data":
        kept = {k: v for k, v in resource.items() if k != "text"}
    else:
        return resource
    return resource if kept == resource else tagged(resource, kept)
