"""The HTTP face of FHIR Bulk Data export (``fhir/bulk.py``), relative to ``/fhir``:

- ``GET /$export``, ``GET /Patient/$export``, ``GET /Group/{id}/$export``: kick-off (202 and
  ``Content-Location`` of the status URL); ``Prefer: respond-async`` is required.
- ``GET /bulk/{job}``: 202 with ``X-Progress`` and ``Retry-After`` while it runs, then 200 and
  the manifest; ``DELETE /bulk/{job}``: cancel and delete.
- ``GET /bulk/{job}/{Type}.ndjson``: a file, to the requester's own session only.
- ``POST`` of the same three: kick-off with a FHIR ``Parameters`` body.
- ``GET /Group``, ``GET /Group/{id}``: ``fhir/bulk_groups.py``.
"""

from __future__ import annotations

import math
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from careverse.fhir import bulk_groups
from careverse.fhir.bulk import NDJSON, BulkExports, parse_request, stream_parts
from careverse.fhir.bulk_options import KickOff, from_parameters
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import RuntimeDep, SessionDep, SettingsDep
from careverse.kernel.errors import DomainError, NotFound
from careverse.kernel.fhir import OUTCOMES, FhirResponse, PatientRoster
from careverse.kernel.groups import GroupDirectory

router = APIRouter(tags=["fhir"])
BAD = {400: {"description": "Missing Prefer: respond-async, or bad parameters (OperationOutcome)"}}
Prefer = Annotated[str | None, Header(max_length=200)]
OutputFormat = Annotated[str | None, Query(alias="_outputFormat", max_length=100)]
Types = Annotated[str | None, Query(alias="_type", max_length=1000)]
Since = Annotated[str | None, Query(alias="_since", max_length=40)]
TypeFilter = Annotated[
    list[str] | None,
    Query(alias="_typeFilter", max_length=4000, description="<Type>?code=…; comma or repeat"),
]
Elements = Annotated[str | None, Query(alias="_elements", max_length=2000)]
Associated = Annotated[
    list[str] | None,
    Query(alias="includeAssociatedData", max_length=200,
          description="Not supported: ignored, with a warning in the manifest's error"),
]  # fmt: skip
PARAMETERS = {
    "requestBody": {
        "content": {"application/fhir+json": {"schema": {"type": "object"}}},
        "description": "A FHIR Parameters resource: _outputFormat, _since, _type, _typeFilter, "
        "_elements, patient, includeAssociatedData",
    }
}


def exports(session: SessionDep, settings: SettingsDep, runtime: RuntimeDep) -> BulkExports:
    return BulkExports(session, settings, runtime.get(PatientRoster), runtime.find(GroupDirectory))


Exports = Annotated[BulkExports, Depends(exports)]


def _job_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("Not found.") from None


async def _kick_off(request: Request, actor, service: BulkExports, **given) -> Response:
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in ("application/fhir+json", "application/json"):
            raise DomainError("A POST kick-off takes a FHIR Parameters body (JSON).")
        more = from_parameters(await request.body())
        given |= {"output_format": more.output_format, "types": more.types,
                  "since": more.since}  # fmt: skip
    else:
        more = KickOff(
            type_filter=given.pop("type_filter", None) or [],
            elements=[e] if (e := given.pop("elements", None)) else [],
            associated=given.pop("associated", None) or [],
        )  # fmt: skip
    export = parse_request(url=str(request.url), more=more, **given)
    job = await service.kick_off(actor, export)
    status = f"{service.settings.public_url.rstrip('/')}/fhir/bulk/{job.id}"
    return Response(status_code=202, headers={"Content-Location": status})


@router.get("/$export", status_code=202, responses={**BAD, **OUTCOMES})
async def export_system(
    request: Request, actor: CurrentActor, service: Exports, prefer: Prefer = None,
    _outputFormat: OutputFormat = None, _type: Types = None, _since: Since = None,
    _typeFilter: TypeFilter = None, _elements: Elements = None,
    includeAssociatedData: Associated = None,
) -> Response:  # fmt: skip
    """Kick off an export of every patient's record (exporters: admins, backend clients)."""
    return await _kick_off(request, actor, service, level="system", prefer=prefer,
                           output_format=_outputFormat, types=_type, since=_since,
                           type_filter=_typeFilter, elements=_elements,
                           associated=includeAssociatedData)  # fmt: skip


@router.get("/Patient/$export", status_code=202, responses={**BAD, **OUTCOMES})
async def export_patients(
    request: Request, actor: CurrentActor, service: Exports, prefer: Prefer = None,
    _outputFormat: OutputFormat = None, _type: Types = None, _since: Since = None,
    _typeFilter: TypeFilter = None, _elements: Elements = None,
    includeAssociatedData: Associated = None,
) -> Response:  # fmt: skip
    """Kick off an export of every patient the caller may see (admins; a clinician's own)."""
    return await _kick_off(request, actor, service, level="patient", prefer=prefer,
                           output_format=_outputFormat, types=_type, since=_since,
                           type_filter=_typeFilter, elements=_elements,
                           associated=includeAssociatedData)  # fmt: skip


@router.get("/Group/{group_id}/$export", status_code=202, responses={**BAD, **OUTCOMES})
async def export_group(
    group_id: str, request: Request, actor: CurrentActor, service: Exports,
    prefer: Prefer = None, _outputFormat: OutputFormat = None, _type: Types = None,
    _since: Since = None, _typeFilter: TypeFilter = None, _elements: Elements = None,
    includeAssociatedData: Associated = None,
) -> Response:  # fmt: skip
    """Kick off an export of a Group: a clinician's patients, or a care programme's members."""
    return await _kick_off(request, actor, service, level="group", group_id=group_id[:64],
                           prefer=prefer, output_format=_outputFormat, types=_type,
                           since=_since, type_filter=_typeFilter, elements=_elements,
                           associated=includeAssociatedData)  # fmt: skip


@router.post("/$export", status_code=202, responses={**BAD, **OUTCOMES},
             openapi_extra=PARAMETERS)  # fmt: skip
async def export_system_post(
    request: Request, actor: CurrentActor, service: Exports, prefer: Prefer = None
) -> Response:
    """Kick off a system export with a Parameters body."""
    return await _kick_off(request, actor, service, level="system", prefer=prefer)


@router.post("/Patient/$export", status_code=202, responses={**BAD, **OUTCOMES},
             openapi_extra=PARAMETERS)  # fmt: skip
async def export_patients_post(
    request: Request, actor: CurrentActor, service: Exports, prefer: Prefer = None
) -> Response:
    """Kick off a Patient-level export with a Parameters body (``patient`` narrows it)."""
    return await _kick_off(request, actor, service, level="patient", prefer=prefer)


@router.post("/Group/{group_id}/$export", status_code=202, responses={**BAD, **OUTCOMES},
             openapi_extra=PARAMETERS)  # fmt: skip
async def export_group_post(
    group_id: str, request: Request, actor: CurrentActor, service: Exports,
    prefer: Prefer = None,
) -> Response:  # fmt: skip
    """Kick off a Group export with a Parameters body (``patient`` narrows it)."""
    return await _kick_off(request, actor, service, level="group", group_id=group_id[:64],
                           prefer=prefer)  # fmt: skip


@router.get("/bulk/{job_id}", responses=OUTCOMES)
async def export_status(job_id: str, actor: CurrentActor, service: Exports) -> Response:
    """An export's status: 202 with progress while it runs, 200 and the manifest when done."""
    job = await service.job(actor, _job_id(job_id))
    expires = job.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    if job.status == "done":
        manifest = await service.manifest(job, service.settings.public_url)
        return JSONResponse(manifest, headers={"Expires": expires})
    if job.status == "failed":
        return FhirResponse(
            {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "exception",
                 "diagnostics": "The export failed; start it again."}]},
            status_code=500,
        )  # fmt: skip
    retry = max(1, math.ceil(service.settings.fhir_bulk_check_seconds))
    progress = f"{job.status}: {job.patients_done} of {job.patients_total or '?'} patients"
    return Response(status_code=202, headers={"X-Progress": progress, "Retry-After": str(retry)})


@router.delete("/bulk/{job_id}", status_code=202, responses=OUTCOMES)
async def cancel_export(job_id: str, actor: CurrentActor, service: Exports) -> Response:
    """Cancel an export (running or done) and delete its files."""
    await service.cancel(actor, _job_id(job_id))
    return Response(status_code=202)


@router.get(
    "/bulk/{job_id}/{file_name}",
    responses={200: {"content": {NDJSON: {}}}, **OUTCOMES},
    response_class=StreamingResponse,
)
async def export_file(
    job_id: str, file_name: str, actor: CurrentActor, service: Exports, runtime: RuntimeDep
) -> StreamingResponse:
    """One file of a finished export (``<Type>.ndjson``): to the requester's session only."""
    if not file_name.endswith(".ndjson"):
        raise NotFound("Not found.")
    parts = await service.open_file(actor, _job_id(job_id), file_name.removesuffix(".ndjson"))
    return StreamingResponse(stream_parts(runtime.db, parts), media_type=NDJSON)


router.include_router(bulk_groups.router)  # GET /Group, /Group/{id}, POST /Group/_search
