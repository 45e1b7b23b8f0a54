"""Messaging: the notifications inbox every capability delivers through, and secure messages
between patients (or their caregivers) and their care team (docs/messaging.md)."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register messaging's routes, the inbox's handlers of ``NotificationRequested`` (store in
    the publisher's transaction, e-mail after the commit, push on every node), caregivers' alert
    notices and messaging's part of every erasure."""
    from careverse.kernel.events import Phase
    from careverse.kernel.notify import NotificationRequested
    from careverse.messaging import api, events, notifications
    from careverse.messaging.streams import NotificationStreams
    from careverse.monitoring.events import AlertChanged
    from careverse.privacy.events import AccountErasureDue

    settings = runtime.settings
    runtime.include_router(api.router)
    from careverse.messaging import translation

    runtime.include_router(translation.router)
    bus = runtime.events
    bus.subscribe(
        NotificationRequested,
        events.store(runtime.mailer.configured),
        phase=Phase.TRANSACTION,
    )

    async def email(event: NotificationRequested) -> None:
        await notifications.send_email(runtime.db, runtime.mailer, settings, event)

    async def alert_changed(event: AlertChanged) -> None:
        await events.tell_caregivers_of_alert(runtime.db, event)

    bus.subscribe(NotificationRequested, email, phase=Phase.COMMITTED)
    streams = runtime.provide(NotificationStreams())
    bus.subscribe(NotificationRequested, streams.on_notification, phase=Phase.EVERYWHERE)
    bus.subscribe(AlertChanged, alert_changed, phase=Phase.COMMITTED)
    bus.subscribe(AccountErasureDue, events.erase_rows, phase=Phase.TRANSACTION)
