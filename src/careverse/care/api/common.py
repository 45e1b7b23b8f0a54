"""What every care router shares: the services over one request's session, the ``tz``
parameter and how times are shown."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import slots as slot_math
from careverse.care.availability import AvailabilityService
from careverse.care.booking import BookingService
from careverse.care.encounters import EncounterService
from careverse.care.rooms import RoomService
from careverse.care.schemas import SlotOut, When
from careverse.care.waiting import WaitingService
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_runtime, get_session, get_settings

TzParam = Annotated[str | None, Query(max_length=64, description="IANA zone to show times in")]


class Services:
    """The care services over one request's session."""

    def __init__(
        self,
        request: Request,
        session: Annotated[AsyncSession, Depends(get_session)],
        settings: Annotated[Settings, Depends(get_settings)],
    ):
        self.session = session
        self.availability = AvailabilityService(session, settings)
        self.booking = BookingService(session, settings, get_runtime(request).mailer)
        self.waiting = WaitingService(session, settings)
        self.rooms = RoomService(session)
        self.encounters = EncounterService(session)
        self.settings = settings


Care = Annotated[Services, Depends(Services)]


def when(value: datetime, tz: ZoneInfo) -> When:
    local, label = slot_math.render(value, tz)
    return When(utc=value, local=local, label=label)


def slot_out(s: slot_math.Slot, tz: ZoneInfo, visit_type: str) -> SlotOut:
    local, label = slot_math.render(s.start, tz)
    return SlotOut(start=s.start, end=s.end, start_local=local, label=label, visit_type=visit_type)
