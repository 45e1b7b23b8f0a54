"""Care HTTP API (``/api/care/...``): thin, no domain logic.

One router per area, composed here in the order their paths appear in the OpenAPI schema:
availability and slots, appointments, waiting and consult rooms, encounters. (The
notifications inbox is messaging's.)
"""

from __future__ import annotations

from fastapi import APIRouter

from careverse.care.api import appointments, availability, encounters, rooms

router = APIRouter()
for area in (availability, appointments, rooms, encounters):
    router.include_router(area.router)
