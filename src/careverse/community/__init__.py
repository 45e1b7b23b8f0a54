"""Community: condition, caregiver, mental-health and professional communities; threads and
posts under a pseudonym or one's name; trust levels and limits; the moderation pipeline and the
crisis path (docs/community.md)."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register community's routes, its live thread streams and its part of every erasure."""
    from careverse.community import api, events
    from careverse.community.streams import ThreadStreams
    from careverse.kernel.events import Phase
    from careverse.privacy.events import AccountErasureDue

    runtime.include_router(api.router)
    streams = runtime.provide(ThreadStreams())
    from careverse.community.batching import PostBatcher

    runtime.provide(PostBatcher(lambda: runtime.db))  # group commit of replies (docs/community.md)
    runtime.events.subscribe(
        events.PostPublished, streams.on_post_published, phase=Phase.EVERYWHERE
    )
    runtime.events.subscribe(AccountErasureDue, events.erase_member_rows, phase=Phase.TRANSACTION)
    from careverse.community.moderation_api import setup_moderation

    setup_moderation(runtime)  # the moderation side: queue, reviewer, crisis path
    from careverse.community.quality_api import setup_quality

    setup_quality(runtime)  # health information quality: marks on posts, the education library
    from careverse.community.digest_api import setup_digest

    setup_digest(runtime)  # the e-mail digest: counts and a link, no health data
