"""The FHIR R4 API (``/fhir/...``): composes the FHIR routes that each capability owns.

fhir imports no capability: each registers its FHIR router (``runtime.include_fhir_router``) and
its section of a patient's record (``runtime.patient_record.add``) in its own setup, and fhir is
set up after them.
"""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Mount ``/fhir``: every registered FHIR router, the CapabilityStatement, ``$everything``."""
    from careverse.fhir import api

    runtime.include_router(api.compose(runtime.fhir_routers))
