"""The FHIR R4 API (``/fhir/...``): composes the FHIR routes that each capability owns."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    from careverse.fhir import api

    runtime.include_router(api.router)
