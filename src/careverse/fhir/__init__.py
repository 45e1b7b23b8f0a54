"""The FHIR R4 API (``/fhir/...``): composes the FHIR routes that each capability owns.

fhir imports no capability: each registers its FHIR router (``runtime.include_fhir_router``) and
its section of a patient's record (``runtime.patient_record.add``) in its own setup, and fhir is
set up after them.
"""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Mount ``/fhir``: every registered FHIR router, the CapabilityStatement, ``$everything``."""
    from careverse.fhir import api, bulk, bulk_api
    from careverse.kernel.fhir import PatientRoster
    from careverse.kernel.groups import GroupDirectory

    # First, so /Patient/$export is routed before identity's /Patient/{id}.
    runtime.fhir_routers.insert(0, bulk_api.router)
    runtime.include_router(api.compose(runtime.fhir_routers))
    runtime.add_job(
        "fhir.bulk-export",
        lambda: bulk.run_forever(
            lambda: runtime.db,
            runtime.patient_record,
            lambda: runtime.get(PatientRoster),
            runtime.settings,
            lambda: runtime.find(GroupDirectory),  # care programmes, when care is set up
        ),
    )
