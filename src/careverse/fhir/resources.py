"""The CapabilityStatement, and the FHIR plumbing others import from here (a named contract).

The plumbing itself (media type, OperationOutcome, Bundle, instants) lives in kernel/fhir.py;
each capability's resources live in its own ``fhir.py`` (privacy's Consent and AuditEvent, care's
Schedule/Slot/Appointment/Encounter, monitoring's Observation).
"""

from __future__ import annotations

from datetime import datetime

from careverse import __version__
from careverse.fhir.capabilities import smart_security
from careverse.kernel.fhir import FHIR_JSON, bundle, iso, operation_outcome

__all__ = [
    "ACCOUNT_SYSTEM",
    "FHIR_JSON",
    "bundle",
    "capability_statement",
    "iso",
    "operation_outcome",
]

ACCOUNT_SYSTEM = "urn:careverse:account"  # identifiers of accounts (care's references use it)


def capability_statement(
    base_url: str, now: datetime, served: list[dict] | None = None, system: list[dict] | None = None
) -> dict:
    """The CapabilityStatement; ``served``/``system`` come from the routes (fhir.capabilities)."""

    def res(kind: str, interactions: list[str], params: list[tuple[str, str]], ops=()) -> dict:
        out: dict = {
            "type": kind,
            "interaction": [{"code": i} for i in interactions],
            "searchParam": [{"name": n, "type": t} for n, t in params],
        }
        if ops:
            out["operation"] = [
                {"name": name, "definition": definition} for name, definition in ops
            ]
        return out

    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": iso(now),
        "kind": "instance",
        "software": {"name": "Careverse", "version": __version__},
        "implementation": {"description": "Careverse FHIR facade", "url": f"{base_url}/fhir"},
        "fhirVersion": "4.0.1",
        "format": [FHIR_JSON],
        "rest": [
            {
                "mode": "server",
                "security": smart_security(base_url),
                "resource": [
                    res(
                        "Patient",
                        ["read", "search-type"],
                        [("name", "string"), ("birthdate", "date"), ("identifier", "token")],
                        [
                            (
                                "everything",
                                "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                            )
                        ],
                    ),
                    res("Consent", ["search-type"], [("patient", "reference")]),
                    res("AuditEvent", ["search-type"], [("patient", "reference")]),
                ]
                if served is None
                else served,
                **({"interaction": system} if system else {}),
            }
        ],
    }
