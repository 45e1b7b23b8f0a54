"""FHIR search of Schedules and Slots on the kernel's toolkit
(:func:`~careverse.kernel.fhir_search.search_all`): open to every signed-in user with full
scope, as the care API's directory of clinicians and their free times.

- ``Schedule``: one per clinician (its id is the clinician's account id); ``actor``
  (``Practitioner/<id>`` or ``<id>``), ``date`` (its planningHorizon: from now to the booking
  horizon), ``active``, ``service-type``, ``_id``. No ``_lastUpdated``: no table keeps when a
  clinician's hours last changed.
- ``Slot``: the free slots, computed from the clinicians' hours and bookings (not stored):
  ``schedule`` (required), ``start`` with prefixes (the window computed is the one the ``start``
  bounds give, by default 7 days from now, at most 31 days), ``status`` (only ``free`` slots
  exist), ``service-type`` (default ``follow-up``, as the first search), ``_id``. No
  ``_lastUpdated`` (computed). A page link anchored on a slot booked since still works: the
  slot's place is found from its id (:attr:`Spec.anchor`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import slots as slot_math
from careverse.care.availability import MAX_RANGE, AvailabilityService
from careverse.care.fhir import ACCOUNT_SYSTEM, SERVICE_TYPE, booking_horizon, schedule, slot
from careverse.care.fhir_search import codings
from careverse.care.service import profile_of
from careverse.identity import directory
from careverse.identity.deps import CurrentActor
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.deps import SessionDep, SettingsDep
from careverse.kernel.fhir import FhirResponse, iso
from careverse.kernel.fhir_search import (
    DATE,
    ID,
    REFERENCE,
    TOKEN,
    BadSearch,
    Param,
    Query,
    Spec,
    parse,
    search_all,
    uuid_or_404,
)
from careverse.kernel.fhir_search_http import is_lenient, parameters
from careverse.kernel.policy import Actor, Category, require_full_scope

SLOT_WINDOW = timedelta(days=7)


def _actors(r: dict) -> list[str]:
    return [
        f"Practitioner/{a['identifier']['value']}"
        for a in r.get("actor", [])
        if a.get("identifier", {}).get("system") == ACCOUNT_SYSTEM
    ]


def _slot_keys(ident: str) -> dict | None:
    """A slot's sort keys from its id (``<schedule>-<YYYYmmddHHMM>-<visit type>``): a page link
    anchored on a slot booked since still finds its place."""
    clinician, stamp, visit = ident[:36], ident[37:49], ident[50:]
    uuid.UUID(clinician)  # ValueError: not a slot id
    start = datetime.strptime(stamp, "%Y%m%d%H%M").replace(tzinfo=UTC)
    return {"resourceType": "Slot", "start": iso(start), "status": "free",
            "schedule": {"reference": f"Schedule/{clinician}"},
            "serviceType": [{"coding": [{"system": SERVICE_TYPE, "code": visit}]}]}  # fmt: skip


SCHEDULE = Spec(
    type="Schedule",
    category=Category.APPOINTMENTS,
    params=(
        Param("actor", REFERENCE, "The clinician: Practitioner/<account id> or <id>", _actors),
        Param("date", DATE, "Its planning horizon (now to the booking horizon): prefix + date",
              lambda r: [r.get("planningHorizon")]),
        Param("active", TOKEN, "true", lambda r: [(None, str(r.get("active")).lower())]),
        Param("service-type", TOKEN, f"{SERVICE_TYPE}|<type>",
              lambda r: codings(r.get("serviceType"))),
        ID,
    ),
    sorts={"name": lambda r: (r["actor"][0].get("display") or "").casefold()},
    default_sort="name",
    patient_required=False,
)  # fmt: skip
SLOT = Spec(
    type="Slot",
    category=Category.APPOINTMENTS,
    params=(
        Param("schedule", REFERENCE, "Schedule/<id> (required)",
              lambda r: [r["schedule"]["reference"]]),
        Param("start", DATE, "prefix + date (the window: 7 days from now, at most 31)",
              lambda r: [r.get("start")]),
        Param("status", TOKEN, "free (only free slots are computed)",
              lambda r: [(None, r.get("status"))]),
        Param("service-type", TOKEN, f"{SERVICE_TYPE}|<type> (default follow-up)",
              lambda r: codings(r.get("serviceType"))),
        ID,
    ),
    sorts={"start": lambda r: r.get("start")},
    default_sort="start",
    patient_required=False,
    anchor=lambda ident: _slot_keys(ident),
)  # fmt: skip


async def schedules(session: AsyncSession, settings: Settings, actor: Actor) -> list[dict]:
    require_full_scope(actor)
    horizon = booking_horizon(settings)
    out = []
    for account in await directory.clinicians(session):
        prof = await profile_of(session, account.id)
        out.append(schedule(account.id, account.display_name, prof.time_zone, horizon))
    return out


def _window(query: Query) -> tuple[datetime, datetime]:
    """The times whose free slots are computed: what ``start`` bounds (7 days by default)."""
    low: datetime | None = None
    high: datetime | None = None
    for criterion in query.criteria:
        if criterion.param.name != "start" or criterion.modifier:
            continue
        for prefix, start, end in criterion.values:
            if prefix in ("eq", "ge", "gt"):
                at = end if prefix == "gt" else start
                low = at if low is None else max(low, at)
            if prefix in ("eq", "le", "lt"):
                at = start if prefix == "lt" else end
                high = at if high is None else min(high, at)
    if low is None:
        low = clock.now() if high is None else max(clock.now(), high - SLOT_WINDOW)
    high = high or low + SLOT_WINDOW
    if high - low > MAX_RANGE:
        raise BadSearch("start must bound at most 31 days (ge… and le… at most 31 days apart).")
    return low, high


def _visit_types(query: Query) -> list[str]:
    asked = [
        code
        for criterion in query.criteria
        if criterion.param.name == "service-type" and not criterion.modifier
        for _, code in criterion.values
    ]
    if not asked:
        return ["follow-up"]
    if None in asked:
        return list(slot_math.VISIT_TYPES)
    return [t for t in dict.fromkeys(c for c in asked if c) if t in slot_math.VISIT_TYPES]


def _schedules(query: Query) -> list[uuid.UUID]:
    refs = {
        ref.rsplit("/", 1)[-1]
        for criterion in query.criteria
        if criterion.param.name == "schedule" and not criterion.modifier
        for ref in criterion.values
    }
    if not refs:
        raise BadSearch("Give the schedule: schedule=Schedule/<id>.")
    return [uuid_or_404(r) for r in sorted(refs)]


async def free_slots(
    session: AsyncSession, settings: Settings, actor: Actor, query: Query
) -> list[dict]:
    require_full_scope(actor)
    start, end = _window(query)
    if end <= start:
        return []
    availability = AvailabilityService(session, settings)
    out = []
    for clinician_id in _schedules(query):
        for visit in _visit_types(query):
            found = await availability.free_slots(actor, clinician_id, start, end, visit)
            out += [slot(clinician_id, s, visit) for s in found]
    return out


async def search_schedules(
    request: Request, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> FhirResponse:
    """Every clinician's schedule (GET, or POST a form): by actor, date, service-type, _id."""
    query = parse(SCHEDULE, await parameters(request), is_lenient(request))

    async def load(session: AsyncSession, actor: Actor, query: Query) -> list[dict]:
        return await schedules(session, settings, actor)

    return FhirResponse(await search_all(session, actor, query, load, settings.public_url))


async def search_slots(
    request: Request, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> FhirResponse:
    """A schedule's free slots (GET, or POST a form): by start (prefixes), status,
    service-type and _id; 7 days from now unless ``start`` bounds another window."""
    query = parse(SLOT, await parameters(request), is_lenient(request))

    async def load(session: AsyncSession, actor: Actor, query: Query) -> list[dict]:
        return await free_slots(session, settings, actor, query)

    return FhirResponse(await search_all(session, actor, query, load, settings.public_url))
