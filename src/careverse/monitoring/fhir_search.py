"""FHIR search on Observation (``GET /fhir/Observation``, ``POST /fhir/Observation/_search``):
one patient's readings, matched in SQL (a patient may have half a million), sorted by date and
paged by key. Parameters are parsed by the kernel's toolkit (:mod:`careverse.kernel.fhir_search`),
so the rules are those of every search (docs/fhir.md):

- ``patient=<id>`` / ``Patient/<id>`` or ``subject=Patient/<id>`` — required: a search is always
  about one patient, decided by the one access policy (another patient's id answers 404, like a
  missing one);
- ``code`` — ``system|code``, ``code``, ``system|`` (any code of that system); commas: any of;
  repeated: all of. A code we never store (the blood-pressure panel, whose readings are stored
  as systolic and diastolic) matches nothing; ``category`` (``vital-signs``) and ``status``
  (``final``) likewise match every reading or none;
- ``date`` (``effectiveDateTime``) and ``_lastUpdated`` (when the reading was received) with
  ``eq`` (the default), ``ne``, ``ge``, ``gt``, ``le``, ``lt``; ``_id``;
- ``_count`` (default 50, at most 1000, ``0``: the total only), ``_sort`` ``date`` or ``-date``
  (the default), ``_summary=count``, ``_elements``, ``_include=Observation:device``;
- ``_cursor`` (in ``next`` links: after that Observation) and ``_before`` (in ``previous``
  links: before it). Paging by key, not offset, so a page link stays valid while readings arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.fhir import FhirResponse
from careverse.kernel.fhir_search import (
    COMMON,
    DATE,
    DEFAULT_COUNT,
    MAX_COUNT,
    TOKEN,
    BadSearch,
    Param,
    Query,
    Spec,
    included,
    meta_updated,
    resolved,
    token_matches,
)
from careverse.kernel.fhir_search import parse as parse_search
from careverse.kernel.fhir_search import searchset as searchset_of
from careverse.kernel.fhir_search_http import is_lenient, openapi, parameters, register
from careverse.kernel.policy import Actor, Category, authorize
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.fhir import LOINC, observation
from careverse.monitoring.fhir_search_records import DEVICE_INCLUDE, codings
from careverse.monitoring.models import Reading

__all__ = [
    "DEFAULT_COUNT", "MAX_COUNT", "OPENAPI_PARAMETERS", "SPEC", "BadSearch", "ObservationQuery",
    "parse", "router", "search", "searchset",
]  # fmt: skip

CATEGORY = ("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs")

SPEC = Spec(
    type="Observation",
    category=Category.VITALS,
    params=(
        Param("code", TOKEN, "`system|code`, `code` or `system|`; commas: any of",
              lambda r: codings(r.get("code"))),
        Param("date", DATE, "eq, ne, ge, gt, le, lt + date",
              lambda r: [r.get("effectiveDateTime")]),
        Param("category", TOKEN, "vital-signs", lambda r: codings(r.get("category"))),
        Param("status", TOKEN, "final", lambda r: [(None, r.get("status"))]),
        *COMMON,
    ),
    sorts={"date": lambda r: r.get("effectiveDateTime")},
    default_sort="-date",
    includes=(DEVICE_INCLUDE,),
    in_memory=False,
)  # fmt: skip
OPENAPI_PARAMETERS = openapi(SPEC)
ObservationQuery = Query


def parse(pairs: Sequence[tuple[str, str]], lenient: bool = False) -> Query:
    """The query of an Observation search (its parameters in order), or :class:`BadSearch`."""
    query = parse_search(SPEC, pairs, lenient)
    for name, value in (("_cursor", query.after), ("_before", query.before)):
        if value is not None and (not value.isdigit() or len(value) > 18):
            raise BadSearch(f"{name} must come from a page link.")
    return query


def _codes(tokens: tuple) -> set[str] | None:
    """The LOINC codes one ``code`` parameter matches (any of them); ``None``: any code."""
    out: set[str] = set()
    for system, code in tokens:
        if system is None and code is not None:
            out.add(code)
        elif system == LOINC:
            if code is None:
                return None  # every LOINC code: every Observation we serve
            out.add(code)
        # Another system (or none, "|code"): our Observations carry LOINC codes only.
    return out


def _when(column, prefix: str, start, end):
    inside = and_(column >= start, column < end)
    return {
        "eq": inside, "ne": not_(inside), "ge": column >= start, "gt": column >= end,
        "le": column < end, "lt": column < start,
    }[prefix]  # fmt: skip


def _where(query: Query) -> list | None:
    """The SQL conditions of the query; ``None`` when nothing can match."""
    where: list = [Reading.patient_id == query.patient_id]
    for tokens in query.values("code"):
        codes = _codes(tokens)
        if codes is not None:
            if not codes:
                return None
            where.append(Reading.code.in_(sorted(codes)))
    for tokens in query.values("category"):
        if not any(token_matches(t, CATEGORY) for t in tokens):
            return None
    for tokens in query.values("status"):
        if not any(token_matches(t, (None, "final")) for t in tokens):
            return None
    for tokens in query.values("_id"):
        ids = {int(c) for s, c in tokens if s is None and c and c.isdigit() and len(c) < 19}
        if not ids:
            return None
        where.append(Reading.id.in_(sorted(ids)))
    for (prefix, start, end), *_ in query.values("date"):
        where.append(_when(Reading.effective_at, prefix, start, end))
    for (prefix, start, end), *_ in query.values("_lastUpdated"):
        where.append(_when(Reading.received_at, prefix, start, end))
    return where


def _beyond(anchor: Reading, later: bool):
    """Readings after (``later``) or before the anchor in (effective_at, id) order."""
    at = anchor.effective_at
    # The plain bound beside the OR lets the database start its index scan at the anchor
    # instead of reading every earlier page first.
    if later:
        return and_(
            Reading.effective_at >= at,
            or_(
                Reading.effective_at > at, and_(Reading.effective_at == at, Reading.id > anchor.id)
            ),
        )
    return and_(
        Reading.effective_at <= at,
        or_(Reading.effective_at < at, and_(Reading.effective_at == at, Reading.id < anchor.id)),
    )


async def search(
    session: AsyncSession, actor: Actor, query: Query
) -> tuple[list[Reading], int | None, bool, bool, list[dict]]:
    """One page of the patient's readings, the total, whether there is a next and a previous
    page and the included resources, after the access policy allowed (and audited) the read of
    their vitals: one unit of work."""
    async with unit_of_work(session):
        found = await resolved(session, actor, query)  # patient.identifier=…: that patient
        if found is None:
            return [], 0, False, False, []
        query = found
        await authorize(session, actor, query.patient_id, Category.VITALS, resource_type="Bundle")
        where = _where(query)
        if where is None:
            return [], 0, False, False, []
        anchor_id = query.after if query.after is not None else query.before
        # The total is counted for the first page only (over a year of minute readings the
        # count costs more than the page); the pages a link leads to leave it out, as FHIR allows.
        total = None
        if (
            anchor_id is None
            or query.count == 0
            or query.summary_count
            or query.total == "accurate"
        ):
            total = await session.scalar(select(func.count()).select_from(Reading).where(*where))
        if query.count == 0 or query.summary_count:
            return [], total or 0, False, False, []
        backwards = query.before is not None
        if anchor_id is not None:
            anchor = await session.get(Reading, int(anchor_id))
            if anchor is None or anchor.patient_id != query.patient_id:
                raise BadSearch("The page link is no longer valid; search again.")
            # In the page's direction: newest-first pages go to older readings.
            where.append(_beyond(anchor, later=(not query.descending) != backwards))
        descending = query.descending != backwards
        order = (
            (Reading.effective_at.desc(), Reading.id.desc())
            if descending
            else (Reading.effective_at, Reading.id)
        )
        rows = list(
            (
                await session.scalars(
                    select(Reading).where(*where).order_by(*order).limit(query.count + 1)
                )
            ).all()
        )
        more = len(rows) > query.count
        rows = rows[: query.count]
        if backwards:
            rows.reverse()
            has_next, has_previous = True, more
        else:
            has_next, has_previous = more, anchor_id is not None
        extra = await included(session, actor, query, [observation(r) for r in rows])
        return rows, total, has_next, has_previous, extra


def searchset(
    query: Query,
    rows: list[Reading],
    total: int | None,
    base: str,
    has_next: bool = False,
    has_previous: bool = False,
    extra: Sequence[dict] = (),
) -> dict:
    """The searchset Bundle of a page, with ``self``, ``next`` and ``previous`` links."""
    resources = [meta_updated(observation(r), r.received_at) for r in rows]
    return searchset_of(
        query, resources, total, base, has_next=has_next, has_previous=has_previous,
        included=extra,
    )  # fmt: skip


Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
router = APIRouter(tags=["fhir"])


async def search_observations(
    request: Request, actor: CurrentActor, session: Session, settings: AppSettings
) -> JSONResponse:
    """A patient's Observations by code, date, category, status, id and last update, newest
    first, paged (``next``/``previous`` links); GET, or POST a form to ``_search``."""
    query = parse(await parameters(request), is_lenient(request))
    rows, total, has_next, has_previous, extra = await search(session, actor, query)
    return FhirResponse(
        searchset(query, rows, total, settings.public_url, has_next, has_previous, extra)
    )


register(router, SPEC, search_observations)
