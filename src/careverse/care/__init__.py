"""Care: availability, slots, booking, waiting room, consult rooms, encounters and summaries."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register care's routes (its FHIR routes are composed by ``fhir``) and the reminders job."""
    from careverse.care import api, jobs
    from careverse.care import fhir as care_fhir  # registered here until care owns it

    runtime.include_router(api.router)
    runtime.include_fhir_router(care_fhir.router)  # registered here until care owns it
    runtime.add_job(
        "care.reminders",
        lambda: jobs.send_reminders_forever(runtime.db, runtime.settings, runtime.mailer),
    )
