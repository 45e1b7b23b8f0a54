"""Mentoring and peer educators: applications with a training quiz, approval by organisers,
matching with reasons, relationships with goals, 1:1 meetings in a private space, a message
thread, an end and reports (docs/mentoring.md)."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register the mentoring and volunteering APIs and their part of every erasure."""
    from careverse.kernel.events import Phase
    from careverse.mentoring import api, events, volunteering_api
    from careverse.privacy.events import AccountErasureDue

    runtime.include_router(api.router)
    runtime.include_router(volunteering_api.router)
    runtime.events.subscribe(AccountErasureDue, events.erase_member_rows, phase=Phase.TRANSACTION)
