"""The HTTP shapes of messaging: the notifications inbox and secure message threads."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class NotificationOut(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    appointment_id: uuid.UUID | None  # kept for the clients that read it: from the link
    link: str | None
    patient_id: uuid.UUID | None
    created_at: datetime
    read: bool
    read_at: datetime | None


class UnreadOut(BaseModel):
    unread: int


class AttachmentOut(BaseModel):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    url: str


class MessageOut(BaseModel):
    id: uuid.UUID
    author_id: uuid.UUID | None
    author_name: str
    side: str  # patient | care_team
    body: str
    created_at: datetime
    read_by_other_side_at: datetime | None  # the read receipt
    attachments: list[AttachmentOut]


class ReadReceiptOut(BaseModel):
    account_id: uuid.UUID
    name: str
    side: str
    read_at: datetime


class MessageThreadOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    subject: str
    created_at: datetime
    last_message_at: datetime
    assigned_to: uuid.UUID | None
    assigned_name: str | None
    handled: bool
    unread: bool
    messages: list[MessageOut]
    reads: list[ReadReceiptOut]


class MessageThreadsOut(BaseModel):
    threads: list[MessageThreadOut]


class AssignIn(BaseModel):
    clinician_id: uuid.UUID | None = None


class HandledIn(BaseModel):
    handled: bool = True
