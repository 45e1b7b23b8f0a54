"""The gallery: members' images, poems and short texts in a community's gallery space, moderated
before they appear and removable by their authors; art-therapy groups share works in progress
with their session only (docs/gallery.md)."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register the gallery API, its part of every erasure and its crisis escalation job."""
    from careverse.gallery import api, events, moderation
    from careverse.kernel.events import Phase
    from careverse.privacy.events import AccountErasureDue

    runtime.include_router(api.router)
    runtime.events.subscribe(AccountErasureDue, events.erase_member_rows, phase=Phase.TRANSACTION)
    runtime.add_job(
        "gallery.crisis", lambda: moderation.escalate_forever(runtime.db, runtime.settings)
    )
