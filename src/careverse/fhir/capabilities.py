"""What the ``/fhir`` facade actually serves, read from the application's routes (its OpenAPI
schema, which FastAPI builds from every included router).

The CapabilityStatement is built from this, so a capability that adds a FHIR route (care's
Schedule/Slot/Appointment/Encounter, monitoring's Observation and Bundles) is listed without
anyone remembering to update a hand-written list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

PREFIX = "/fhir"
_TYPE = r"[A-Z][A-Za-z]+"
_ID = r"\{[^/}]+\}"
# (method, path shape after /fhir) → FHIR interaction code
_INTERACTIONS = [
    ("GET", re.compile(rf"^/({_TYPE})$"), "search-type"),
    ("GET", re.compile(rf"^/({_TYPE})/{_ID}$"), "read"),
    ("GET", re.compile(rf"^/({_TYPE})/{_ID}/_history/{_ID}$"), "vread"),
    ("POST", re.compile(rf"^/({_TYPE})$"), "create"),
    ("PUT", re.compile(rf"^/({_TYPE})/{_ID}$"), "update"),
    ("PATCH", re.compile(rf"^/({_TYPE})/{_ID}$"), "patch"),
    ("DELETE", re.compile(rf"^/({_TYPE})/{_ID}$"), "delete"),
]
_OPERATION = re.compile(rf"^/({_TYPE})(?:/{_ID})?/\$([a-z][a-z-]*)$")
# FHIR search parameter types of the parameter names the facade uses; anything else is a string.
SEARCH_TYPES = {
    "patient": "reference",
    "subject": "reference",
    "schedule": "reference",
    "actor": "reference",
    "practitioner": "reference",
    "encounter": "reference",
    "birthdate": "date",
    "date": "date",
    "start": "date",
    "identifier": "token",
    "status": "token",
    "code": "token",
    "category": "token",
    "service-type": "token",
    "name": "string",
}
# Parameters that shape the answer rather than select resources: not listed as searchParam.
RESULT_PARAMETERS = {"_count", "_sort", "_cursor", "_summary", "_elements", "_include"}
# Added by the search toolkit (kernel/fhir_search.py): its result and paging parameters.
RESULT_PARAMETERS |= {"_revinclude", "_before"}
# Its _summary modes, _total and fhirpy's _totalMethod (accepted and ignored) shape the answer too.
RESULT_PARAMETERS |= {"_total", "_totalMethod"}
ORDER = ["read", "vread", "update", "patch", "delete", "create", "search-type"]


Paths = Mapping[str, Mapping[str, dict]]  # the OpenAPI "paths" object: path → method → operation


def _fhir_routes(paths: Paths) -> Iterator[tuple[str, str, dict]]:
    """(METHOD, path after /fhir, OpenAPI operation) of every route under /fhir."""
    for path, methods in paths.items():
        if path == PREFIX or path.startswith(PREFIX + "/"):
            for method, operation in methods.items():
                if isinstance(operation, dict):
                    yield method.upper(), path.removeprefix(PREFIX), operation


def _search_params(operation: dict) -> list[tuple[str, str]]:
    names = sorted(
        {
            p["name"]
            for p in operation.get("parameters", [])
            if p.get("in") == "query" and p["name"] not in RESULT_PARAMETERS
        }
    )
    declared = {
        p["name"]: p["x-fhir-type"] for p in operation.get("parameters", []) if "x-fhir-type" in p
    }
    return [(n, declared.get(n) or SEARCH_TYPES.get(n, "string")) for n in names]


def _search_docs(operation: dict) -> dict[str, str]:
    """The modifiers and chains the search toolkit declares (``x-fhir-modifiers``,
    ``x-fhir-chains``), as each searchParam's documentation."""
    out = {}
    for p in operation.get("parameters", []):
        words = []
        if p.get("x-fhir-modifiers"):
            words.append("Modifiers: " + ", ".join(f":{m}" for m in p["x-fhir-modifiers"]) + ".")
        if p.get("x-fhir-chains"):
            words.append("Chains: " + ", ".join(p["x-fhir-chains"]) + ".")
        if words:
            out[p["name"]] = " ".join(words)
    return out


def _param(name: str, kind: str, docs: dict[str, str]) -> dict:
    out = {"name": name, "type": kind}
    if name in docs:
        out["documentation"] = docs[name]
    return out


def _enum(operation: dict, name: str) -> list[str]:
    for p in operation.get("parameters", []):
        if p.get("name") == name:
            return list(p.get("schema", {}).get("enum", []))
    return []


def served_resources(paths: Paths) -> list[dict]:
    """Each resource type served under /fhir with its interactions, search params, operations."""
    kinds: dict[str, dict] = {}
    for method, path, operation in _fhir_routes(paths):
        op = _OPERATION.match(path)
        if op and method in ("GET", "POST"):
            entry = kinds.setdefault(op.group(1), {"i": set(), "p": {}, "o": set(), "d": {}})
            entry["o"].add(op.group(2))
            continue
        for wanted, shape, code in _INTERACTIONS:
            match = shape.match(path) if method == wanted else None
            if match:
                entry = kinds.setdefault(match.group(1), {"i": set(), "p": {}, "o": set(), "d": {}})
                entry["i"].add(code)
                if code == "search-type":
                    entry["p"].update(_search_params(operation))
                    entry["d"].update(_search_docs(operation))
                    for key, name in (("inc", "_include"), ("rev", "_revinclude")):
                        entry.setdefault(key, set()).update(_enum(operation, name))
                break
    out = []
    for kind in sorted(kinds):
        entry = kinds[kind]
        resource: dict = {
            "type": kind,
            "interaction": [{"code": c} for c in ORDER if c in entry["i"]],
        }
        if entry["p"]:
            resource["searchParam"] = [
                {
                    "name": n,
                    "type": t,
                    **({"documentation": entry["d"][n]} if n in entry["d"] else {}),
                }
                for n, t in sorted(entry["p"].items())
            ]
        for key, element in (("inc", "searchInclude"), ("rev", "searchRevInclude")):
            if entry.get(key):
                resource[element] = sorted(entry[key])
        if entry["o"]:
            resource["operation"] = [
                {
                    "name": name,
                    "definition": f"http://hl7.org/fhir/OperationDefinition/{kind}-{name}",
                }
                for name in sorted(entry["o"])
            ]
        out.append(resource)
    return out


def system_interactions(paths: Paths) -> list[dict]:
    """``POST /fhir`` takes batch and transaction Bundles when a capability routes it."""
    posts = any(m == "POST" and p in ("", "/") for m, p, _ in _fhir_routes(paths))
    return [{"code": "batch"}, {"code": "transaction"}] if posts else []


def smart_security(base_url: str) -> dict:
    """``rest.security``: SMART on FHIR as the service, its OAuth endpoints (``oauth-uris``)."""
    base = base_url.rstrip("/")
    uris = [
        ("authorize", f"{base}/oauth/authorize"),
        ("token", f"{base}/oauth/token"),
        ("revoke", f"{base}/oauth/revoke"),
        ("introspect", f"{base}/oauth/introspect"),
    ]
    return {
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                        "display": "SMART-on-FHIR",
                    }
                ],
                "text": "OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)",
            }
        ],
        "extension": [
            {
                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                "extension": [{"url": name, "valueUri": uri} for name, uri in uris],
            }
        ],
        "description": "SMART App Launch 2.x (/.well-known/smart-configuration) and Careverse's "
        "own bearer tokens (/api/auth/token); every access passes Careverse's consent-aware "
        "policy and is audited.",
    }
