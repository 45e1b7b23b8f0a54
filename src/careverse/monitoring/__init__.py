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
    runtime.include_fhir_router(_fhir_routes())  # registered here until monitoring owns it
    jobs.setup_alerts(runtime)
    if url := runtime.settings.mqtt_url:  # CAREVERSE_MQTT_URL: device readings over MQTT
        runtime.add_job(
            "monitoring.mqtt",
            lambda: mqtt.run(url, runtime.db, runtime.get(ReadingListeners)),
        )


def _fhir_routes():  # registered here until monitoring owns it
    from fastapi import APIRouter

    from careverse.monitoring import fhir_api

    routes = APIRouter()
    routes.include_router(fhir_api.router)  # Observation create/read
    routes.add_api_route(  # batch/transaction Bundles of Observations (POST /fhir)
        "", fhir_api.post_bundle, methods=["POST"], responses=fhir_api.RESPONSES,
        response_class=fhir_api.FhirResponse, openapi_extra=fhir_api.BODY, tags=["fhir"],
    )  # fmt: skip
    return routes
