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
- Modifiers (types searched in memory): ``:missing=true|false`` on every parameter, ``:not`` on
  tokens, ``:exact`` and ``:contains`` on strings, ``:<Type>`` on references; a modifier a
  parameter does not take answers 400, lenient or not (as FHIR requires).
- Chains: ``patient.<p>``/``subject:Patient.<p>`` (``<p>`` a Patient search parameter, such as
  ``identifier``) on every per-patient search: resolved by the Patient search with the caller's
  access (:func:`register_chain`); no patient found: an empty searchset.
- Result parameters: ``_count`` (default 50, capped at 1000, ``0`` total only), ``_sort``
  (declared names and, in memory, ``_id`` and ``_lastUpdated``; commas: several keys, ``-``
  descending), ``_summary=count|true|text|data|false``, ``_total=none|estimate|accurate``,
  ``_elements`` (top-level elements kept, the resource tagged SUBSETTED),
  ``_include``/``_revinclude`` as declared; fhirpy's ``_totalMethod`` is accepted and ignored.
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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.actor import Actor
from careverse.kernel.fhir import iso
from careverse.kernel.fhir_search_answer import included, searchset, subset
from careverse.kernel.fhir_search_summary import SUBSETTED, SUMMARY_MODES
from careverse.kernel.fhir_search_types import (
    DEFAULT_COUNT,
    GENERIC_SORTS,
    MAX_COUNT,
    MAX_SORT_KEYS,
    ONCE,
    PAGING,
    PATIENT_CHAINS,
    PATIENT_PARAMETERS,
    RESULT_PARAMETERS,
    TOTAL_MODES,
    Criterion,
    Include,
    Param,
    Query,
    Spec,
    last_updated,
)
from careverse.kernel.fhir_search_values import (
    DATE,
    MAX_VALUES,
    MODIFIERS,
    REFERENCE,
    STRING,
    TOKEN,
    TYPE_NAME,
    BadSearch,
    Token,
    boolean,
    date_range,
    dates,
    number,
    patient_id,
    references,
    strings,
    tokens,
    uuid_or_404,
)
from careverse.kernel.policy import authorize
from careverse.kernel.uow import unit_of_work

__all__ = [
    "COMMON",
    "DATE",
    "DEFAULT_COUNT",
    "ID",
    "LAST_UPDATED",
    "MAX_COUNT",
    "MAX_VALUES",
    "MODIFIERS",
    "PAGING",
    "PATIENT_CHAINS",
    "PATIENT_PARAMETERS",
    "REFERENCE",
    "STRING",
    "SUBSETTED",
    "TOKEN",
    "TOTAL_MODES",
    "BadSearch",
    "Criterion",
    "Include",
    "Loader",
    "Param",
    "Query",
    "QueryLoader",
    "Spec",
    "Token",
    "chains",
    "date_range",
    "included",
    "matches",
    "meta_updated",
    "nothing",
    "page",
    "parse",
    "patient_id",
    "register_chain",
    "resolved",
    "search",
    "search_all",
    "searchset",
    "subset",
    "token_matches",
    "uuid_or_404",
]  # fmt: skip


# ---- chained parameters -------------------------------------------------------------------

ChainResolver = Callable[[AsyncSession, Actor, Sequence[tuple[str, str]]], Awaitable[list]]
_CHAINS: dict[str, tuple[Spec, ChainResolver]] = {}


def register_chain(target: str, spec: Spec, resolve: ChainResolver) -> None:
    """``patient.<p>=`` chains go through ``resolve`` (the ids of the ``target`` resources the
    caller may see matching those parameters of ``spec``): identity registers Patient's."""
    _CHAINS[target] = (spec, resolve)


def chains() -> dict[str, Spec]:
    """The chain targets registered, with the search they go through."""
    return {target: spec for target, (spec, _) in _CHAINS.items()}


def _chain(spec: Spec, name: str, value: str) -> tuple[str, str] | None:
    """The Patient search pair of a chained ``patient.<p>``, or ``None`` if not a chain we take."""
    head, _, tail = name.partition(".")
    base, _, kind = head.partition(":")
    if not spec.patient_required or base not in spec.patient_params or kind not in ("", "Patient"):
        return None
    target = _CHAINS.get("Patient")
    if target is None or "." in tail or tail.partition(":")[0] not in PATIENT_CHAINS:
        return None
    parse(target[0], [(tail, value)])  # its name and value, checked strictly (400 if not)
    return tail, value


async def resolved(session: AsyncSession, actor: Actor, query: Query) -> Query | None:
    """The query with the patient its chain names (``None``: no patient the caller may see)."""
    if not query.chain:
        return query
    _, resolve = _CHAINS["Patient"]
    found = await resolve(session, actor, query.chain)
    if not found:
        return None
    if len(found) > 1:
        raise BadSearch("The chained parameters match several patients; a search is about one.")
    return replace(query, patient_id=found[0])


# ---- parameters ---------------------------------------------------------------------------

_ELEMENT = re.compile(r"^[a-z][A-Za-z0-9]{0,63}$")
_MODIFIER = re.compile(r"^[A-Za-z-]{1,30}$")


def _criterion(param: Param, modifier: str | None, value: str) -> Criterion:
    name = param.name
    if modifier == "missing":
        return Criterion(param, (boolean(f"{name}:missing", value),), modifier)
    if param.type == TOKEN:
        return Criterion(param, tokens(name, value), modifier)
    if param.type == DATE:
        return Criterion(param, (dates(name, value),), modifier)
    if param.type == REFERENCE:
        return Criterion(param, references(name, value, modifier), None)
    return Criterion(param, strings(name, value, exact=modifier == "exact"), modifier)


def _unsupported(spec: Spec) -> BadSearch:
    return BadSearch(
        f"Unsupported search parameter; {spec.type} supports "
        + ", ".join([*spec.names, *RESULT_PARAMETERS[:-2]])
    )


def _modifier(spec: Spec, base: str, modifier: str) -> None:
    """400 unless ``base`` takes ``modifier`` (patient parameters take ``:Patient``)."""
    if spec.patient_required and base in spec.patient_params:
        if modifier == "Patient":
            return
        raise BadSearch(f"{base} takes the modifier :Patient only.")
    param = spec.param(base)
    if param is None:
        raise BadSearch(f"{base} takes no modifiers.")
    if param.type == REFERENCE and TYPE_NAME.fullmatch(modifier) and spec.in_memory:
        return
    if modifier in param.allowed and spec.in_memory:
        return
    if not _MODIFIER.fullmatch(modifier):
        raise BadSearch(f"{base} does not support that modifier.")
    allowed = ", ".join(f":{m}" for m in param.allowed) if spec.in_memory else ""
    raise BadSearch(
        f"{base} does not support the modifier :{modifier}"
        + (f"; it supports {allowed}." if allowed else "; it takes none.")
    )


def _sorts(spec: Spec, text: str) -> tuple[tuple[str, bool], ...]:
    keys = [k.strip() for k in text.split(",")]
    names = [k.removeprefix("-") for k in keys]
    if len(keys) > MAX_SORT_KEYS or len(set(names)) != len(names):
        raise BadSearch(f"_sort takes 1 to {MAX_SORT_KEYS} different keys.")
    if not all(spec.sort_key(n) for n in names):
        raise BadSearch(
            "_sort supports " + ", ".join(f"{s}, -{s}" for s in spec.sort_names)
            + " (commas: several keys)."
        )  # fmt: skip
    return tuple((k.removeprefix("-"), k.startswith("-")) for k in keys)


def parse(spec: Spec, pairs: Sequence[tuple[str, str]], lenient: bool = False) -> Query:
    """The query of a search on ``spec.type``, or :class:`BadSearch` (strict: any parameter not
    supported; lenient: those are ignored and named in :attr:`Query.ignored`; a modifier not
    supported is 400 in both)."""
    known = set(spec.names) | set(RESULT_PARAMETERS)
    used: list[tuple[str, str]] = []
    criteria: list[Criterion] = []
    chain: list[tuple[str, str]] = []
    ignored: list[str] = []
    seen: dict[str, int] = {}
    for name, value in pairs:
        if "." in name:
            link = _chain(spec, name, value)
            if link is None:
                if not lenient:
                    raise BadSearch(f"Unsupported chained parameter; {spec.type} takes patient.")
                ignored.append(name[:40])
                continue
            chain.append(link)
            used.append((name, value))
            continue
        base, colon, modifier = name.partition(":")
        if base not in known:
            if not lenient:
                raise _unsupported(spec)
            ignored.append(name[:40])
            continue
        if colon:
            _modifier(spec, base, modifier)
        seen[base] = seen.get(base, 0) + 1
        once = (*(spec.patient_params if spec.patient_required else ()), *ONCE)
        if seen[base] > 1 and base in once:
            raise BadSearch(f"{base} may be given once.")
        used.append((name, value))
        param = spec.param(base)
        if param is not None:
            criteria.append(_criterion(param, modifier or None, value))
    given = {name.partition(":")[0]: value for name, value in used if "." not in name}
    patient: uuid.UUID | None = None
    if spec.patient_required:
        named = [n for n in spec.patient_params if n in given]
        if len(named) + (1 if chain else 0) != 1:
            first = spec.patient_params[0]
            raise BadSearch(
                f"Give the patient once: {first}=<id>, {first}=Patient/<id> or "
                f"{first}.identifier=<system|value>."
            )
        if named:
            patient = patient_id(named[0], given[named[0]])
    sorts = _sorts(spec, given.get("_sort", spec.default_sort))
    summary = given.get("_summary")
    if summary is not None and summary not in SUMMARY_MODES:
        raise BadSearch("_summary supports " + ", ".join(SUMMARY_MODES) + ".")
    total = given.get("_total")
    if total is not None and total not in TOTAL_MODES:
        raise BadSearch("_total supports " + ", ".join(TOTAL_MODES) + ".")
    if len(given.get("_totalMethod", "")) > 40:
        raise BadSearch("_totalMethod is too long.")
    elements = None
    if "_elements" in given:
        if summary in ("true", "text", "data"):
            raise BadSearch("_elements and _summary (other than count or false) exclude another.")
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
        count=number("_count", given["_count"], MAX_COUNT) if "_count" in given else DEFAULT_COUNT,
        sort=sorts[0][0],
        descending=sorts[0][1],
        after=after,
        before=before,
        summary_count=summary == "count",
        elements=elements,
        include=include,
        revinclude=revinclude,
        ignored=tuple(ignored),
        pairs=tuple((k, v) for k, v in used if k not in PAGING),
        sorts=sorts,
        summary=summary,
        total=total,
        chain=tuple(chain),
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


def period_holds(
    prefix: str, start: datetime, end: datetime, low: datetime, high: datetime
) -> bool:
    """A period [low, high] (an instant: low == high) against a search date [start, end)."""
    if low == high:
        return date_holds(prefix, start, end, low)
    overlaps = low < end and high >= start
    return {
        "eq": overlaps, "ne": not overlaps, "ge": high >= start, "gt": high >= end,
        "le": low < end, "lt": low < start,
    }[prefix]  # fmt: skip


def _period(value: object) -> tuple[datetime, datetime] | None:
    """An instant or a ``{"start", "end"}`` period (an open end: far in the future)."""
    if isinstance(value, dict):
        low = _instant(value.get("start")) or datetime.min.replace(tzinfo=UTC)
        high = _instant(value.get("end")) or datetime.max.replace(tzinfo=UTC)
        return low, high
    at = _instant(value)
    return None if at is None else (at, at)


def token_matches(wanted: Token, have: Token) -> bool:
    system, code = wanted
    if system is not None and (have[0] or "") != system:
        return False
    return code is None or have[1] == code


def _present(value: object) -> bool:
    if isinstance(value, tuple):
        return any(v not in (None, "") for v in value)
    return value not in (None, "", [], {})


def _matches(criterion: Criterion, resource: dict) -> bool:
    param = criterion.param
    have = [h for h in (param.values(resource) if param.values else []) if _present(h)]
    if criterion.modifier == "missing":
        return (not have) == criterion.values[0]
    if param.type == TOKEN:
        hit = any(token_matches(w, h) for w in criterion.values for h in have)
        return not hit if criterion.modifier == "not" else hit
    if param.type == DATE:
        periods = [_period(v) for v in have]
        return any(
            period_holds(p, s, e, *span)
            for p, s, e in criterion.values
            for span in periods
            if span is not None
        )
    if param.type == REFERENCE:
        return any(
            h == w or (h.rsplit("/", 1)[-1] == w.rsplit("/", 1)[-1] and "/" not in h)
            or (("/" not in w) and h.rsplit("/", 1)[-1] == w)
            for w in criterion.values
            for h in have
            if isinstance(h, str)
        )  # fmt: skip
    texts = [h for h in have if isinstance(h, str)]
    if criterion.modifier == "exact":
        return any(h == w for w in criterion.values for h in texts)
    if criterion.modifier == "contains":
        return any(w in h.casefold() for w in criterion.values for h in texts)
    return any(h.casefold().startswith(w) for w in criterion.values for h in texts)


def matches(query: Query, resource: dict) -> bool:
    return all(_matches(c, resource) for c in query.criteria)


def ordered(query: Query, matched: list[dict]) -> list[dict]:
    """The matches in the query's order (every ``_sort`` key, then the id)."""
    keys = query.sorts or ((query.sort, query.descending),)
    out = sorted(matched, key=lambda r: r["id"], reverse=keys[0][1])
    for name, descending in reversed(keys):
        key = query.spec.sort_key(name) or GENERIC_SORTS["_id"]
        out.sort(key=lambda r, key=key: key(r) or "", reverse=descending)
    return out


def _ghost(spec: Spec, anchor: str) -> dict | None:
    """The sort keys of a resource gone since its page link was made (:attr:`Spec.anchor`)."""
    if spec.anchor is None:
        return None
    try:
        found = spec.anchor(anchor)
    except ValueError:
        return None
    return None if found is None else {**found, "id": anchor}


def page(query: Query, matched: list[dict]) -> tuple[list[dict], bool, bool]:
    """The page the query asks for of the matches: (resources, has next, has previous)."""
    ordered_ = ordered(query, matched)
    ids = [r["id"] for r in ordered_]
    if query.after is not None or query.before is not None:
        anchor = query.after if query.after is not None else query.before
        ghost = None if anchor in ids else _ghost(query.spec, anchor or "")
        if anchor not in ids and ghost is None:
            raise BadSearch("The page link is no longer valid; search again.")
        if ghost is not None:  # the anchor is gone: where it would sort, from its id
            at = [r["id"] for r in ordered(query, [*matched, ghost])].index(ghost["id"])
            after_at = at
        else:
            at = ids.index(anchor)
            after_at = at + 1
        if query.after is not None:
            start = after_at
        else:
            start = max(0, at - query.count)
            return ordered_[start:at], True, start > 0
    else:
        start = 0
    chosen = ordered_[start : start + query.count]
    return chosen, start + query.count < len(ordered_), start > 0


Loader = Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[list[dict]]]
QueryLoader = Callable[[AsyncSession, Actor, Query], Awaitable[list[dict]]]


def nothing(query: Query, base: str) -> dict:
    """The answer of a search whose chain names no patient the caller may see."""
    return searchset(query, [], 0, base, has_next=False, has_previous=False)


async def search(
    session: AsyncSession, actor: Actor, query: Query, load: Loader, base: str
) -> dict:
    """One patient's resources of a type, matched, sorted and paged in memory, after the access
    policy allowed (and audited) the read of their ``spec.category``: one unit of work. For
    types with few resources per patient; Observation searches in SQL."""
    async with unit_of_work(session):
        found = await resolved(session, actor, query)
        if found is None:
            return nothing(query, base)
        query = found
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


async def search_all(
    session: AsyncSession, actor: Actor, query: Query, load: QueryLoader, base: str
) -> dict:
    """A search whose loader decides (and audits) what the caller may see itself: Patient (the
    patients the caller reaches), Schedule and Slot (open to every signed-in user), AuditEvent
    (a patient's own trail, and admins). Matched, sorted and paged in memory."""
    async with unit_of_work(session):
        found = await resolved(session, actor, query)
        if found is None:
            return nothing(query, base)
        query = found
        everything = await load(session, actor, query)
    matched = [r for r in everything if r["resourceType"] == query.spec.type]
    matched = [r for r in matched if matches(query, r)]
    chosen, has_next, has_previous = page(query, matched)
    return searchset(
        query, chosen, len(matched), base, has_next=has_next, has_previous=has_previous
    )


def meta_updated(resource: dict, at: datetime | None) -> dict:
    """``resource`` with ``meta.lastUpdated`` (what ``_lastUpdated`` searches)."""
    if at is not None:
        resource.setdefault("meta", {})["lastUpdated"] = iso(
            at if at.tzinfo else at.replace(tzinfo=UTC)
        )
    return resource


ID = Param("_id", TOKEN, "The resource's id; commas: any of", lambda r: [(None, r.get("id"))])
LAST_UPDATED = Param(
    "_lastUpdated", DATE, "When it last changed: prefix + date", lambda r: [last_updated(r)]
)
COMMON = (ID, LAST_UPDATED)
