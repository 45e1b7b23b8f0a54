"""FHIR plumbing shared by every capability's FHIR routes: media type, responses, bundles, errors.

Each capability owns its FHIR mappers and routes (``<capability>/fhir.py``); the ``fhir`` package
only composes them. What they all need — the response class, the OperationOutcome shape, the
documented error answers, Bundles and FHIR instants — lives here, once.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.actor import Actor

FHIR_JSON = "application/fhir+json"


class FhirResponse(JSONResponse):
    """A JSON answer with FHIR's media type."""

    media_type = FHIR_JSON


_OUTCOME = {"content": {FHIR_JSON: {"schema": {"type": "object"}}}}
OUTCOMES: dict[int | str, dict] = {
    401: {"description": "Not signed in (OperationOutcome)", **_OUTCOME},
    403: {"description": "Not allowed (OperationOutcome)", **_OUTCOME},
    404: {"description": "Not found, or not yours to see (OperationOutcome)", **_OUTCOME},
    422: {"description": "Invalid parameters (OperationOutcome)", **_OUTCOME},
}

ISSUE_CODES = {
    400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 409: "conflict",
    413: "too-long", 422: "invalid",
}  # fmt: skip


def iso(value: datetime) -> str:
    """A FHIR instant: seconds, UTC written as ``Z``."""
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def operation_outcome(code: str, message: str, severity: str = "error") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": message}],
    }


def error_response(status: int, message: str, headers: dict | None = None) -> FhirResponse:
    """An OperationOutcome answer for an HTTP error status."""
    code = ISSUE_CODES.get(status, "processing")
    return FhirResponse(operation_outcome(code, message), status_code=status, headers=headers)


def bundle(kind: str, resources: list[dict], base_url: str, total: int | None = None) -> dict:
    out: dict = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": kind,
        "entry": [
            {
                "fullUrl": f"{base_url.rstrip('/')}/fhir/{r['resourceType']}/{r['id']}",
                "resource": r,
                **({"search": {"mode": "match"}} if kind == "searchset" else {}),
            }
            for r in resources
        ],
    }
    if kind == "searchset":
        out["total"] = len(resources) if total is None else total
    return out


RecordSection = Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[list[dict]]]


class PatientRecord:
    """A patient's whole record as FHIR resources, one section per owning capability.

    Each capability adds the section it owns in its ``setup(runtime)`` (identity the Patient,
    privacy the Consents, care the Appointments and Encounters, …). ``$everything`` and the
    patient's own export read the record through here, so neither imports any capability.
    The caller authorises access to the record first; a section may leave out what ``actor``
    may not see.
    """

    def __init__(self) -> None:
        self._sections: list[tuple[str, RecordSection]] = []

    def add(self, name: str, section: RecordSection) -> None:
        self._sections.append((name, section))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self._sections]

    async def resources(self, session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list:
        out: list[dict] = []
        for _, section in self._sections:
            out += await section(session, actor, patient_id)
        return out


PatientIds = Callable[[AsyncSession], Awaitable[list[uuid.UUID]]]
ReachableIds = Callable[[AsyncSession, Actor], Awaitable[list[uuid.UUID]]]
ClinicianNames = Callable[[AsyncSession], Awaitable[list[tuple[uuid.UUID, str]]]]


class PatientRoster:
    """Which patients a population-level read covers (FHIR Bulk Data ``$export``, its Groups).

    identity owns the facts and provides one at setup (``runtime.provide``): every patient, the
    patients an actor reaches by relationship (a clinician's care relationships), and the
    clinicians (each one's patients are a Group). No access check here: the caller decides.
    """

    def __init__(
        self, everyone: PatientIds, reachable: ReachableIds, clinicians: ClinicianNames
    ) -> None:
        self.everyone = everyone
        self.reachable = reachable
        self.clinicians = clinicians
