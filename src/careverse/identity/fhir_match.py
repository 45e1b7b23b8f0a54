"""``POST /fhir/Patient/$match`` (MPI match): the patients like the one given, among those the
caller may see. Roles that may see no patient's record (admins, moderators, researchers) are
refused (403); others get only patients the policy shows them (audited as a search), each with a
``search.score``: the share of the given name, birth date and identifier that matched."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request

from careverse.identity.deps import CurrentActor
from careverse.identity.fhir import patient
from careverse.identity.patients import PatientService
from careverse.kernel.deps import SessionDep, SettingsDep
from careverse.kernel.errors import Forbidden, InvalidInput
from careverse.kernel.fhir import FHIR_JSON, OUTCOMES, FhirResponse, bundle
from careverse.kernel.policy import Role

router = APIRouter(tags=["fhir"])
MAY_MATCH = {Role.CLINICIAN, Role.CAREGIVER, Role.PATIENT}
GRADE = "http://hl7.org/fhir/StructureDefinition/match-grade"


def _parameters(body: object) -> tuple[dict, bool, int]:
    """(the Patient to match, onlyCertainMatches, count) from a Parameters resource."""
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise InvalidInput("Expected a Parameters resource.")
    given, certain, count = None, False, 10
    for p in body.get("parameter") or []:
        if not isinstance(p, dict):
            continue
        if p.get("name") == "resource":
            given = p.get("resource")
        elif p.get("name") == "onlyCertainMatches":
            certain = p.get("valueBoolean") is True
        elif p.get("name") == "count":
            value = p.get("valueInteger")
            if not isinstance(value, int) or not 1 <= value <= 100:
                raise InvalidInput("count must be an integer from 1 to 100.")
            count = value
    if not isinstance(given, dict) or given.get("resourceType") != "Patient":
        raise InvalidInput("The resource parameter must be a Patient.")
    return given, certain, count


def _criteria(given: dict) -> tuple[list[str], str | None, set[str]]:
    names = []
    for name in given.get("name") or []:
        if isinstance(name, dict):
            parts = [name.get("text"), name.get("family"), *(name.get("given") or [])]
            names += [str(part).casefold() for part in parts if isinstance(part, str) and part]
    birth = given.get("birthDate") if isinstance(given.get("birthDate"), str) else None
    ids = {
        str(i["value"]) for i in given.get("identifier") or []
        if isinstance(i, dict) and isinstance(i.get("value"), str)
    }  # fmt: skip
    if not names and not birth and not ids:
        raise InvalidInput("Give a name, a birth date or an identifier to match on.")
    return names, birth, ids


@router.post(
    "/Patient/$match",
    responses=OUTCOMES,
    response_class=FhirResponse,
    openapi_extra={"requestBody": {"required": True, "content": {FHIR_JSON: {"schema": {}}}}},
)
async def match_patients(
    request: Request, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> FhirResponse:
    """Patients like the one given, among those the caller may see, best first."""
    if actor.role not in MAY_MATCH:
        raise Forbidden("Your role may not match patients.")
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        raise InvalidInput("The body is not valid JSON.") from None
    given, certain, count = _parameters(body)
    names, birth, ids = _criteria(given)
    scored = []
    for row in await PatientService(session).visible(actor):
        checks = []
        if names:
            own = row.name.casefold()
            checks.append(all(part in own for part in names))
        if birth:
            checks.append(row.birth_date == birth)
        if ids:
            checks.append(str(row.id) in ids)
        score = sum(checks) / len(checks)
        if score > 0 and (score == 1 or not certain):
            scored.append((score, row))
    scored.sort(key=lambda pair: -pair[0])
    found = bundle("searchset", [patient(row) for _, row in scored[:count]], settings.public_url)
    for entry, (score, _) in zip(found["entry"], scored, strict=False):
        grade = "certain" if score == 1 else "possible"
        entry["search"] = {"mode": "match", "score": round(score, 2),
                           "extension": [{"url": GRADE, "valueCode": grade}]}  # fmt: skip
    return FhirResponse(found)
