"""The finer parameters of a Bulk Data kick-off (``fhir/bulk.py``): ``_typeFilter``,
``_elements``, ``patient``, ``includeAssociatedData``, and the ``Parameters`` body of a POST
kick-off. A 400 names the parameter, never echoes its value.

- ``_typeFilter``: ``<Type>?<param>=<value>[&…]``, several comma-separated or repeated. A
  resource of a type with filters is kept when it matches any of them (each: all its
  parameters); types without filters are untouched. Supported per type: ``code``,
  ``category``, ``status`` (tokens, on the kernel's search toolkit), and ``_id``.
- ``_elements``: ``element`` (every type) or ``<Type>.element``; a type named by neither is
  exported whole. Kept elements are top-level, the resource tagged ``SUBSETTED``.
- ``includeAssociatedData``: none of its values is supported: the export runs without it and
  says so in an OperationOutcome listed under the manifest's ``error``.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from careverse.kernel.errors import DomainError
from careverse.kernel.fhir_search import (
    TOKEN,
    BadSearch,
    Param,
    Query,
    Spec,
    matches,
    parse,
    subset,
)
from careverse.kernel.policy import Category


def _codings(element: object) -> list[tuple[str | None, str | None]]:
    items = element if isinstance(element, list) else [element]
    return [
        (c.get("system"), c.get("code"))
        for item in items
        if isinstance(item, dict)
        for c in item.get("coding") or []
    ]


FILTER_PARAMS = (
    Param("code", TOKEN, "system|code", lambda r: _codings(r.get("code"))),
    Param("category", TOKEN, "system|code", lambda r: _codings(r.get("category"))),
    Param("status", TOKEN, "code", lambda r: [(None, r.get("status"))]),
    Param("_id", TOKEN, "id", lambda r: [(None, r.get("id"))]),
)
_FILTER = re.compile(r"^([A-Z][A-Za-z]{1,63})\?(.+)$", re.S)
_SPLIT = re.compile(r",(?=[A-Z][A-Za-z]{1,63}\?)")
_ELEMENT = re.compile(r"^(?:([A-Z][A-Za-z]{1,63})\.)?([a-z][A-Za-z0-9]{0,63})$")
UNSUPPORTED_WARNING = "includeAssociatedData is not supported; the export was made without it."


@dataclass
class Options:
    """What a job keeps besides its types and ``_since`` (stored as JSON on the job)."""

    type_filters: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    patients: list[str] | None = None
    warnings: list[str] = field(default_factory=list)

    def dumps(self) -> str | None:
        if not (self.type_filters or self.elements or self.warnings or self.patients is not None):
            return None
        return json.dumps(
            {"typeFilter": self.type_filters, "elements": self.elements,
             "patients": self.patients, "warnings": self.warnings}
        )  # fmt: skip

    @classmethod
    def loads(cls, text: str | None) -> Options:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(data.get("typeFilter") or [], data.get("elements") or [],
                   data.get("patients"), data.get("warnings") or [])  # fmt: skip


def _filter_query(resource_type: str, text: str) -> Query:
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs or any(name not in {p.name for p in FILTER_PARAMS} for name, _ in pairs):
        raise DomainError("_typeFilter supports code, category, status and _id.")
    spec = Spec(resource_type, Category.RECORD, FILTER_PARAMS, {"_id": lambda r: r.get("id")},
                "_id", patient_required=False)  # fmt: skip
    try:
        return parse(spec, pairs)
    except BadSearch:
        raise DomainError("_typeFilter has a malformed value.") from None


def type_filters(values: list[str], types: tuple[str, ...] | None) -> list[str]:
    """Check ``_typeFilter`` values; answers them one filter a string."""
    out: list[str] = []
    for value in values:
        for text in _SPLIT.split(value):
            found = _FILTER.match(text.strip())
            if found is None:
                raise DomainError("_typeFilter must be <Type>?<search parameters>.")
            if types is not None and found.group(1) not in types:
                raise DomainError("_typeFilter names a type that _type leaves out.")
            _filter_query(found.group(1), found.group(2))
            out.append(text.strip())
    if len(out) > 50:
        raise DomainError("_typeFilter takes at most 50 filters.")
    return out


def elements(values: list[str]) -> list[str]:
    out = [e.strip() for v in values for e in v.split(",") if e.strip()]
    if not out or len(out) > 100 or not all(_ELEMENT.match(e) for e in out):
        raise DomainError("_elements takes element names, each alone or as <Type>.element.")
    return out


def options_of(level: str, more: KickOff | None, types: tuple[str, ...] | None) -> Options:
    """Check the finer parameters of a kick-off (400 naming the one that is wrong)."""
    options = Options()
    if more is None:
        return options
    if more.type_filter:
        options.type_filters = type_filters(more.type_filter, types)
    if more.elements:
        options.elements = elements(more.elements)
    if more.patients is not None:
        if level == "system":
            raise DomainError("patient is for Patient and Group exports.")
        options.patients = list(dict.fromkeys(more.patients))
    if more.associated:
        options.warnings.append(UNSUPPORTED_WARNING)
    return options


def warning_lines(options: Options) -> str:
    """The NDJSON of a job's warnings (one OperationOutcome each)."""
    return "".join(
        json.dumps({"resourceType": "OperationOutcome", "issue": [
            {"severity": "warning", "code": "not-supported", "diagnostics": w}]}) + "\n"
        for w in options.warnings
    )  # fmt: skip


class Shaping:
    """Applies a job's filters and elements to each resource it exports."""

    def __init__(self, options: Options):
        self.filters: dict[str, list[Query]] = {}
        for text in options.type_filters:
            kind, query = text.split("?", 1)
            self.filters.setdefault(kind, []).append(_filter_query(kind, query))
        self.everywhere: set[str] = set()
        self.by_type: dict[str, set[str]] = {}
        for e in options.elements:
            kind, _, name = e.rpartition(".")
            (self.by_type.setdefault(kind, set()) if kind else self.everywhere).add(name)

    def keep(self, resource: dict) -> bool:
        wanted = self.filters.get(resource.get("resourceType", ""))
        return wanted is None or any(matches(q, resource) for q in wanted)

    def shape(self, resource: dict) -> dict:
        names = self.everywhere | self.by_type.get(resource.get("resourceType", ""), set())
        return subset(resource, tuple(names)) if names else resource


# ---- the POST kick-off ------------------------------------------------------------------------

_VALUE_KEYS = ("valueString", "valueInstant", "valueCode", "valueDateTime", "valueUri")


@dataclass
class KickOff:
    """A kick-off's parameters, from the query string or a ``Parameters`` body."""

    output_format: str | None = None
    types: str | None = None
    since: str | None = None
    type_filter: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    patients: list[str] | None = None
    associated: list[str] = field(default_factory=list)


def from_parameters(body: bytes) -> KickOff:
    """A ``Parameters`` resource's kick-off parameters (400 for anything else)."""
    if len(body) > 200_000:
        raise DomainError("The Parameters body is too large.")
    try:
        data = json.loads(body or b"null")
    except (UnicodeDecodeError, ValueError):
        raise DomainError("The body must be a FHIR Parameters resource (JSON).") from None
    if not isinstance(data, dict) or data.get("resourceType") != "Parameters":
        raise DomainError("The body must be a FHIR Parameters resource (JSON).")
    given = data.get("parameter") or []
    if not isinstance(given, list) or len(given) > 200:
        raise DomainError("Parameters.parameter must be a list.")
    out = KickOff()
    types: list[str] = []
    for item in given:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise DomainError("Each parameter needs a name.")
        name = item["name"]
        if name == "patient":
            ref = (item.get("valueReference") or {}).get("reference")
            if not isinstance(ref, str) or not ref.startswith("Patient/"):
                raise DomainError("patient takes a valueReference to a Patient.")
            out.patients = [*(out.patients or []), _patient(ref.removeprefix("Patient/"))]
            continue
        value = next((item[k] for k in _VALUE_KEYS if k in item), None)
        if not isinstance(value, str) or len(value) > 4000:
            raise DomainError(f"{name[:40]} needs a string value.")
        if name == "_outputFormat":
            out.output_format = value
        elif name == "_since":
            out.since = value
        elif name == "_type":
            types.append(value)
        elif name == "_typeFilter":
            out.type_filter.append(value)
        elif name == "_elements":
            out.elements.append(value)
        elif name == "includeAssociatedData":
            out.associated.append(value)
        else:
            raise DomainError(
                "Unsupported parameter; a kick-off takes _outputFormat, _since, "
                "_type, _typeFilter, _elements, patient, includeAssociatedData."
            )
    out.types = ",".join(types) if types else None
    return out


def _patient(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise DomainError("patient must reference a Patient by id.") from None
