"""Care: availability, slots, booking, waiting room, consult rooms, encounters and summaries."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register care's routes, its FHIR routes, its section of a patient's FHIR record (CareTeam,
    Appointments, Encounters, signed notes), its handlers (erasure, a revoked delegation's
    consult invitations), the reminders job and the lapsed-invitations job."""
    from careverse.care import api, events, fhir, fhir_record, jobs
    from careverse.care.patients import next_visit_facet
    from careverse.identity.events import DelegationRevoked
    from careverse.kernel.events import Phase
    from careverse.privacy.events import AccountErasureDue

    runtime.include_router(api.router)
    runtime.include_fhir_router(fhir.router)
    runtime.patient_record.add(
        "care", fhir_record.record_section,
        types=["CareTeam", "Appointment", "Encounter", "DocumentReference"],
    )  # fmt: skip
    runtime.patient_facets.add("next_visit", next_visit_facet)  # the clinician's patient list
    from careverse.care import health_fhir  # the patient's health record (docs/health-record.md)

    runtime.include_fhir_router(health_fhir.router)
    runtime.patient_record.add("health", fhir_record.health_section, types=fhir_record.HEALTH_TYPES)
    from careverse.care import fhir_search  # DocumentReference, CareTeam, Goal: search and read

    runtime.include_fhir_router(fhir_search.router)
    from careverse.care import fhir_search_visits  # Appointment and Encounter searches

    runtime.include_fhir_router(fhir_search_visits.router)
    from careverse.care import fhir_search_health  # Condition, MedicationStatement, … searches

    runtime.include_fhir_router(fhir_search_health.router)
    runtime.events.subscribe(AccountErasureDue, events.erase_person, phase=Phase.TRANSACTION)
    runtime.events.subscribe(
        DelegationRevoked, events.end_caregiver_invitations, phase=Phase.TRANSACTION
    )
    runtime.add_job(
        "care.reminders",
        lambda: jobs.send_reminders_forever(runtime.db, runtime.settings, runtime.mailer),
    )
    runtime.add_job(
        "care.lapsed-invitations",
        lambda: jobs.end_lapsed_invitations_forever(runtime.db, runtime.settings),
    )
    from careverse.care import programme_api, programmes  # care programmes (FHIR Groups)
    from careverse.kernel.groups import GroupDirectory

    runtime.include_router(programme_api.router)
    runtime.provide(
        GroupDirectory(programmes.GROUP_PREFIX, programmes.all_groups, programmes.group)
    )
    runtime.events.subscribe(AccountErasureDue, programmes.erase_person, phase=Phase.TRANSACTION)
    from careverse.care import interpreters

    runtime.events.subscribe(AccountErasureDue, interpreters.erase_person, phase=Phase.TRANSACTION)
