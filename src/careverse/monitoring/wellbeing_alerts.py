"""Urgent alerts from wellbeing's crisis path, through the same alert path as NEWS2 and rules.

Wellbeing publishes :class:`CrisisResponseRecorded` when a questionnaire response takes the
crisis path (PHQ-9 item 9 answered 1 or more, any C-SSRS screener risk). In the TRANSACTION
phase — the response and its alert commit together, or neither does — this opens a ``high``
alert (source ``wellbeing``) to the patient's care team, one per crisis response (a new crisis
answer is never folded into an alert someone already acknowledged). It then runs the alert
lifecycle as any other: audited, acknowledgement deadline, escalation, the live stream and the
paging webhook. The "why" says what was answered ("PHQ-9 item 9 answered 'several days'"); like
every alert's words it is encrypted at rest and never logged.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alerts import alert_changed, apply_finding
from careverse.monitoring.findings import Finding
from careverse.wellbeing.events import CrisisResponseRecorded
from careverse.wellbeing.selfhelp_events import SelfHelpCrisisRecorded

SOURCE = "wellbeing"
TITLE = "Questionnaire crisis answer: contact the patient now"


async def open_crisis_alert(event: CrisisResponseRecorded, session: AsyncSession) -> None:
    """Open the urgent alert of one crisis response, in the response's transaction."""
    finding = Finding(
        key=f"{SOURCE}:{event.response_id.hex}", source=SOURCE, firing=True, severity="high",
        title=TITLE, why=event.why(),
    )  # fmt: skip
    applied = await apply_finding(session, event.patient_id, finding, auto_resolve=False)
    if applied is not None:
        alert, change, previous = applied
        event_out = await alert_changed(session, alert, change, previous_severity=previous)
        await unit_of_work(session).publish(event_out)


SELFHELP_TITLE = "Self-help crisis signal: contact the patient now"


async def open_selfhelp_crisis_alert(event: SelfHelpCrisisRecorded, session: AsyncSession) -> None:
    """Open the urgent alert of a crisis signal in a patient's self-help text (a thought record
    or an activity note), in the record's transaction; the why quotes none of the text. The key
    is the signal's own fresh id (``open_key`` holds 80 characters: patient, source, one hex id)."""
    finding = Finding(
        key=f"{SOURCE}:{event.signal_id.hex}", source=SOURCE, firing=True,
        severity="high", title=SELFHELP_TITLE, why=event.why(),
    )  # fmt: skip
    applied = await apply_finding(session, event.patient_id, finding, auto_resolve=False)
    if applied is not None:
        alert, change, previous = applied
        event_out = await alert_changed(session, alert, change, previous_severity=previous)
        await unit_of_work(session).publish(event_out)
