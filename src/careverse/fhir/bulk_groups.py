"""FHIR ``Group``: the populations a Bulk Data export can cover (``fhir/bulk.py``).

Two kinds, side by side:

- ``clinician-<account id>``: the patients of one clinician (their care relationships now);
  seen by that clinician and by exporters (:func:`fhir.bulk.may_bulk_export`).
- ``programme-<id>``: a care programme (care's ``GroupDirectory``, ``kernel/groups.py``); seen
  by exporters, the programme's lead clinicians and the patients enrolled in it.

A Group's ``member`` entries (``Patient/<id>``, ``period``, ``inactive`` once ended) are only
the patients the caller may see: every member for an exporter, those the access policy lets a
clinician see (``decide(…, RECORD)``), a patient only themselves. ``quantity`` counts the
active members. Search (``GET /fhir/Group``, ``POST /fhir/Group/_search``) runs on the kernel's
toolkit: ``name`` (string), ``type`` (token), ``member`` (reference: among the members shown),
``_id``; a member list shown is audited (``record.list``).
"""

from __future__ import annotations

import html
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.fhir.bulk import GROUP_PREFIX, may_bulk_export
from careverse.identity.deps import CurrentActor
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.deps import RuntimeDep, get_session, get_settings
from careverse.kernel.errors import NotFound
from careverse.kernel.fhir import OUTCOMES, FhirResponse, PatientRoster, iso
from careverse.kernel.fhir_search import (
    REFERENCE,
    STRING,
    TOKEN,
    BadSearch,
    Param,
    Spec,
    matches,
    page,
    parse,
    searchset,
)
from careverse.kernel.fhir_search_http import is_lenient, parameters, register
from careverse.kernel.groups import CareGroup, GroupDirectory
from careverse.kernel.policy import Actor, Category, Role, decide
from careverse.kernel.uow import unit_of_work

router = APIRouter(tags=["fhir"])
Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
KIND = "urn:careverse:group-kind"
PATIENTS = ("patient", "subject")

GROUP = Spec(
    type="Group",
    category=Category.RECORD,
    params=(
        Param("name", STRING, "Starts with, ignoring case", lambda r: [r.get("name")]),
        Param("type", TOKEN, "person", lambda r: [(None, r.get("type"))]),
        Param(
            "member", REFERENCE, "Patient/<id> (among the members you may see)",
            lambda r: [m["entity"]["reference"] for m in r.get("member", [])],
        ),
        Param("_id", TOKEN, "The Group's id; commas: any of", lambda r: [(None, r.get("id"))]),
    ),
    sorts={"name": lambda r: r.get("name"), "_id": lambda r: r.get("id")},
    default_sort="name",
    patient_required=False,
)  # fmt: skip


async def _may_see(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> bool:
    if may_bulk_export(actor):
        return True
    grant, _ = await decide(session, actor, patient_id, Category.RECORD, False)
    return grant is not None


def _member(patient_id: uuid.UUID, start=None, end=None, active: bool = True) -> dict:
    out: dict = {"entity": {"reference": f"Patient/{patient_id}"}, "inactive": not active}
    period = {k: iso(v) for k, v in (("start", start), ("end", end)) if v is not None}
    if period:
        out["period"] = period
    return out


def _kind(code: str, text: str) -> dict:
    return {"coding": [{"system": KIND, "code": code}], "text": text}


def clinician_group(clinician_id: uuid.UUID, name: str, count: int, members: list[dict]) -> dict:
    """A Group of the patients of one clinician."""
    out = {
        "resourceType": "Group",
        "id": f"{GROUP_PREFIX}{clinician_id}",
        "type": "person",
        "actual": True,
        "code": _kind("clinician-patients", "The patients of one clinician"),
        "name": f"Patients of {name}",
        "quantity": count,
        "managingEntity": {
            "identifier": {"system": "urn:careverse:account", "value": str(clinician_id)},
            "display": name,
        },
    }
    if members:
        out["member"] = members
    return out


def programme_group(group: CareGroup, members: list[dict]) -> dict:
    """A Group of a care programme's enrolments (members: those the caller may see)."""
    now = clock.now()
    out: dict = {
        "resourceType": "Group",
        "id": group.id,
        "active": True,
        "type": "person",
        "actual": True,
        "code": _kind("care-programme", "Care programme"),
        "name": group.name,
        "quantity": len({m.patient_id for m in group.members if m.active}),
        "text": {
            "status": "generated",
            "div": '<div xmlns="http://www.w3.org/1999/xhtml">'
            f"{html.escape(group.description or group.name)}</div>",
        },
        "characteristic": [
            {"code": {"text": "Led by"}, "valueReference": {
                "identifier": {"system": "urn:careverse:account", "value": str(lead)},
                "display": name}, "exclude": False}
            for lead, name in zip(group.lead_ids, group.lead_names, strict=True)
        ],
        "meta": {"lastUpdated": iso(now)},
    }  # fmt: skip
    if not out["characteristic"]:
        del out["characteristic"]
    if members:
        out["member"] = members
    return out


async def visible_groups(
    session: AsyncSession, roster: PatientRoster, directory: GroupDirectory | None, actor: Actor
) -> tuple[list[dict], set[uuid.UUID]]:
    """The Groups ``actor`` may see, each with the members they may see; and those members."""
    out: list[dict] = []
    shown: set[uuid.UUID] = set()
    exporter = may_bulk_export(actor)
    for clinician_id, name in await roster.clinicians(session):
        if exporter or (actor.role is Role.CLINICIAN and actor.account_id == clinician_id):
            patients = await roster.reachable(session, Actor(clinician_id, Role.CLINICIAN))
            seen = [p for p in patients if await _may_see(session, actor, p)]
            shown |= set(seen)
            members = [_member(p) for p in seen]
            out.append(clinician_group(clinician_id, name, len(patients), members))
    for group in await directory.listing(session) if directory else []:
        enrolled = {m.patient_id for m in group.members}
        lead = actor.role is Role.CLINICIAN and actor.account_id in group.lead_ids
        member = actor.role is Role.PATIENT and actor.patient_id in enrolled
        if not (exporter or lead or member):
            continue
        seen = {p for p in enrolled if await _may_see(session, actor, p)}
        shown |= seen
        members = [
            _member(m.patient_id, m.start, m.end, m.active)
            for m in group.members
            if m.patient_id in seen
        ]
        out.append(programme_group(group, members))
    return out, shown


def _audit(session: AsyncSession, actor: Actor, shown: set[uuid.UUID]) -> None:
    if shown and actor.role is not Role.PATIENT:
        audit.record(
            session, "record.list", actor=actor, resource_type="Group",
            detail={"via": "fhir-group", "shown": sorted(str(p) for p in shown),
                    **({"app": actor.app.app_name} if actor.app else {})},
        )  # fmt: skip


async def search_groups(
    request: Request, actor: CurrentActor, session: Session, settings: AppSettings,
    runtime: RuntimeDep,
) -> JSONResponse:  # fmt: skip
    """The Groups the caller may see (GET, or POST a form): clinicians' patients and care
    programmes, with the members the caller may see."""
    pairs = await parameters(request)
    if any(name in PATIENTS for name, _ in pairs):
        raise BadSearch("Group is searched by name, type, member and _id.")
    query = parse(GROUP, pairs, is_lenient(request))
    async with unit_of_work(session):
        found, shown = await visible_groups(
            session, runtime.get(PatientRoster), runtime.find(GroupDirectory), actor
        )
        matched = [g for g in found if matches(query, g)]
        chosen, has_next, has_previous = page(query, matched)
        listed = {
            uuid.UUID(m["entity"]["reference"].removeprefix("Patient/"))
            for g in chosen
            for m in g.get("member", [])
        }
        _audit(session, actor, shown & listed if not query.summary_count else set())
    return FhirResponse(
        searchset(
            query,
            chosen,
            len(matched),
            settings.public_url,
            has_next=has_next,
            has_previous=has_previous,
        )
    )


register(router, GROUP, search_groups)
# The toolkit describes patient/subject for every type; a Group is not searched by them (400).
for _route in router.routes:
    extra = getattr(_route, "openapi_extra", None) or {}
    if "parameters" in extra:
        extra["parameters"] = [p for p in extra["parameters"] if p["name"] not in PATIENTS]


@router.get("/Group/{group_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_group(
    group_id: str, actor: CurrentActor, session: Session, runtime: RuntimeDep
) -> JSONResponse:
    """One Group the caller may see, with the members they may see (404 otherwise)."""
    async with unit_of_work(session):
        found, shown = await visible_groups(
            session, runtime.get(PatientRoster), runtime.find(GroupDirectory), actor
        )
        group = next((g for g in found if g["id"] == group_id[:80]), None)
        if group is None:
            raise NotFound("Not found.")
        listed = {
            uuid.UUID(m["entity"]["reference"].removeprefix("Patient/"))
            for m in group.get("member", [])
        }
        _audit(session, actor, shown & listed)
    return FhirResponse(group)
