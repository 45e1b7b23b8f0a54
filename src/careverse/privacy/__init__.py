"""Privacy: consent, break-glass, the patient's access log, export and erasure."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register privacy's routes, FHIR routes and record section, the policy facts it owns
    (consent, break-glass), its part of every erasure, and the erasure job."""
    from careverse.kernel import policy
    from careverse.kernel.events import Phase
    from careverse.privacy import api, events, facts, fhir, jobs

    policy.provide_facts(
        break_glass_active=facts.break_glass_active,
        consent_denies=facts.consent_denies,
    )
    runtime.include_router(api.router)
    runtime.include_fhir_router(fhir.router)  # Consent and AuditEvent searches
    from careverse.privacy import fhir_search  # Consent search on the toolkit

    runtime.include_fhir_router(fhir_search.router)
    from careverse.privacy import fhir_record

    runtime.patient_record.add("consents", fhir_record.consents_section, types=["Consent"])
    runtime.events.subscribe(
        events.AccountErasureDue, events.erase_privacy_rows, phase=Phase.TRANSACTION
    )
    runtime.add_job(
        "privacy.erase-due", lambda: jobs.erase_due_forever(runtime.db, runtime.settings)
    )
