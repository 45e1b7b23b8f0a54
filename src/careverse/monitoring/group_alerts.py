"""Urgent alerts from support groups: an "I need support" nobody acknowledged in time.

Groups publish :class:`GroupSupportEscalated` when a member's request in a session passed its
acknowledgement deadline (groups/sessions.py). In the TRANSACTION phase this opens a ``high``
alert (source ``groups``) on the member's record when they are a patient — their care team sees
it with its deadline and monitoring's escalation applies as for any alert — and tells every
recipient (the on-call clinician, or every admin and site moderator, and the group's
facilitators) in the app and by e-mail, with a title that names no group nor condition.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.groups.events import GroupSupportEscalated
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alerts import alert_changed, apply_finding
from careverse.monitoring.findings import Finding

SOURCE = "groups"
TITLE = "Support request in a group session not acknowledged: contact the person now"
NOTICE = "Unacknowledged: someone asked for support and needs a human now"


async def escalate_group_support(event: GroupSupportEscalated, session: AsyncSession) -> None:
    uow = unit_of_work(session)
    if event.patient_id is not None:
        finding = Finding(
            key=f"{SOURCE}:{event.request_id.hex}", source=SOURCE, firing=True, severity="high",
            title=TITLE, why=f"Pressed \"I need support\" at {event.raised_at}; not acknowledged",
        )  # fmt: skip
        applied = await apply_finding(session, event.patient_id, finding, auto_resolve=False)
        if applied is not None:
            alert, change, previous = applied
            await uow.publish(
                await alert_changed(session, alert, change, previous_severity=previous)
            )
    for account in event.recipients:
        await uow.publish(NotificationRequested(
            account_id=account, kind="groups.support.escalated", title=NOTICE,
            body="A member's request for support in a group session was not acknowledged in "
            "time. Please contact them now.",
            link="/groups", email=True,
        ))  # fmt: skip
