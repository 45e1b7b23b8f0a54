"""Identity: accounts, roles, sign-in, tokens, MFA, caregiver delegations, care relationships."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register identity's routes, its FHIR Patient, and the policy facts it owns."""
    from careverse.identity import api, fhir, relationships, smart_api
    from careverse.kernel import policy

    policy.provide_facts(
        delegation=relationships.delegation_fact,
        has_care_relationship=relationships.has_care_relationship,
    )
    runtime.include_router(api.router)
    runtime.include_router(smart_api.router)  # SMART App Launch: /oauth, discovery, apps
    runtime.include_fhir_router(fhir.router)  # /fhir/Patient, /fhir/Patient/{id}
    runtime.patient_record.add("patient", fhir.record_section, types=["Patient"])
    from careverse.identity import fhir_record

    runtime.patient_record.add(
        "caregivers", fhir_record.related_persons_section, types=["RelatedPerson"]
    )
    from careverse.identity import directory
    from careverse.kernel.fhir import PatientRoster

    async def everyone(session) -> list:
        return [p.id for p in await directory.patients(session)]

    async def clinicians(session) -> list:
        return [(c.id, c.display_name) for c in await directory.clinicians(session)]

    runtime.provide(PatientRoster(everyone, relationships.patients_of, clinicians))
    from careverse.identity import fhir_match

    runtime.include_fhir_router(fhir_match.router)  # POST /fhir/Patient/$match
