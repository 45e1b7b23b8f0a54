"""Live support groups: groups of a community, recurring sessions in a world space, circle
tools, attendance and continuity (docs/groups.md)."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register the groups API, the world's circle events it keeps, and its job (reminders,
    support escalation)."""
    from careverse.groups import api, continuity, sessions
    from careverse.kernel.events import Phase
    from careverse.privacy.events import AccountErasureDue
    from careverse.world.circle_events import (
        CircleCheckIn,
        CircleSupportAcknowledged,
        CircleSupportRequested,
    )

    runtime.include_router(api.router)
    events = runtime.events
    events.subscribe(CircleSupportRequested, sessions.on_support_requested, phase=Phase.TRANSACTION)
    events.subscribe(
        CircleSupportAcknowledged, sessions.on_support_acknowledged, phase=Phase.TRANSACTION
    )
    events.subscribe(CircleCheckIn, sessions.on_check_in, phase=Phase.TRANSACTION)
    events.subscribe(AccountErasureDue, continuity.erase_member_rows, phase=Phase.TRANSACTION)
    runtime.add_job("groups.sessions", lambda: sessions.forever(runtime.db, runtime.settings))
