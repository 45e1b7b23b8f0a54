"""Events and campaigns: talks, Q&A with a clinician and health campaigns in an auditorium or
lobby space, with registration, a stage and audience mode, moderated questions and a recording
of the slides and chat (docs/events.md)."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register the events API, the stage's events it keeps, its part of every erasure and its
    reminders job."""
    from careverse.events import api, events, live, service
    from careverse.kernel.events import Phase
    from careverse.privacy.events import AccountErasureDue
    from careverse.world.stage_events import StageQuestionDecided, StageRecorded

    runtime.include_router(api.router)
    bus = runtime.events
    bus.subscribe(StageRecorded, live.on_stage_recorded, phase=Phase.TRANSACTION)
    bus.subscribe(StageQuestionDecided, live.on_question_decided, phase=Phase.TRANSACTION)
    bus.subscribe(AccountErasureDue, events.erase_person_rows, phase=Phase.TRANSACTION)
    runtime.add_job("events.reminders", lambda: service.forever(runtime.db))
