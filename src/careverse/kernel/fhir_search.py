"""FHIR search, once for every resource type: parameters parsed, matched, sorted and paged.

A capability declares what a type can be searched by (:class:`Spec`: its parameters with their
FHIR types and where their values are in the resource, its sorts, its ``_include``\\ s) and
registers ``GET /<Type>`` and ``POST /<Type>/_search`` with
:func:`careverse.kernel.fhir_search_http.register`. The
CapabilityStatement reads the parameters back from the OpenAPI schema (``x-fhir-type``), so it
lists what the toolkit really parses.

Rules (docs/fhir.md, "Search"):

- **token** ``system|code``, ``code`` (any system), ``|code`` (no system), ``system|`` (any code
  of it); **date** with prefix ``eq`` (default), ``ne``, ``ge``, ``gt``, ``le``, ``lt`` and a
  year, month, day (UTC) or instant with its offset; **reference** ``Type/<id>`` or ``<id>``;
  **string** starts-with, ignoring case. Commas: any of; a repeated parameter: all of.
- Result parameters: ``_count`` (default 50, capped at 1000, ``0`` total only), ``_sort``
  (declared names, ``-`` descending), ``_summary=count``, ``_elements`` (top-level elements
  kept, the resource tagged SUBSETTED), ``_include``/``_revinclude`` as declared.
- Paging by key: ``_cursor=<id>`` (after that resource) in ``next`` links, ``_before=<id>``
  (before it) in ``previous`` links; a page link stays valid while new data arrives.
- ``Prefer: handling=strict`` (the default): an unknown parameter, modifier or prefix answers
  400 naming the parameter, never echoing its value (it may be health data). ``lenient``: an
  unknown parameter is ignored, left out of the ``self`` link and reported in an
  OperationOutcome entry (``search.mode=outcome``). A malformed value is 400 in both.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.actor import Actor
from careverse.kernel.errors import DomainError, NotFound
from careverse.kernel.fhir import bundle, iso, operation_outcome
from careverse.kernel.policy import Category, authorize, decide
from careverse.kernel.uow import unit_of_work

TOKEN, DATE, REFERENCE, STRING = "token", "date", "reference", "string"
DEFAULT_COUNT = 50
MAX_COUNT = 1000
MAX_VALUES = 20
SUBSETTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "SUBSETTED",
}
PATIENT_PARAMETERS = ("patient", "subject")
RESULT_PARAMETERS = (
    "_count", "_sort", "_summary", "_elements", "_include", "_revinclude", "_cursor", "_before",
)  # fmt: skip
PAGING = ("_cursor", "_before")


class BadSearch(DomainError):
    """A search parameter that is not supported or not well formed (400 OperationOutcome)."""

    status_code = 400
    code = "bad_search"


Token = tuple[str | None, str | None]  # (system: None any, "" none; code: None any)
Value = Any


@dataclass(frozen=True, slots=True)
class Param:
    """A search parameter: its name, FHIR type and (for in-memory search) where its values are:
    tokens as ``(system, code)``, dates as ISO instants, references as ``Type/<id>``, strings."""

    name: str
    type: str
    doc: str
    values: Callable[[dict], Iterable[Any]] | None = None


@dataclass(frozen=True, slots=True)
class Include:
    """``_include=<Type>:<name>``: the ``target`` resources the matches reference, shown to a
    reader the policy lets see ``category``."""

    name: str  # "Observation:device"
    target: str
    category: Category
    refs: Callable[[dict], Iterable[str]]  # "Type/<id>" the match references
    load: Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[list[dict]]]


@dataclass(frozen=True, slots=True)
class Spec:
    """What one type can be searched by."""

    type: str
    category: Category
    params: tuple[Param, ...]
    sorts: dict[str, Callable[[dict], str | None]]
    default_sort: str
    includes: tuple[Include, ...] = ()
    revincludes: tuple[Include, ...] = ()
    patient_required: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (*PATIENT_PARAMETERS, *(p.name for p in self.params))

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True, slots=True)
class Criterion:
    param: Param
    values: tuple  # any of: tokens, (prefix, start, end), references, lower-case strings


@dataclass(frozen=True, slots=True)
class Query:
    spec: Spec
    patient_id: uuid.UUID
    criteria: tuple[Criterion, ...]
    count: int
    sort: str
    descending: bool
    after: str | None
    before: str | None
    summary_count: bool
    elements: tuple[str, ...] | None
    include: tuple[Include, ...]
    revinclude: tuple[Include, ...]
    ignored: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]  # the parameters used, less the paging ones (for links)

    def values(self, name: str) -> list[tuple]:
        """The parsed values of every ``name`` criterion (each one any-of; together all-of)."""
        return [c.values for c in self.criteria if c.param.name == name]


# ---- parameters ---------------------------------------------------------------------------

_PREFIX = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$", re.S)
_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?P<sec>:\d{2}(?P<frac>\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$"
)
_ELEMENT = re.compile(r"^[a-z][A-Za-z0-9]{0,63}$")


def date_range(text: str, name: str = "date") -> tuple[datetime, datetime]:
    """The instants a date of FHIR's precisions covers: [start, end)."""
    try:
        if re.fullmatch(r"\d{4}", text):
            start = datetime(int(text), 1, 1, tzinfo=UTC)
            return start, start.replace(year=start.year + 1)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            start = datetime(int(text[:4]), int(text[5:]), 1, tzinfo=UTC)
            return start, (start + timedelta(days=32)).replace(day=1)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            start = datetime.fromisoformat(text).replace(tzinfo=UTC)
            return start, start + timedelta(days=1)
        match = _TIME.fullmatch(text)
        if match:
            start = datetime.fromisoformat(text).astimezone(UTC)
            if match["frac"]:
                step = timedelta(microseconds=1)
            elif match["sec"]:
                step = timedelta(seconds=1)
            else:
                step = timedelta(minutes=1)
            return start, start + step
    except (ValueError, OverflowError):
        pass
    raise BadSearch(f"{name} must be a date or an instant with its UTC offset, after a prefix.")


def _date(name: str, value: str) -> tuple[str, datetime, datetime]:
    match = _PREFIX.match(value)
    prefix, text = (match[1] or "eq", match[2]) if match else ("eq", value)
    if prefix not in ("eq", "ne", "ge", "gt", "le", "lt"):
        raise BadSearch(f"{name} supports the prefixes eq, ne, ge, gt, le and lt.")
    if "," in text:
        raise BadSearch(f"{name} does not take comma-separated values; repeat {name} instead.")
    start, end = date_range(text, name)
    return prefix, start, end


def _tokens(name: str, value: str) -> tuple[Token, ...]:
    parts = value.split(",")
    if len(parts) > MAX_VALUES or any(not t or len(t) > 200 for t in parts):
        raise BadSearch(f"{name} takes 1 to {MAX_VALUES} comma-separated values.")
    out: list[Token] = []
    for token in parts:
        system, bar, code = token.rpartition("|")
        out.append((system if bar else None, code or None))
    return tuple(out)


def _references(name: str, value: str, target: str | None = None) -> tuple[str, ...]:
    parts = value.split(",")
    if len(parts) > MAX_VALUES or any(not t or len(t) > 300 for t in parts):
        raise BadSearch(f"{name} takes 1 to {MAX_VALUES} comma-separated references.")
    out = []
    for ref in parts:
        tail = "/".join(ref.rstrip("/").split("/")[-2:])
        kind, _, ident = tail.rpartition("/")
        if kind and not re.fullmatch(r"[A-Z][A-Za-z]+", kind):
            kind, ident = "", ref.rsplit("/", 1)[-1]
        if target and kind and kind != target:
            raise BadSearch(f"{name} must reference a {target}.")
        out.append(f"{kind}/{ident}" if kind else ident)
    return tuple(out)


def _strings(name: str, value: str) -> tuple[str, ...]:
    parts = value.split(",")
    if len(parts) > MAX_VALUES or any(not t or len(t) > 200 for t in parts):
        raise BadSearch(f"{name} takes 1 to {MAX_VALUES} comma-separated values.")
    return tuple(p.casefold() for p in parts)


def _number(name: str, value: str, limit: int) -> int:
    if not value.isdigit() or len(value) > 18:
        raise BadSearch(f"{name} must be a whole number.")
    return min(int(value), limit)


def patient_id(name: str, value: str) -> uuid.UUID:
    """The patient a ``patient``/``subject`` value names (a malformed id: 404, like a stranger)."""
    if not value:
        raise BadSearch(f"{name} must name a patient.")
    ref = value.rsplit("/Patient/", 1)[-1] if "/Patient/" in value else value
    ref = ref.removeprefix("Patient/")
    if "/" in ref:
        raise BadSearch(f"{name} must reference a Patient.")
    try:
        return uuid.UUID(ref)
    except ValueError:
        raise NotFound("Not found.") from None


COMMON = (
    Param("_id", TOKEN, "The resource's id; commas: any of", lambda r: [(None, r.get("id"))]),
    Param(
        "_lastUpdated", DATE, "When it last changed: prefix + date",
        lambda r: [(r.get("meta") or {}).get("lastUpdated")],
    ),
)  # fmt: skip


def parse(spec: Spec, pairs: Sequence[tuple[str, str]], lenient: bool = False) -> Query:
    """The query of a search on ``spec.type``, or :class:`BadSearch` (strict: any parameter not
    supported; lenient: those are ignored and named in :attr:`Query.ignored`)."""
    known = set(spec.names) | set(RESULT_PARAMETERS)
    used: list[tuple[str, str]] = []
    ignored: list[str] = []
    seen: dict[str, int] = {}
    for name, value in pairs:
        if name not in known:
            if not lenient:
                raise BadSearch(
                    f"Unsupported search parameter; {spec.type} supports "
                    + ", ".join([*spec.names, *RESULT_PARAMETERS[:-2]])
                )
            ignored.append(name[:40])
            continue
        seen[name] = seen.get(name, 0) + 1
        once = (*PATIENT_PARAMETERS, *RESULT_PARAMETERS[:4], *PAGING)
        if seen[name] > 1 and name in once:
            raise BadSearch(f"{name} may be given once.")
        used.append((name, value))
    given = dict(used)
    patient: uuid.UUID | None = None
    if spec.patient_required:
        if ("patient" in given) == ("subject" in given):
            raise BadSearch("Give the patient: patient=<id> or subject=Patient/<id>.")
        name = "patient" if "patient" in given else "subject"
        patient = patient_id(name, given[name])
    criteria = []
    for name, value in used:
        param = spec.param(name)
        if param is None:
            continue
        if param.type == TOKEN:
            criteria.append(Criterion(param, _tokens(name, value)))
        elif param.type == DATE:
            criteria.append(Criterion(param, (_date(name, value),)))
        elif param.type == REFERENCE:
            criteria.append(Criterion(param, _references(name, value)))
        else:
            criteria.append(Criterion(param, _strings(name, value)))
    sort = given.get("_sort", spec.default_sort)
    if sort.removeprefix("-") not in spec.sorts:
        raise BadSearch("_sort supports " + ", ".join(f"{s}, -{s}" for s in spec.sorts) + ".")
    summary = given.get("_summary")
    if summary is not None and summary != "count":
        raise BadSearch("_summary supports count.")
    elements = None
    if "_elements" in given:
        elements = tuple(e.strip() for e in given["_elements"].split(","))
        if len(elements) > 50 or not all(_ELEMENT.fullmatch(e) for e in elements):
            raise BadSearch("_elements takes comma-separated top-level element names.")
    include = _includes("_include", spec.includes, [v for k, v in used if k == "_include"])
    revinclude = _includes(
        "_revinclude", spec.revincludes, [v for k, v in used if k == "_revinclude"]
    )
    after, before = given.get("_cursor"), given.get("_before")
    if after is not None and before is not None:
        raise BadSearch("A page link has _cursor or _before, not both.")
    for name, value in (("_cursor", after), ("_before", before)):
        if value is not None and not re.fullmatch(r"[A-Za-z0-9.-]{1,64}", value):
            raise BadSearch(f"{name} must come from a page link.")
    return Query(
        spec=spec,
        patient_id=patient or uuid.UUID(int=0),
        criteria=tuple(criteria),
        count=_number("_count", given["_count"], MAX_COUNT) if "_count" in given else DEFAULT_COUNT,
        sort=sort.removeprefix("-"),
        descending=sort.startswith("-"),
        after=after,
        before=before,
        summary_count=summary == "count",
        elements=elements,
        include=include,
        revinclude=revinclude,
        ignored=tuple(ignored),
        pairs=tuple((k, v) for k, v in used if k not in PAGING),
    )


def _includes(name: str, declared: tuple[Include, ...], values: list[str]) -> tuple[Include, ...]:
    out = []
    for value in values:
        found = next((i for i in declared if i.name == value), None)
        if found is None:
            raise BadSearch(
                f"{name} supports " + (", ".join(i.name for i in declared) or "nothing") + " here."
            )
        out.append(found)
    return tuple(out)


# ---- matching in memory (types with few resources per patient) ------------------------------


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 4:
            value = value + "-01-01"
        elif len(value) == 7:
            value = value + "-01"
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def date_holds(prefix: str, start: datetime, end: datetime, at: datetime) -> bool:
    inside = start <= at < end
    return {
        "eq": inside, "ne": not inside, "ge": at >= start, "gt": at >= end,
        "le": at < end, "lt": at < start,
    }[prefix]  # fmt: skip


def token_matches(wanted: Token, have: Token) -> bool:
    system, code = wanted
    if system is not None and (have[0] or "") != system:
        return False
    return code is None or have[1] == code


def _matches(criterion: Criterion, resource: dict) -> bool:
    param = criterion.param
    have = list(param.values(resource)) if param.values else []
    if param.type == TOKEN:
        return any(token_matches(w, h) for w in criterion.values for h in have)
    if param.type == DATE:
        instants = [at for at in (_instant(v) for v in have) if at is not None]
        return any(date_holds(p, s, e, at) for p, s, e in criterion.values for at in instants)
    if param.type == REFERENCE:
        return any(
            h == w or (("/" not in w) and h.rsplit("/", 1)[-1] == w)
            for w in criterion.values
            for h in have
            if isinstance(h, str)
        )
    return any(
        isinstance(h, str) and h.casefold().startswith(w) for w in criterion.values for h in have
    )


def matches(query: Query, resource: dict) -> bool:
    return all(_matches(c, resource) for c in query.criteria)


def page(query: Query, matched: list[dict]) -> tuple[list[dict], bool, bool]:
    """The page the query asks for of the matches: (resources, has next, has previous)."""
    key = query.spec.sorts[query.sort]
    ordered = sorted(matched, key=lambda r: (key(r) or "", r["id"]), reverse=query.descending)
    ids = [r["id"] for r in ordered]
    if query.after is not None or query.before is not None:
        anchor = query.after if query.after is not None else query.before
        if anchor not in ids:
            raise BadSearch("The page link is no longer valid; search again.")
        at = ids.index(anchor)
        if query.after is not None:
            start = at + 1
        else:
            start = max(0, at - query.count)
            return ordered[start:at], True, start > 0
    else:
        start = 0
    chosen = ordered[start : start + query.count]
    return chosen, start + query.count < len(ordered), start > 0


# ---- the answer ----------------------------------------------------------------------------


def subset(resource: dict, elements: tuple[str, ...]) -> dict:
    """Only ``elements`` (and id, meta, resourceType), tagged SUBSETTED."""
    out = {k: v for k, v in resource.items() if k in ("resourceType", "id") or k in elements}
    meta = dict(resource.get("meta") or {})
    meta["tag"] = [*meta.get("tag", []), SUBSETTED]
    out["meta"] = meta
    return out


def searchset(
    query: Query,
    resources: list[dict],
    total: int | None,
    base: str,
    *,
    has_next: bool,
    has_previous: bool,
    included: Sequence[dict] = (),
) -> dict:
    """The searchset Bundle of a page with ``self``, ``next`` and ``previous`` links, the included
    resources (``search.mode=include``) and, when parameters were ignored, an OperationOutcome."""
    shown = [subset(r, query.elements) if query.elements else r for r in resources]
    if query.summary_count:
        shown, included = [], ()
    out = bundle("searchset", shown, base, total or 0)
    if total is None:  # not counted (a later page of a large search): FHIR's total is optional
        del out["total"]
    root = base.rstrip("/")
    for resource in included:
        out["entry"].append(
            {
                "fullUrl": f"{root}/fhir/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "include"},
            }
        )
    if query.ignored:
        names = ", ".join(sorted(set(query.ignored)))
        outcome = operation_outcome(
            "not-supported", f"Parameters ignored: {names}", severity="warning"
        )
        outcome["id"] = str(uuid.uuid4())
        out["entry"].append({"resource": outcome, "search": {"mode": "outcome"}})
    url = f"{root}/fhir/{query.spec.type}?"
    here = list(query.pairs)
    if query.after is not None:
        here.append(("_cursor", query.after))
    if query.before is not None:
        here.append(("_before", query.before))
    links = [{"relation": "self", "url": url + urlencode(here)}]
    if resources and has_next and not query.summary_count:
        links.append(
            {
                "relation": "next",
                "url": url + urlencode([*query.pairs, ("_cursor", resources[-1]["id"])]),
            }
        )
    if resources and has_previous and not query.summary_count:
        links.append(
            {
                "relation": "previous",
                "url": url + urlencode([*query.pairs, ("_before", resources[0]["id"])]),
            }
        )
    out["link"] = links
    return out


async def included(
    session: AsyncSession, actor: Actor, query: Query, matches_: list[dict]
) -> list[dict]:
    """The resources ``_include``\\ d by the page's matches, each kind only if the policy lets the
    reader see its category (audited as the read of that category)."""
    out: dict[str, dict] = {}
    for include in query.include:
        wanted = {ref for r in matches_ for ref in include.refs(r)}
        if not wanted:
            continue
        grant, _ = await decide(session, actor, query.patient_id, include.category, False)
        if grant is None:
            continue
        await authorize(session, actor, query.patient_id, include.category, resource_type="Bundle")
        for resource in await include.load(session, actor, query.patient_id):
            ref = f"{resource['resourceType']}/{resource['id']}"
            if ref in wanted:
                out[ref] = resource
    for include in query.revinclude:
        grant, _ = await decide(session, actor, query.patient_id, include.category, False)
        if grant is None:
            continue
        await authorize(session, actor, query.patient_id, include.category, resource_type="Bundle")
        mine = {f"{r['resourceType']}/{r['id']}" for r in matches_}
        for resource in await include.load(session, actor, query.patient_id):
            if mine & set(include.refs(resource)):
                out[f"{resource['resourceType']}/{resource['id']}"] = resource
    return list(out.values())


Loader = Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[list[dict]]]


async def search(
    session: AsyncSession, actor: Actor, query: Query, load: Loader, base: str
) -> dict:
    """One patient's resources of a type, matched, sorted and paged in memory, after the access
    policy allowed (and audited) the read of their ``spec.category``: one unit of work. For
    types with few resources per patient; Observation searches in SQL."""
    async with unit_of_work(session):
        await authorize(
            session, actor, query.patient_id, query.spec.category, resource_type="Bundle"
        )
        everything = await load(session, actor, query.patient_id)
        matched = [r for r in everything if r["resourceType"] == query.spec.type]
        matched = [r for r in matched if matches(query, r)]
        chosen, has_next, has_previous = page(query, matched)
        extra = [] if query.summary_count else await included(session, actor, query, chosen)
    return searchset(
        query, chosen, len(matched), base,
        has_next=has_next, has_previous=has_previous, included=extra,
    )  # fmt: skip


def meta_updated(resource: dict, at: datetime | None) -> dict:
    """``resource`` with ``meta.lastUpdated`` (what ``_lastUpdated`` searches)."""
    if at is not None:
        resource.setdefault("meta", {})["lastUpdated"] = iso(
            at if at.tzinfo else at.replace(tzinfo=UTC)
        )
    return resource
