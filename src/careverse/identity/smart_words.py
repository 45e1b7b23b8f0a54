"""SMART App Launch in plain words: what each scope lets an app do, for the consent screen and
the privacy page (``describe``)."""

from __future__ import annotations

from careverse.kernel.smart import parse_scope

# Plain words for the consent screen and the privacy page.
THINGS = {
    "Patient": "basic details (name, date of birth)",
    "Observation": "vital signs and measurements",
    "Device": "devices",
    "Appointment": "appointments",
    "Schedule": "clinic schedules",
    "Slot": "free appointment times",
    "Encounter": "consultations",
    "Communication": "messages",
    "QuestionnaireResponse": "questionnaire answers",
    "Questionnaire": "questionnaires",
    "Consent": "consent choices",
    "AuditEvent": "access history",
    "Condition": "conditions",
    "AllergyIntolerance": "allergies",
    "MedicationStatement": "medicines",
    "MedicationRequest": "prescriptions",
    "Immunization": "vaccinations",
    "Procedure": "procedures",
    "DocumentReference": "documents",
    "*": "health record (all of it)",
}
CONTEXT_WORDS = {
    "launch/patient": "Know which patient's record it is opened for",
    "launch": "Open with the patient you are looking at in Careverse",
    "openid": "Know who you are",
    "fhirUser": "Know who you are",
    "offline_access": "Keep access when you are not using it, until you revoke it",
}


def describe(scope: str) -> str:
    """One scope in plain words: ``patient/Observation.rs`` → "See vital signs and measurements"."""
    parsed = parse_scope(scope)
    if parsed is None:
        return CONTEXT_WORDS[scope]
    thing = THINGS.get(parsed.resource_type, parsed.resource_type)
    verbs = []
    if parsed.interactions & {"r", "s"}:
        verbs.append("see")
    if parsed.interactions & {"c", "u"}:
        verbs.append("add or change")
    if "d" in parsed.interactions:
        verbs.append("delete")
    whose = "the patient's" if parsed.context == "patient" else "the"
    text = f"{' and '.join(verbs)} {whose} {thing}"
    if parsed.context == "user":
        text += " you have access to"
    return text[0].upper() + text[1:]
