"""Urgent alerts from community's crisis path, through the same alert path as NEWS2 and rules.

Community publishes :class:`CrisisPostHeld` when the crisis screen (or a member's crisis flag)
holds a post. In the TRANSACTION phase — the held post and its alert commit together, or neither
does — this:

* opens a ``high`` alert (source ``community``) on the author's record when the author is a
  patient: their care team sees it with its acknowledgement deadline, and monitoring's
  escalation takes it to the next clinician or the on-call clinician as for any alert;
* tells every recipient the event names (the community's facilitators and moderators and the
  on-call clinician — or, with none configured, every admin and site moderator) through
  :class:`NotificationRequested`, with the deadline; the community's crisis case carries that
  deadline and escalates (:class:`CrisisPostEscalated`) to the whole on-call group.

The "why" says which rule or lexicon entry fired, never the post's words; like every alert's
words it is encrypted at rest and never logged.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.moderation_events import CrisisPostEscalated, CrisisPostHeld
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alerts import alert_changed, apply_finding
from careverse.monitoring.findings import Finding

SOURCE = "community"
TITLE = "Community post held for crisis language: contact the person now"
NOTICE = "A community post needs a human now"
LINK = "/community/moderation"


async def open_community_crisis_alert(event: CrisisPostHeld, session: AsyncSession) -> None:
    """Open the author's urgent alert (if a patient) and tell the recipients, in the post's
    transaction."""
    uow = unit_of_work(session)
    if event.author_patient_id is not None:
        finding = Finding(
            key=f"{SOURCE}:{event.post_id.hex}", source=SOURCE, firing=True, severity="high",
            title=TITLE, why=event.why(),
        )  # fmt: skip
        applied = await apply_finding(session, event.author_patient_id, finding, auto_resolve=False)
        if applied is not None:
            alert, change, previous = applied
            await uow.publish(
                await alert_changed(session, alert, change, previous_severity=previous)
            )
    for account in event.recipients:
        await uow.publish(NotificationRequested(
            account_id=account, kind="community.crisis", title=NOTICE,
            body=f"{event.why()}. Acknowledge by {event.acknowledge_by}.",
            link=f"{LINK}?case={event.case_id}", email=True,
        ))  # fmt: skip


async def escalate_community_crisis(event: CrisisPostEscalated, session: AsyncSession) -> None:
    """Nobody acknowledged in time: the whole on-call group is told."""
    uow = unit_of_work(session)
    for account in event.recipients:
        await uow.publish(NotificationRequested(
            account_id=account, kind="community.crisis.escalated",
            title="Unacknowledged: a community post needs a human now",
            body="A crisis hold was not acknowledged in time. Please take it on.",
            link=f"{LINK}?case={event.case_id}", email=True,
        ))  # fmt: skip
