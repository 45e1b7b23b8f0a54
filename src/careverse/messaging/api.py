"""Messaging HTTP API: the caller's notifications (``/api/me/notifications``) and secure
messages (``/api/messages``). Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor, sign_in_check
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_runtime, get_session, get_settings
from careverse.kernel.policy import Role, require_role
from careverse.messaging.attachments import CheckedFile, check
from careverse.messaging.models import Notification
from careverse.messaging.notifications import PAGE_LIMIT, NotificationService
from careverse.messaging.schemas import (
    AssignIn,
    AttachmentOut,
    HandledIn,
    MessageOut,
    MessageThreadOut,
    MessageThreadsOut,
    NotificationOut,
    ReadReceiptOut,
    UnreadOut,
)
from careverse.messaging.service import MessagingService, ThreadView
from careverse.messaging.streams import NotificationStreams, notification_events

router = APIRouter(prefix="/api", tags=["messaging"])
FILE_ERRORS = {
    **ERRORS,
    413: {"description": "Attachment too large"},
    415: {"description": "Attachment type not allowed"},
}
APPOINTMENT_LINK = re.compile(r"^/care/appointments/([0-9a-fA-F-]{32,36})$")

Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def inbox(session: Session) -> NotificationService:
    return NotificationService(session)


def messaging(session: Session, settings: AppSettings) -> MessagingService:
    return MessagingService(session, settings)


Inbox = Annotated[NotificationService, Depends(inbox)]
Messaging = Annotated[MessagingService, Depends(messaging)]


# ---- notifications ----------------------------------------------------------------------------


def notification_out(n: Notification) -> NotificationOut:
    found = APPOINTMENT_LINK.match(n.link or "")
    return NotificationOut(
        id=n.id, kind=n.kind, title=n.title, body=n.body,
        appointment_id=uuid.UUID(found.group(1)) if found else None, link=n.link,
        patient_id=n.patient_id, created_at=n.created_at, read=n.read_at is not None,
        read_at=n.read_at,
    )  # fmt: skip


@router.get("/me/notifications", response_model=list[NotificationOut], responses=ERRORS)
async def my_notifications(
    actor: CurrentActor,
    service: Inbox,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = PAGE_LIMIT,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[NotificationOut]:
    """The caller's in-app notifications, newest first (``limit``/``offset`` page them)."""
    return [notification_out(n) for n in await service.page(actor, unread, limit, offset)]


@router.get("/me/notifications/unread-count", response_model=UnreadOut, responses=ERRORS)
async def unread_count(actor: CurrentActor, service: Inbox) -> UnreadOut:
    return UnreadOut(unread=await service.unread(actor))


@router.get(
    "/me/notifications/stream",
    response_class=StreamingResponse,
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}},
)
async def notification_stream(
    actor: CurrentActor, request: Request, session: Session, settings: AppSettings
) -> StreamingResponse:
    """Server-sent events: `event: notification` (kind, title, link) as notices arrive.

    For the people the inbox serves live (patients, caregivers, clinicians); others poll
    ``unread-count``."""
    require_role(actor, Role.PATIENT, Role.CAREGIVER, Role.CLINICIAN)
    await session.close()  # hold no database connection for the life of the stream
    runtime = get_runtime(request)
    still_signed_in = await sign_in_check(request, settings)

    return StreamingResponse(
        notification_events(
            runtime.get(NotificationStreams),
            actor.account_id,
            settings.alert_stream_ping_seconds,
            still_signed_in,
        ),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )


@router.post(
    "/me/notifications/{notification_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def mark_read(notification_id: uuid.UUID, actor: CurrentActor, service: Inbox) -> Response:
    await service.mark_read(actor, notification_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/notifications/read", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def mark_all_read(actor: CurrentActor, service: Inbox) -> Response:
    await service.mark_read(actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- secure messages ----------------------------------------------------------------------------


def thread_out(view: ThreadView) -> MessageThreadOut:
    return MessageThreadOut(
        id=view.id, patient_id=view.patient_id, patient_name=view.patient_name,
        subject=view.subject, created_at=view.created_at, last_message_at=view.last_message_at,
        assigned_to=view.assigned_to, assigned_name=view.assigned_name, handled=view.handled,
        unread=view.unread,
        messages=[
            MessageOut(
                id=m.id, author_id=m.author_id, author_name=m.author_name, side=m.side,
                body=m.body, created_at=m.created_at,
                read_by_other_side_at=m.read_by_other_side_at,
                attachments=[
                    AttachmentOut(
                        id=a.id, filename=a.filename, content_type=a.content_type, size=a.size,
                        url=f"/api/messages/attachments/{a.id}",
                    )
                    for a in m.attachments
                ],
            )
            for m in view.messages
        ],
        reads=[ReadReceiptOut(account_id=r.account_id, name=r.name, side=r.side,
                              read_at=r.read_at) for r in view.reads],
    )  # fmt: skip


async def checked(file: UploadFile | None, settings: Settings) -> CheckedFile | None:
    if file is None:
        return None
    limit = settings.messaging_attachment_max_bytes
    content = await file.read(limit + 1)
    return check(file.filename, content, limit)


Upload = Annotated[UploadFile | None, File(description="PDF, PNG or JPEG")]


@router.get("/messages/threads", response_model=MessageThreadsOut, responses=ERRORS)
async def threads(
    actor: CurrentActor,
    service: Messaging,
    patient: uuid.UUID | None = None,
    triage: Literal["all", "unassigned", "mine"] = "all",
    handled: bool = True,
) -> MessageThreadsOut:
    """The threads the caller may read, newest activity first. Clinicians: their patients'
    threads, ``triage`` unassigned / mine / all, ``handled=false`` for the open ones only."""
    views = await service.threads(actor, patient, triage, handled)
    return MessageThreadsOut(threads=[thread_out(v) for v in views])


@router.post(
    "/messages/threads",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageThreadOut,
    responses=FILE_ERRORS,
)
async def start_thread(
    actor: CurrentActor,
    service: Messaging,
    settings: AppSettings,
    subject: Annotated[str, Form(max_length=200)],
    body: Annotated[str, Form(max_length=5000)],
    patient_id: Annotated[uuid.UUID | None, Form()] = None,
    file: Upload = None,
) -> MessageThreadOut:
    """Write to the care team (a patient; a caregiver or clinician names ``patient_id``)."""
    attachment = await checked(file, settings)
    return thread_out(await service.start(actor, patient_id, subject, body, attachment))


@router.get("/messages/threads/{thread_id}", response_model=MessageThreadOut, responses=ERRORS)
async def get_thread(
    thread_id: uuid.UUID, actor: CurrentActor, service: Messaging
) -> MessageThreadOut:
    return thread_out(await service.thread(actor, thread_id))


@router.post(
    "/messages/threads/{thread_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageThreadOut,
    responses=FILE_ERRORS,
)
async def reply(
    thread_id: uuid.UUID,
    actor: CurrentActor,
    service: Messaging,
    settings: AppSettings,
    body: Annotated[str, Form(max_length=5000)],
    file: Upload = None,
) -> MessageThreadOut:
    attachment = await checked(file, settings)
    return thread_out(await service.reply(actor, thread_id, body, attachment))


@router.post(
    "/messages/threads/{thread_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def read_thread(thread_id: uuid.UUID, actor: CurrentActor, service: Messaging) -> Response:
    """The caller has read the thread (the other side sees the receipt)."""
    await service.mark_read(actor, thread_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/messages/threads/{thread_id}/assignee", response_model=MessageThreadOut, responses=ERRORS
)
async def assign(
    thread_id: uuid.UUID, body: AssignIn, actor: CurrentActor, service: Messaging
) -> MessageThreadOut:
    """Give the thread to a clinician of the patient's care team (null: nobody)."""
    return thread_out(await service.assign(actor, thread_id, body.clinician_id))


@router.put(
    "/messages/threads/{thread_id}/handled", response_model=MessageThreadOut, responses=ERRORS
)
async def handled(
    thread_id: uuid.UUID, body: HandledIn, actor: CurrentActor, service: Messaging
) -> MessageThreadOut:
    return thread_out(await service.set_handled(actor, thread_id, body.handled))


@router.get(
    "/messages/attachments/{attachment_id}",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"application/octet-stream": {}}}},
)
async def download(attachment_id: uuid.UUID, actor: CurrentActor, service: Messaging) -> Response:
    """An attachment, through the policy; always downloaded, never rendered inline."""
    file, _ = await service.attachment(actor, attachment_id)
    return Response(
        file.content,
        media_type=file.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
