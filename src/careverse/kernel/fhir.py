"""FHIR plumbing shared by every capability's FHIR routes: media type, responses, bundles, errors.

Each capability owns its FHIR mappers and routes (``<capability>/fhir.py``); the ``fhir`` package
only composes them. What they all need — the response class, the OperationOutcome shape, the
documented error answers, Bundles and FHIR instants — lives here, once.
"""

from __future__ import annotations

import base64
import inspect
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RecordQuery:
    """What of a record is asked for: ``_since`` (changed at or after) and ``_type`` (only these).

    A section pushes both into its own reads (and skips the work for a type not asked); the
    record filters again by ``meta.lastUpdated``, so a section that cannot tell when a resource
    changed (no ``meta.lastUpdated``) still has it included under ``_since``: a client keeping a
    copy in step misses nothing.
    """

    since: datetime | None = None
    types: frozenset[str] | None = None

    def wants(self, *kinds: str) -> bool:
        return self.types is None or any(kind in self.types for kind in kinds)

    def keeps(self, resource: dict) -> bool:
        if not self.wants(resource["resourceType"]):
            return False
        updated = (resource.get("meta") or {}).get("lastUpdated")
        return self.since is None or updated is None or updated >= iso(self.since)


EVERYTHING = RecordQuery()
QueriedSection = Callable[[AsyncSession, Actor, uuid.UUID, RecordQuery], Awaitable[list[dict]]]
# A section too large to read whole: (session, actor, patient, query, after, limit) → (up to
# ``limit`` resources after the key ``after``, the key to continue from or None when done).
PagedSection = Callable[
    [AsyncSession, Actor, uuid.UUID, RecordQuery, str | None, int],
    Awaitable[tuple[list[dict], str | None]],
]


@dataclass(frozen=True)
class Section:
    name: str
    read: PagedSection
    types: frozenset[str] | None  # the resource types it can produce (None: not declared)


class BadCursor(ValueError):
    """A paging cursor that is not one of ours (or names a section no longer registered)."""


def _whole(section: RecordSection | QueriedSection, queried: bool) -> PagedSection:
    """A small section read whole each time, paged by its position (``after`` is an index)."""

    async def read(session, actor, patient_id, query, after, limit):
        if queried:
            found = await section(session, actor, patient_id, query)  # type: ignore[call-arg]
        else:
            found = await section(session, actor, patient_id)  # type: ignore[call-arg]
        kept = [r for r in found if query.keeps(r)]
        start = int(after) if after else 0
        end = start + limit
        return kept[start:end], (str(end) if end < len(kept) else None)

    return read


def encode_cursor(section: str, after: str | None) -> str:
    raw = json.dumps([section, after], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str | None]:
    try:
        section, after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError) as exc:
        raise BadCursor("not a cursor") from exc
    if not isinstance(section, str) or not (after is None or isinstance(after, str)):
        raise BadCursor("not a cursor")
    return section, after


class PatientRecord:
    """A patient's whole record as FHIR resources, one section per owning capability.

    Each capability adds the section it owns in its ``setup(runtime)`` (identity the Patient,
    privacy the Consents, care the Appointments and Encounters, …) with the resource types it
    can produce (``types=``: the completeness test checks the declaration against what the
    section emits). ``$everything`` and the patient's own export read the record through here,
    so neither imports any capability. The caller authorises access to the record first; a
    section may leave out what ``actor`` may not see.

    A section is ``(session, actor, patient_id)`` or, to use ``_since``/``_type`` in its own
    reads, ``(session, actor, patient_id, query)``; one too large to read whole (a year of
    minute readings) is added with ``paged=True`` as a :data:`PagedSection`. Pages go through
    the sections in order; a cursor is (section name, the section's own key), so it stays valid
    while resources are added.
    """

    def __init__(self) -> None:
        self._sections: list[Section] = []

    def add(
        self,
        name: str,
        section: RecordSection | QueriedSection | PagedSection,
        types: Iterable[str] | None = None,
        *,
        paged: bool = False,
    ) -> None:
        if paged:
            read = section
        else:
            queried = len(inspect.signature(section).parameters) >= 4
            read = _whole(section, queried)  # type: ignore[arg-type]
        kinds = frozenset(types) if types is not None else None
        self._sections.append(Section(name, read, kinds))  # type: ignore[arg-type]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self._sections]

    @property
    def types(self) -> dict[str, frozenset[str] | None]:
        """Each section's declared resource types."""
        return {s.name: s.types for s in self._sections}

    def _asked(self, section: Section, query: RecordQuery) -> bool:
        return section.types is None or query.wants(*section.types)

    async def page(
        self,
        session: AsyncSession,
        actor: Actor,
        patient_id: uuid.UUID,
        query: RecordQuery = EVERYTHING,
        cursor: str | None = None,
        count: int = 1000,
    ) -> tuple[list[dict], str | None]:
        """Up to ``count`` resources from ``cursor`` on, and the cursor of the next page (None at
        the end). Sections whose declared types were not asked are not read at all."""
        start, after = (self._sections[0].name if self._sections else "", None)
        if cursor:
            start, after = decode_cursor(cursor)
            if start not in self.names:
                raise BadCursor("unknown section")
        out: list[dict] = []
        index = self.names.index(start) if self._sections else 0
        for section in self._sections[index:]:
            if not self._asked(section, query):
                after = None
                continue
            while len(out) < count:
                found, after = await section.read(
                    session, actor, patient_id, query, after, count - len(out)
                )
                out += [r for r in found if query.keeps(r)]
                if after is None:
                    break
            if after is not None:
                return out, encode_cursor(section.name, after)
            if len(out) >= count:
                following = self._sections[self._sections.index(section) + 1 :]
                rest = [s for s in following if self._asked(s, query)]
                return out, (encode_cursor(rest[0].name, None) if rest else None)
        return out, None

    async def pages(
        self,
        session: AsyncSession,
        actor: Actor,
        patient_id: uuid.UUID,
        query: RecordQuery = EVERYTHING,
        count: int = 5000,
    ) -> AsyncIterator[list[dict]]:
        """The whole record, ``count`` resources at a time (the export streams these)."""
        cursor: str | None = None
        while True:
            found, cursor = await self.page(session, actor, patient_id, query, cursor, count)
            if found:
                yield found
            if cursor is None:
                return

    async def read_section(
        self,
        name: str,
        session: AsyncSession,
        actor: Actor,
        patient_id: uuid.UUID,
        query: RecordQuery = EVERYTHING,
    ) -> list[dict]:
        """One section whole (what it emits is checked against its declared types)."""
        section = next(s for s in self._sections if s.name == name)
        out: list[dict] = []
        after: str | None = None
        while True:
            found, after = await section.read(session, actor, patient_id, query, after, 5000)
            out += [r for r in found if query.keeps(r)]
            if after is None:
                return out

    async def resources(
        self,
        session: AsyncSession,
        actor: Actor,
        patient_id: uuid.UUID,
        query: RecordQuery = EVERYTHING,
    ) -> list:
        """The whole record at once (small records, tests)."""
        out: list[dict] = []
        async for found in self.pages(session, actor, patient_id, query):
            out += found
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
