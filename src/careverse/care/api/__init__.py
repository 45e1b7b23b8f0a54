"""Care HTTP API (``/api/care/...`` and ``/api/me/notifications``): thin, no domain logic.

One router per area, composed here in the order their paths appear in the OpenAPI schema:
availability and slots, appointments, waiting and consult rooms, encounters, notifications.
"""

from __future__ import annotations

from fastapi import APIRouter

from careverse.care.api import (
    appointments,
    availability,
    encounters,
    notifications,
    patients,
    rooms,
)

router = APIRouter()
for area in (availability, appointments, rooms, encounters, notifications, patients):
    router.include_router(area.router)
