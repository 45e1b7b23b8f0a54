"""Careverse records rendered as FHIR: every variant validates with the R4B models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B import get_fhir_model_class

import careverse.models  # noqa: F401 - every mapper configured
from careverse.fhir import resources
from careverse.identity.fhir import patient as patient_resource
from careverse.identity.models import Patient
from careverse.kernel.audit import AuditEvent
from careverse.privacy import fhir as privacy_fhir
from careverse.privacy.models import Consent

NOW = datetime(2025, 5, 4, 9, 15, 0, 250000, tzinfo=UTC)


def validate(resource: dict):
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "Ana", "sex": "female"},
        {"name": "Bo", "sex": "unknown", "birth_date": "1990-02-28", "phone": "+1 555 0100"},
        {
            "name": "Cy",
            "sex": "nonsense",
            "contact_email": "cy@example.org",
            "preferred_language": "pt-BR",
        },
    ],
)
def test_patient(fields):
    p = Patient(id=uuid.uuid4(), **fields)
    resource = patient_resource(p)
    validate(resource)
    assert resource["gender"] in {"male", "female", "other", "unknown"}
    assert resource["name"] == [{"text": fields["name"]}]


@pytest.mark.parametrize("purpose", ["treatment", "research", "community", "org-sharing"])
@pytest.mark.parametrize("decision", ["permit", "deny"])
@pytest.mark.parametrize("who", ["anyone", "actor", "organization"])
def test_consent(purpose, decision, who):
    c = Consent(
        id=uuid.uuid4(),
        patient_id=uuid.uuid4(),
        purpose=purpose,
        decision=decision,
        actor_id=uuid.uuid4() if who == "actor" else None,
        organization="Riverside Hospice" if who == "organization" else None,
        period_start=NOW,
        period_end=NOW + timedelta(days=365) if decision == "permit" else None,
        status="active",
        created_at=NOW,
    )
    resource = privacy_fhir.consent(c)
    validate(resource)
    assert resource["provision"]["type"] == decision
    assert resource["policyRule"]["coding"][0]["code"] == (
        "OPTIN" if decision == "permit" else "OPTOUT"
    )
    assert ("actor" in resource["provision"]) is (who != "anyone")


@pytest.mark.parametrize(
    ("action", "outcome", "code", "fhir_outcome"),
    [
        ("record.read", "success", "R", "0"),
        ("record.write", "denied", "U", "4"),
        ("consent.grant", "success", "C", "0"),
        ("delegation.revoke", "success", "U", "0"),
        ("record.export", "success", "R", "0"),
        ("login", "failure", "E", "4"),
        ("break-glass.start", "success", "E", "0"),
    ],
)
@pytest.mark.parametrize("with_actor", [True, False])
def test_audit_event(action, outcome, code, fhir_outcome, with_actor):
    e = AuditEvent(
        seq=42,
        at=NOW,
        actor_id=uuid.uuid4() if with_actor else None,
        actor_role="clinician" if with_actor else None,
        action=action,
        outcome=outcome,
        patient_id=uuid.uuid4() if with_actor else None,
        purpose="treatment" if with_actor else None,
        address="203.0.113.7" if with_actor else None,
    )
    resource = privacy_fhir.audit_event(e, "Dr. Park" if with_actor else None)
    validate(resource)
    assert (resource["action"], resource["outcome"]) == (code, fhir_outcome)
    assert resource["recorded"] == "2025-05-04T09:15:00.250000Z"


def test_bundles_outcomes_and_metadata():
    patient = patient_resource(Patient(id=uuid.uuid4(), name="Ana", sex="female"))
    for kind in ("searchset", "collection"):
        validate(resources.bundle(kind, [patient], "https://care.example.org/"))
    validate(resources.bundle("searchset", [], "https://care.example.org"))
    validate(resources.operation_outcome("not-found", "Not found."))
    statement = resources.capability_statement("https://care.example.org", NOW)
    validate(statement)
