"""Remote patient monitoring: devices, readings (HTTP, FHIR, MQTT), NEWS2, rules and alerts."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register monitoring's routes, the alert side (notifier, evaluator, schedule) and MQTT."""
    from careverse.monitoring import alerts_api, api, jobs, mqtt
    from careverse.monitoring.events import ReadingListeners

    runtime.provide(ReadingListeners())
    runtime.include_router(api.router)
    runtime.include_router(alerts_api.router)
    jobs.setup_alerts(runtime)
    if url := runtime.settings.mqtt_url:  # CAREVERSE_MQTT_URL: device readings over MQTT
        runtime.add_job(
            "monitoring.mqtt",
            lambda: mqtt.run(url, runtime.db, runtime.get(ReadingListeners)),
        )
