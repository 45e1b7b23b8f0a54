"""Urgent alerts from events: a question raised at an event screened positive for crisis
language (events/live.py holds it; the crisis screen is community's, kernel/crisis_screen.py).

In the TRANSACTION phase — the held question and its alert commit together — this opens a
``high`` alert (source ``events``) on the asker's record when they are a patient (their care
team sees it with its acknowledgement deadline; monitoring's escalation applies as for any
alert), and tells every recipient (the on-call clinician, or every admin and site moderator,
and the event's hosts) in the app and by e-mail. The "why" names the screen's categories, never
the question's words.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.events.events import EventQuestionCrisis
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alerts import open_urgent
from careverse.monitoring.findings import Finding

SOURCE = "events"
TITLE = "Question at an event held for crisis language: contact the person now"
NOTICE = "A question at an event needs a human now"


async def open_event_question_alert(event: EventQuestionCrisis, session: AsyncSession) -> None:
    if event.patient_id is not None:
        await open_urgent(session, event.patient_id, Finding(
            key=f"{SOURCE}:{event.question_id.hex}", source=SOURCE, firing=True, severity="high",
            title=TITLE, why=event.why(),
        ))  # fmt: skip
    uow = unit_of_work(session)
    for account in event.recipients:
        await uow.publish(NotificationRequested(
            account_id=account, kind="events.crisis", title=NOTICE,
            body=f"{event.why()}. Please contact the person now.",
            link=f"/events/{event.event_slug}", email=True,
        ))  # fmt: skip
