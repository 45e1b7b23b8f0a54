"""Identity: accounts, roles, sign-in, tokens, MFA, caregiver delegations, care relationships."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register identity's routes, its FHIR Patient, and the policy facts it owns."""
    from careverse.identity import api, fhir, relationships
    from careverse.kernel import policy

    policy.provide_facts(
        delegation=relationships.delegation_fact,
        has_care_relationship=relationships.has_care_relationship,
    )
    runtime.include_router(api.router)
    runtime.include_fhir_router(fhir.router)  # /fhir/Patient, /fhir/Patient/{id}
    runtime.patient_record.add("patient", fhir.record_section, types=["Patient"])
    from careverse.identity import fhir_record

    runtime.patient_record.add(
        "caregivers", fhir_record.related_persons_section, types=["RelatedPerson"]
    )
