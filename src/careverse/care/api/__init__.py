"""Care HTTP API (``/api/care/...``): thin, no domain logic.

One router per area, composed here in the order their paths appear in the OpenAPI schema:
availability and slots, appointments, waiting and consult rooms, encounters. (The
notifications inbox is messaging's.)
"""

from __future__ import annotations

from fastapi import APIRouter

from careverse.care.api import appointments, availability, encounters, health, patients, rooms

router = APIRouter()
for area in (availability, appointments, rooms, encounters, patients):
    router.include_router(area.router)
router.include_router(health.router)  # the patient's health record (care/health_record.py)
from careverse.care.api import interpreters  # noqa: E402 - the interpreter pool and offer

router.include_router(interpreters.router)
