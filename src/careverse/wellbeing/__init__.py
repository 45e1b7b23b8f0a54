"""Wellbeing: validated questionnaires (PHQ-9, GAD-7, WHO-5, PHQ-2, GAD-2, the C-SSRS screener),
their FHIR Questionnaires and QuestionnaireResponses, and the crisis path (docs/wellbeing.md)."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register wellbeing's routes, FHIR routes, its section of a patient's record and its part
    of every erasure. The crisis alert itself is monitoring's: it handles
    :class:`~careverse.wellbeing.events.CrisisResponseRecorded` (see monitoring's setup)."""
    from careverse.kernel.events import Phase
    from careverse.privacy.events import AccountErasureDue
    from careverse.wellbeing import api, events, fhir_api

    runtime.include_router(api.router)
    runtime.include_fhir_router(fhir_api.router)
    from careverse.wellbeing import fhir_search  # QuestionnaireResponse search on the toolkit

    runtime.include_fhir_router(fhir_search.router)
    from careverse.wellbeing import fhir_record

    runtime.patient_record.add(
        "questionnaire-responses",
        fhir_record.questionnaire_responses_section(runtime.settings.public_url),
        types=["QuestionnaireResponse"],
    )
    runtime.events.subscribe(AccountErasureDue, events.erase_patient_rows, phase=Phase.TRANSACTION)
    # What the clinician's patient list shows (care composes it).
    from careverse.wellbeing.patient_facets import overdue_questionnaires

    runtime.patient_facets.add("questionnaires", overdue_questionnaires)
    from careverse.wellbeing import schedules

    runtime.add_job(
        "wellbeing.reminders",
        lambda: schedules.remind_due_forever(
            runtime.db, runtime.settings.wellbeing_reminder_check_seconds
        ),
    )
    # Exposure therapy (docs/wellbeing.md, "Exposure therapy"): routes, live streams, erasure.
    from careverse.wellbeing import exposure_api
    from careverse.wellbeing.exposure_events import (
        ExposureSessionChanged,
        ExposureStreams,
        erase_exposure_rows,
    )

    runtime.include_router(exposure_api.router)
    exposure_streams = runtime.provide(ExposureStreams())
    runtime.events.subscribe(
        ExposureSessionChanged, exposure_streams.on_change, phase=Phase.EVERYWHERE
    )
    runtime.events.subscribe(AccountErasureDue, erase_exposure_rows, phase=Phase.TRANSACTION)

    # Relaxation and biofeedback: breathing sessions, the resonance finder, live beats (the
    # monitoring ingest's HeartBeatsRecorded, a kernel event) to the patient's breathing page.
    from careverse.kernel.heartbeats import HeartBeatsRecorded
    from careverse.wellbeing import breathing, breathing_api
    from careverse.wellbeing.biofeedback import BeatStreams

    runtime.include_router(breathing_api.router)
    beat_streams = runtime.provide(BeatStreams())
    runtime.events.subscribe(
        HeartBeatsRecorded, beat_streams.on_heart_beats, phase=Phase.EVERYWHERE
    )
    runtime.events.subscribe(
        AccountErasureDue, breathing.erase_breathing_sessions, phase=Phase.TRANSACTION
    )

    # Self-help (docs/wellbeing.md, "Self-help"): psychoeducation, thought records, activation.
    from careverse.wellbeing import selfhelp_api
    from careverse.wellbeing.selfhelp_events import erase_selfhelp_rows

    runtime.include_router(selfhelp_api.router)
    runtime.events.subscribe(AccountErasureDue, erase_selfhelp_rows, phase=Phase.TRANSACTION)
