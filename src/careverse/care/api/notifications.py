"""Care API: the caller's in-app notifications (``/api/me/notifications``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from careverse.care.api.common import Care
from careverse.care.schemas import NotificationOut
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor

router = APIRouter(prefix="/api", tags=["care"])


@router.get("/me/notifications", response_model=list[NotificationOut], responses=ERRORS)
async def my_notifications(
    actor: CurrentActor, care: Care, unread: bool = False
) -> list[NotificationOut]:
    """The caller's in-app notifications, newest first."""
    return [
        NotificationOut(
            id=n.id,
            kind=n.kind,
            title=n.title,
            body=n.body,
            appointment_id=n.appointment_id,
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n in await care.notifications.mine(actor, unread)
    ]


@router.post(
    "/me/notifications/{notification_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def mark_read(notification_id: uuid.UUID, actor: CurrentActor, care: Care) -> Response:
    await care.notifications.mark_read(actor, notification_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/notifications/read", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def mark_all_read(actor: CurrentActor, care: Care) -> Response:
    await care.notifications.mark_read(actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
