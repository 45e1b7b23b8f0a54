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
    health,
    notifications,
    patients,
    rooms,
)

router = APIRouter()
for area in (availability, appointments, rooms, encounters, notifications, patients):
    router.include_router(area.router)
router.include_router(health.router)  # the patient's health record (care/health_record.py)
