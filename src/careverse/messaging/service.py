"""Secure messages between a patient (or their caregiver) and the patient's care team.

Every read and write goes through :func:`careverse.kernel.policy.authorize` (category
``messages``) and is audited: a patient reaches their own threads, a caregiver those of the people
whose delegation grants ``messages:read`` (``messages:write`` to send), a clinician those of the
patients they have a care relationship with (their triage inbox). A thread the caller may not see
answers 404. A new message tells the other side through :class:`NotificationRequested`, whose
title carries no health data.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.identity.relationships import (
    care_team,
    caregivers_with,
    has_care_relationship,
    patients_of,
)
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, Category, Role, authorize, decide, require_role
from careverse.kernel.uow import unit_of_work
from careverse.messaging.attachments import CheckedFile
from careverse.messaging.models import Message, MessageAttachment, MessageThread, ThreadRead

Triage = Literal["all", "unassigned", "mine"]
CARE_TEAM, PATIENT_SIDE = "care_team", "patient"
TO_CARE_TEAM = "New message from a patient"
TO_PATIENT = "New message from your care team"
TO_CAREGIVER = "New message about someone you support"  # e-mailed: no name, no health data
LIST_LIMIT = 200


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: uuid.UUID
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class MessageView:
    id: uuid.UUID
    author_id: uuid.UUID | None
    author_name: str
    side: str
    body: str
    created_at: datetime
    read_by_other_side_at: datetime | None
    attachments: list[AttachmentInfo] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReadReceipt:
    account_id: uuid.UUID
    name: str
    side: str
    read_at: datetime


@dataclass(frozen=True, slots=True)
class ThreadView:
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
    messages: list[MessageView] = field(default_factory=list)
    reads: list[ReadReceipt] = field(default_factory=list)


def side_of(actor: Actor) -> str:
    return CARE_TEAM if actor.role is Role.CLINICIAN else PATIENT_SIDE


def _clean(text: str, name: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(f"Write the {name.replace('_', ' ')}.", field=name)
    if len(text) > limit:
        raise InvalidInput(f"Keep the {name} under {limit} characters.", field=name)
    return text


class MessagingService:
    """Threads, messages, attachments, read receipts and the clinician's triage."""

    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    # ---- reaching a thread -----------------------------------------------------------------

    async def _thread(self, actor: Actor, thread_id: uuid.UUID, write: bool) -> MessageThread:
        thread = await self.session.get(MessageThread, thread_id)
        if thread is None:
            raise NotFound("Not found.")
        await authorize(
            self.session, actor, thread.patient_id, Category.MESSAGES, write=write,
            resource_type="Communication", resource_id=thread.id,
        )  # fmt: skip
        return thread

    async def _readable_patients(self, actor: Actor) -> list[uuid.UUID]:
        """The patients whose threads the caller may list (relationship or delegation; no
        break-glass: that is for one record at a time)."""
        allowed = []
        for patient_id in await patients_of(self.session, actor):
            grant, _ = await decide(self.session, actor, patient_id, Category.MESSAGES, False)
            if grant is not None:
                allowed.append(patient_id)
        return allowed

    # ---- lists -----------------------------------------------------------------------------

    async def threads(
        self,
        actor: Actor,
        patient_id: uuid.UUID | None = None,
        triage: Triage = "all",
        include_handled: bool = True,
    ) -> list[ThreadView]:
        """The threads the caller may read, most recent first (the clinician's triage inbox)."""
        async with unit_of_work(self.session):
            patients = await self._readable_patients(actor)
            if patient_id is not None:
                if patient_id not in patients:  # audited refusal, 404
                    await authorize(self.session, actor, patient_id, Category.MESSAGES)
                patients = [patient_id]
            query = select(MessageThread).where(MessageThread.patient_id.in_(patients))
            if triage != "all":
                require_role(actor, Role.CLINICIAN)
                query = query.where(
                    MessageThread.assigned_to.is_(None)
                    if triage == "unassigned"
                    else MessageThread.assigned_to == actor.account_id
                )
            if not include_handled:
                query = query.where(MessageThread.handled_at.is_(None))
            rows = list(
                (
                    await self.session.scalars(
                        query.order_by(MessageThread.last_message_at.desc()).limit(LIST_LIMIT)
                    )
                ).all()
            )
            for shown in dict.fromkeys(r.patient_id for r in rows):
                await authorize(
                    self.session, actor, shown, Category.MESSAGES, resource_type="Communication"
                )
            return [await self._view(actor, r, with_messages=False) for r in rows]

    async def thread(self, actor: Actor, thread_id: uuid.UUID) -> ThreadView:
        """One thread with its messages, attachments and read receipts."""
        async with unit_of_work(self.session):
            return await self._view(actor, await self._thread(actor, thread_id, False), True)

    async def _view(self, actor: Actor, thread: MessageThread, with_messages: bool) -> ThreadView:
        reads = list(
            (
                await self.session.scalars(
                    select(ThreadRead).where(ThreadRead.thread_id == thread.id)
                )
            ).all()
        )
        mine = next((r.read_at for r in reads if r.account_id == actor.account_id), None)
        side = side_of(actor)
        last_other = await self.session.scalar(
            select(func.max(Message.created_at)).where(
                Message.thread_id == thread.id, Message.side != side
            )
        )
        unread = last_other is not None and (mine is None or mine < last_other)
        patient = await directory.patient(self.session, thread.patient_id)
        messages: list[Message] = []
        if with_messages:
            messages = list(
                (
                    await self.session.scalars(
                        select(Message)
                        .where(Message.thread_id == thread.id)
                        .order_by(Message.created_at, Message.id)
                    )
                ).all()
            )
        ids = {m.author_id for m in messages if m.author_id} | {r.account_id for r in reads}
        if thread.assigned_to:
            ids.add(thread.assigned_to)
        names = await directory.display_names(self.session, ids)
        roles = {
            i: await directory.account_role(self.session, i) for i in {r.account_id for r in reads}
        }
        receipts = [
            ReadReceipt(
                r.account_id, names.get(r.account_id, ""),
                CARE_TEAM if roles.get(r.account_id) == Role.CLINICIAN.value else PATIENT_SIDE,
                r.read_at,
            )
            for r in reads
        ]  # fmt: skip
        files = await self._attachments([m.id for m in messages])
        return ThreadView(
            id=thread.id, patient_id=thread.patient_id,
            patient_name=patient.name if patient else "", subject=thread.subject,
            created_at=thread.created_at, last_message_at=thread.last_message_at,
            assigned_to=thread.assigned_to,
            assigned_name=names.get(thread.assigned_to) if thread.assigned_to else None,
            handled=thread.handled_at is not None, unread=unread,
            messages=[
                MessageView(
                    m.id, m.author_id, names.get(m.author_id, "") if m.author_id else "",
                    m.side, m.body, m.created_at,
                    min((r.read_at for r in receipts
                         if r.side != m.side and r.read_at >= m.created_at), default=None),
                    files.get(m.id, []),
                )
                for m in messages
            ],
            reads=receipts,
        )  # fmt: skip

    async def _attachments(self, message_ids: list[uuid.UUID]) -> dict[uuid.UUID, list]:
        if not message_ids:
            return {}
        rows = await self.session.execute(
            select(
                MessageAttachment.id, MessageAttachment.message_id, MessageAttachment.filename,
                MessageAttachment.content_type, MessageAttachment.size,
            ).where(MessageAttachment.message_id.in_(message_ids))
        )  # fmt: skip
        out: dict[uuid.UUID, list] = {}
        for aid, mid, name, ctype, size in rows:
            out.setdefault(mid, []).append(AttachmentInfo(aid, name, ctype, size))
        return out

    # ---- writing ---------------------------------------------------------------------------

    async def start(
        self,
        actor: Actor,
        patient_id: uuid.UUID | None,
        subject: str,
        body: str,
        file: CheckedFile | None = None,
    ) -> ThreadView:
        """Open a thread with its first message (a patient: with their own care team)."""
        if patient_id is None:
            if actor.role is not Role.PATIENT or actor.patient_id is None:
                raise InvalidInput("Choose whose care this is about.", field="patient_id")
            patient_id = actor.patient_id
        subject = _clean(subject, "subject", 200)
        body = _clean(body, "body", 5000)
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.MESSAGES, write=True,
                resource_type="Communication",
            )  # fmt: skip
            if side_of(actor) == PATIENT_SIDE and not await care_team(self.session, patient_id):
                raise Conflict(
                    "There is no care team to write to yet: book a visit first.",
                    code="no_care_team",
                )
            thread = MessageThread(
                id=uuid.uuid4(), patient_id=patient_id, subject=subject,
                created_by=actor.account_id, last_message_at=clock.now(),
            )  # fmt: skip
            self.session.add(thread)
            await self.session.flush()
            audit.record(
                self.session, "message.thread_start", actor=actor, patient_id=patient_id,
                resource_type="Communication", resource_id=thread.id,
            )  # fmt: skip
            await self._add(actor, thread, body, file)
            return await self._view(actor, thread, True)

    async def reply(
        self, actor: Actor, thread_id: uuid.UUID, body: str, file: CheckedFile | None = None
    ) -> ThreadView:
        """Add a message to a thread; the other side is told."""
        body = _clean(body, "body", 5000)
        async with unit_of_work(self.session):
            thread = await self._thread(actor, thread_id, True)
            await self._add(actor, thread, body, file)
            return await self._view(actor, thread, True)

    async def _add(
        self, actor: Actor, thread: MessageThread, body: str, file: CheckedFile | None
    ) -> None:
        side, now = side_of(actor), clock.now()
        message = Message(
            id=uuid.uuid4(), thread_id=thread.id, author_id=actor.account_id, side=side,
            body=body, created_at=now,
        )  # fmt: skip
        self.session.add(message)
        thread.last_message_at = now
        if side == PATIENT_SIDE:
            thread.handled_at = None  # a new question reopens it for the team
        await self.session.flush()
        if file is not None:
            self.session.add(
                MessageAttachment(
                    message_id=message.id, filename=file.filename,
                    content_type=file.content_type, size=len(file.content),
                    content=base64.b64encode(file.content).decode(),
                )
            )  # fmt: skip
        audit.record(
            self.session, "message.send", actor=actor, patient_id=thread.patient_id,
            resource_type="Communication", resource_id=message.id,
            detail={"thread_id": str(thread.id), "attachment": file is not None},
        )  # fmt: skip
        await self._mark_read(actor, thread.id, now)
        await self._tell_other_side(actor, thread, side)

    async def _tell_other_side(self, actor: Actor, thread: MessageThread, side: str) -> None:
        uow = unit_of_work(self.session)
        author = await directory.display_names(self.session, {actor.account_id})
        if side == PATIENT_SIDE:
            team = [thread.assigned_to] if thread.assigned_to else None
            recipients = team or await care_team(self.session, thread.patient_id)
            title, link, email = TO_CARE_TEAM, f"/inbox?thread={thread.id}", False
            carers_only: set[uuid.UUID] = set()
        else:
            patient = await directory.patient(self.session, thread.patient_id)
            own = [patient.account_id] if patient and patient.account_id else []
            carers = await caregivers_with(self.session, thread.patient_id, Category.MESSAGES)
            recipients = [*own, *carers]
            title, link, email = TO_PATIENT, f"/messages?thread={thread.id}", True
            carers_only = set(carers) - set(own)  # they read of the person, not "your"
        for account_id in dict.fromkeys(recipients):
            if account_id == actor.account_id:
                continue
            await uow.publish(
                NotificationRequested(
                    account_id=account_id, kind="message.received",
                    title=TO_CAREGIVER if account_id in carers_only else title,
                    body=f"{author.get(actor.account_id, '')}: {thread.subject}", link=link,
                    patient_id=thread.patient_id, email=email,
                )
            )  # fmt: skip

    async def _mark_read(self, actor: Actor, thread_id: uuid.UUID, at: datetime) -> None:
        row = await self.session.get(ThreadRead, (thread_id, actor.account_id))
        if row is None:
            self.session.add(
                ThreadRead(thread_id=thread_id, account_id=actor.account_id, read_at=at)
            )
        elif row.read_at < at:
            row.read_at = at
        await self.session.flush()

    async def mark_read(self, actor: Actor, thread_id: uuid.UUID) -> None:
        """The caller has read the thread up to now (the other side sees the receipt)."""
        async with unit_of_work(self.session):
            await self._thread(actor, thread_id, False)
            await self._mark_read(actor, thread_id, clock.now())

    # ---- triage ----------------------------------------------------------------------------

    async def assign(
        self, actor: Actor, thread_id: uuid.UUID, clinician_id: uuid.UUID | None
    ) -> ThreadView:
        """Give the thread to a clinician of the patient's care team (None: unassign)."""
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session):
            thread = await self._thread(actor, thread_id, True)
            if clinician_id is not None and not await has_care_relationship(
                self.session, clinician_id, thread.patient_id
            ):
                raise InvalidInput(
                    "Choose a clinician of this patient's care team.", field="clinician_id"
                )
            thread.assigned_to = clinician_id
            audit.record(
                self.session, "message.assign", actor=actor, patient_id=thread.patient_id,
                resource_type="Communication", resource_id=thread.id,
                detail={"assigned_to": str(clinician_id) if clinician_id else None},
            )  # fmt: skip
            return await self._view(actor, thread, False)

    async def set_handled(self, actor: Actor, thread_id: uuid.UUID, handled: bool) -> ThreadView:
        """Mark the thread handled (or open again) for the care team."""
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session):
            thread = await self._thread(actor, thread_id, True)
            thread.handled_at = clock.now() if handled else None
            audit.record(
                self.session, "message.handled" if handled else "message.reopen", actor=actor,
                patient_id=thread.patient_id, resource_type="Communication",
                resource_id=thread.id,
            )  # fmt: skip
            return await self._view(actor, thread, False)

    async def attachment(self, actor: Actor, attachment_id: uuid.UUID) -> tuple[CheckedFile, int]:
        """An attachment's bytes, read through the policy (404 when not the caller's to see)."""
        async with unit_of_work(self.session):
            row = await self.session.get(MessageAttachment, attachment_id)
            if row is None:
                raise NotFound("Not found.")
            message = await self.session.get(Message, row.message_id)
            if message is None:
                raise NotFound("Not found.")
            await self._thread(actor, message.thread_id, False)
            content = base64.b64decode(row.content)
        return CheckedFile(row.filename, row.content_type, content), row.size
