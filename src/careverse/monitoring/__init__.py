"""Remote patient monitoring: devices, readings (HTTP, FHIR, MQTT), NEWS2, rules and alerts."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register monitoring's routes, its section of a patient's FHIR record (Devices, readings,
    alerts), its event handlers (wellbeing's crisis alerts among them),
    the evaluator, the alert schedule and the MQTT bridge (see docs/monitoring.md)."""
    from careverse.community.moderation_events import CrisisPostEscalated, CrisisPostHeld
    from careverse.kernel.events import Phase
    from careverse.monitoring import alerts_api, api, fhir_api, fhir_record, jobs, mqtt
    from careverse.monitoring.community_alerts import (
        escalate_community_crisis,
        open_community_crisis_alert,
    )
    from careverse.monitoring.events import (
        AlertChanged,
        CarePlanChanged,
        ClinicalObservationRecorded,
        ReadingsCommitted,
        erase_patient_rows,
    )
    from careverse.monitoring.streams import AlertStreams
    from careverse.monitoring.webhook import from_settings as webhook_from_settings
    from careverse.monitoring.wellbeing_alerts import open_crisis_alert, open_selfhelp_crisis_alert
    from careverse.privacy.events import AccountErasureDue
    from careverse.wellbeing.events import CrisisResponseRecorded
    from careverse.wellbeing.selfhelp_events import SelfHelpCrisisRecorded

    settings = runtime.settings
    runtime.include_router(api.router)
    runtime.include_router(alerts_api.router)
    runtime.include_fhir_router(fhir_api.fhir_router())
    runtime.patient_record.add(
        "monitoring", fhir_record.record_section(settings), types=["Device", "Observation", "Flag"]
    )
    runtime.patient_record.add(
        "readings", fhir_record.readings_page, types=["Observation"], paged=True
    )
    # What the clinician's patient list shows of each patient (care composes it).
    from careverse.monitoring.patient_facets import alerts_facet, news2_facet

    runtime.patient_facets.add("news2", news2_facet(settings))
    runtime.patient_facets.add("alerts", alerts_facet)

    events = runtime.events
    evaluator = runtime.provide(jobs.Evaluator(settings))
    events.subscribe(ReadingsCommitted, evaluator.on_readings, phase=Phase.COMMITTED)
    events.subscribe(CarePlanChanged, evaluator.on_care_plan_changed, phase=Phase.COMMITTED)
    events.subscribe(
        ClinicalObservationRecorded, evaluator.on_care_plan_changed, phase=Phase.COMMITTED
    )
    streams = runtime.provide(AlertStreams())
    events.subscribe(AlertChanged, streams.on_alert_changed, phase=Phase.EVERYWHERE)
    events.subscribe(AccountErasureDue, erase_patient_rows, phase=Phase.TRANSACTION)
    # Wellbeing's crisis path: the urgent alert commits with the response (never one without).
    events.subscribe(CrisisResponseRecorded, open_crisis_alert, phase=Phase.TRANSACTION)
    # The same for a crisis signal in a patient's self-help text (thought record, activity).
    events.subscribe(SelfHelpCrisisRecorded, open_selfhelp_crisis_alert, phase=Phase.TRANSACTION)
    # Community's crisis path: the alert commits with the held post (never one without).
    events.subscribe(CrisisPostHeld, open_community_crisis_alert, phase=Phase.TRANSACTION)
    events.subscribe(CrisisPostEscalated, escalate_community_crisis, phase=Phase.TRANSACTION)
    # Support groups' unacknowledged "I need support": the same alert and escalation path.
    from careverse.groups.events import GroupSupportEscalated
    from careverse.monitoring.group_alerts import escalate_group_support

    events.subscribe(GroupSupportEscalated, escalate_group_support, phase=Phase.TRANSACTION)
    # The gallery's crisis holds: the author's urgent alert commits with the held work.
    from careverse.gallery.events import GalleryWorkHeld
    from careverse.monitoring.gallery_alerts import open_gallery_crisis_alert

    events.subscribe(GalleryWorkHeld, open_gallery_crisis_alert, phase=Phase.TRANSACTION)
    # A question raised at an event that screened positive for crisis language: the same path.
    from careverse.events.events import EventQuestionCrisis
    from careverse.monitoring.event_alerts import open_event_question_alert

    events.subscribe(EventQuestionCrisis, open_event_question_alert, phase=Phase.TRANSACTION)

    # The paging webhook: once per change, from the committing node; off without its secret.
    hook_url, secret = settings.alert_webhook_url, settings.alert_webhook_secret
    if hook_url and (webhook := webhook_from_settings(hook_url, secret, settings.public_url)):
        runtime.provide(webhook)
        events.subscribe(AlertChanged, webhook.on_alert_changed, phase=Phase.COMMITTED)
        runtime.on_stop(webhook.close)

    async def start_evaluator() -> None:
        evaluator.start(runtime.db)

    runtime.on_start(start_evaluator)
    runtime.on_stop(evaluator.stop)
    runtime.add_job(
        "monitoring.alert-schedule", lambda: jobs.schedule_forever(runtime.db, settings)
    )
    if url := settings.mqtt_url:  # CAREVERSE_MQTT_URL: device readings over MQTT
        runtime.add_job("monitoring.mqtt", lambda: mqtt.run(url, runtime.db))
