"""FHIR search and read of monitoring's Devices and Flags (alerts), on the kernel's toolkit
(:mod:`careverse.kernel.fhir_search`); Observation's search is :mod:`.fhir_search`.

Both are the patient's vitals (``Category.VITALS``); a Flag of wellbeing's crisis path also needs
``Category.WELLBEING`` (as in the record). A patient has few of either, so they are matched in
memory after one query per search.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.errors import NotFound
from careverse.kernel.fhir import OUTCOMES, FhirResponse
from careverse.kernel.fhir_search import (
    COMMON,
    DATE,
    TOKEN,
    Include,
    Param,
    Spec,
    meta_updated,
    uuid_or_404,
)
from careverse.kernel.fhir_search_http import endpoint, register
from careverse.kernel.policy import Actor, Category, authorize, decide
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alert_models import Alert
from careverse.monitoring.fhir_record import device, flag
from careverse.monitoring.models import Device

Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
router = APIRouter(tags=["fhir"])


def codings(element: object) -> list[tuple[str | None, str | None]]:
    """The (system, code) of every coding of a CodeableConcept (or a list of them)."""
    items = element if isinstance(element, list) else [element]
    return [
        (c.get("system"), c.get("code"))
        for item in items
        if isinstance(item, dict)
        for c in item.get("coding") or []
    ]


def _device_resource(row: Device) -> dict:
    return meta_updated(device(row), row.paired_at or row.revoked_at or row.created_at)


def _flag_resource(alert: Alert) -> dict:
    return meta_updated(flag(alert), alert.updated_at)


async def devices(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
    rows = await session.scalars(select(Device).where(Device.patient_id == patient_id))
    return [_device_resource(d) for d in rows.all()]


async def flags(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
    """The patient's alerts as Flags; a crisis alert only for a reader with wellbeing access."""
    wellbeing, _ = await decide(session, actor, patient_id, Category.WELLBEING, False)
    rows = await session.scalars(select(Alert).where(Alert.patient_id == patient_id))
    return [
        _flag_resource(a) for a in rows.all() if a.source != "wellbeing" or wellbeing is not None
    ]


def _updated(r: dict) -> str | None:
    return (r.get("meta") or {}).get("lastUpdated")


DEVICE = Spec(
    type="Device",
    category=Category.VITALS,
    params=(
        Param("status", TOKEN, "active, inactive", lambda r: [(None, r.get("status"))]),
        Param("type", TOKEN, "urn:careverse:device-kind|<kind>", lambda r: codings(r.get("type"))),
        *COMMON,
    ),
    sorts={"_lastUpdated": _updated},
    default_sort="-_lastUpdated",
)
FLAG = Spec(
    type="Flag",
    category=Category.VITALS,
    params=(
        Param("status", TOKEN, "active, inactive", lambda r: [(None, r.get("status"))]),
        Param("category", TOKEN, "flag-category|clinical, urn:careverse:alert-severity|<s>",
              lambda r: codings(r.get("category"))),
        Param("code", TOKEN, "urn:careverse:alert-source|<source>",
              lambda r: codings(r.get("code"))),
        Param("date", DATE, "When the alert opened: prefix + date",
              lambda r: [r["period"]["start"]]),
        *COMMON,
    ),
    sorts={"date": lambda r: r["period"]["start"], "_lastUpdated": _updated},
    default_sort="-date",
)  # fmt: skip
DEVICE_INCLUDE = Include(
    name="Observation:device",
    target="Device",
    category=Category.VITALS,
    refs=lambda r: [r["device"]["reference"]] if r.get("device") else [],
    load=devices,
)


register(router, DEVICE, endpoint(DEVICE, devices, CurrentActor))
register(router, FLAG, endpoint(FLAG, flags, CurrentActor))


@router.get("/Device/{device_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_device(device_id: str, actor: CurrentActor, session: Session) -> JSONResponse:
    """One of a patient's devices."""
    async with unit_of_work(session):
        row = await session.get(Device, uuid_or_404(device_id))
        if row is None:
            raise NotFound("Not found.")
        await authorize(
            session, actor, row.patient_id, Category.VITALS, resource_type="Device",
            resource_id=row.id,
        )  # fmt: skip
        return FhirResponse(_device_resource(row))


@router.get("/Flag/{flag_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_flag(flag_id: str, actor: CurrentActor, session: Session) -> JSONResponse:
    """One of a patient's alerts as a Flag (a crisis alert needs wellbeing access too)."""
    async with unit_of_work(session):
        row = await session.get(Alert, uuid_or_404(flag_id))
        if row is None:
            raise NotFound("Not found.")
        await authorize(
            session, actor, row.patient_id, Category.VITALS, resource_type="Flag",
            resource_id=row.id,
        )  # fmt: skip
        if row.source == "wellbeing":
            await authorize(
                session, actor, row.patient_id, Category.WELLBEING, resource_type="Flag",
                resource_id=row.id,
            )  # fmt: skip
        return FhirResponse(_flag_resource(row))
