"""FHIR search on Observation (``GET /fhir/Observation``): one patient's readings by code and
date, sorted by date and paged.

Strict, as FHIR allows a server to be: a parameter this search does not support, a repeated
one that cannot repeat, or a malformed value answers 400 with an OperationOutcome (never a
silent "everything"). Messages name the parameter, never the value (it may be health data).

What is supported (docs/fhir.md):

- ``patient=<id>`` / ``patient=Patient/<id>`` or ``subject=Patient/<id>`` — required: a search
  is always about one patient, decided by the one access policy (another patient's id answers
  404, like a missing one);
- ``code`` — ``system|code``, ``code``, ``system|`` (any code of that system), comma-separated
  for "any of"; repeated ``code`` parameters must all match. A code we never store (the blood
  pressure panel, whose readings are stored as systolic and diastolic) simply matches nothing;
- ``date`` — ``eq`` (the default), ``ge``, ``gt``, ``le``, ``lt`` with a date of year, month,
  day or instant precision (an instant needs its UTC offset); repeated ``date`` parameters must
  all hold, so ``date=ge2026-11-01&date=lt2026-12-01`` is November;
- ``_count`` (default 50, at most 1000: a larger one is served as 1000; ``0`` answers only the
  total), ``_sort`` ``date`` or ``-date`` (the default: newest first);
- ``_cursor`` — only in the ``next`` link: the id of the last Observation of the page before.
  Paging by key, not offset, so a page link stays valid while new readings arrive.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.errors import DomainError, NotFound
from careverse.kernel.fhir import bundle
from careverse.kernel.policy import Actor, Category, authorize
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.fhir import LOINC, observation
from careverse.monitoring.models import Reading

DEFAULT_COUNT = 50
MAX_COUNT = 1000
MAX_CODES = 20
PARAMETERS = ("patient", "subject", "code", "date", "_count", "_sort", "_cursor")
SINGLE = {"patient", "subject", "_count", "_sort", "_cursor"}

# Documented in the OpenAPI schema (so the CapabilityStatement lists the search parameters).
OPENAPI_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
    for name, schema, text in (
        ("patient", {"type": "string"}, "The patient: `<id>` or `Patient/<id>`"),
        ("subject", {"type": "string"}, "The patient as `Patient/<id>`"),
        ("code", {"type": "string"}, "`system|code`, `code` or `system|`; commas: any of"),
        ("date", {"type": "array", "items": {"type": "string"}}, "eq, ge, gt, le, lt + date"),
        ("_count", {"type": "integer"}, "Page size (default 50, at most 1000)"),
        ("_sort", {"type": "string", "enum": ["date", "-date"]}, "Order (default -date)"),
        ("_cursor", {"type": "string"}, "Opaque: from a `next` link"),
    )
]


class BadSearch(DomainError):
    """A search parameter that is not supported or not well formed (400 OperationOutcome)."""

    status_code = 400
    code = "bad_search"


@dataclass(frozen=True, slots=True)
class ObservationQuery:
    patient_id: uuid.UUID
    codes: frozenset[str] | None  # None: any code; empty: nothing can match
    since: tuple[datetime, ...]  # effective_at >= each
    before: tuple[datetime, ...]  # effective_at < each
    count: int
    newest_first: bool
    cursor: int | None
    pairs: tuple[tuple[str, str], ...]  # the parameters as given, less _cursor (for links)


_PREFIX = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$")
_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?P<sec>:\d{2}(?P<frac>\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$"
)


def _patient(name: str, value: str) -> uuid.UUID:
    if not value:
        raise BadSearch(f"{name} must name a patient.")
    ref = value.rsplit("/Patient/", 1)[-1] if "/Patient/" in value else value
    ref = ref.removeprefix("Patient/")
    if "/" in ref:
        raise BadSearch(f"{name} must reference a Patient.")
    try:
        return uuid.UUID(ref)
    except ValueError:
        raise NotFound("Not found.") from None  # not one of our ids: like a missing patient


def _codes(value: str) -> frozenset[str] | None:
    """The LOINC codes one ``code`` parameter matches (any of them); ``None``: any code."""
    tokens = value.split(",")
    if len(tokens) > MAX_CODES or any(not t or len(t) > 200 for t in tokens):
        raise BadSearch(f"code takes 1 to {MAX_CODES} comma-separated tokens.")
    out: set[str] = set()
    for token in tokens:
        system, bar, code = token.rpartition("|")
        if not bar:
            out.add(code)
        elif system == LOINC:
            if not code:
                return None  # every LOINC code: every Observation we serve
            out.add(code)
        # Another system (or none, "|code"): our Observations carry LOINC codes only.
    return frozenset(out)


def _range(text: str) -> tuple[datetime, datetime]:
    """The instants a date of FHIR's precisions covers: [start, end)."""
    try:
        if re.fullmatch(r"\d{4}", text):
            start = datetime(int(text), 1, 1, tzinfo=UTC)
            return start, start.replace(year=start.year + 1)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            start = datetime(int(text[:4]), int(text[5:]), 1, tzinfo=UTC)
            end = (start + timedelta(days=32)).replace(day=1)
            return start, end
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
    raise BadSearch("date must be a date or an instant with its UTC offset, after a prefix.")


def _date(value: str, since: list[datetime], before: list[datetime]) -> None:
    match = _PREFIX.match(value)
    prefix, text = (match[1] or "eq", match[2]) if match else ("eq", value)
    if prefix not in ("eq", "ge", "gt", "le", "lt"):
        raise BadSearch("date supports the prefixes eq, ge, gt, le and lt.")
    if "," in text:
        raise BadSearch("date does not take comma-separated values; repeat date instead.")
    start, end = _range(text)
    if prefix in ("eq", "ge"):
        since.append(start)
    if prefix == "gt":
        since.append(end)
    if prefix in ("eq", "le"):
        before.append(end)
    if prefix == "lt":
        before.append(start)


def _number(name: str, value: str, limit: int) -> int:
    if not value.isdigit() or len(value) > 18:
        raise BadSearch(f"{name} must be a whole number.")
    return min(int(value), limit)


def parse(pairs: Sequence[tuple[str, str]]) -> ObservationQuery:
    """The query of ``GET /fhir/Observation`` (its parameters in order), or :class:`BadSearch`."""
    seen: dict[str, int] = {}
    for name, _ in pairs:
        if name not in PARAMETERS:
            raise BadSearch(
                "Unsupported search parameter; Observation supports " + ", ".join(PARAMETERS[:-1])
            )
        seen[name] = seen.get(name, 0) + 1
        if name in SINGLE and seen[name] > 1:
            raise BadSearch(f"{name} may be given once.")
    given = dict(pairs)
    if ("patient" in given) == ("subject" in given):
        raise BadSearch("Give the patient: patient=<id> or subject=Patient/<id>.")
    patient_id = _patient("patient", given["patient"]) if "patient" in given else None
    if patient_id is None:
        patient_id = _patient("subject", given["subject"])
    codes: frozenset[str] | None = None
    since: list[datetime] = []
    before: list[datetime] = []
    for name, value in pairs:
        if name == "code":
            parsed = _codes(value)
            if parsed is not None:
                codes = parsed if codes is None else codes & parsed
        elif name == "date":
            _date(value, since, before)
    sort = given.get("_sort", "-date")
    if sort not in ("date", "-date"):
        raise BadSearch("_sort supports date and -date.")
    return ObservationQuery(
        patient_id=patient_id,
        codes=codes,
        since=tuple(since),
        before=tuple(before),
        count=_number("_count", given["_count"], MAX_COUNT) if "_count" in given else DEFAULT_COUNT,
        newest_first=sort == "-date",
        cursor=_number("_cursor", given["_cursor"], 2**62) if "_cursor" in given else None,
        pairs=tuple((k, v) for k, v in pairs if k != "_cursor"),
    )


async def search(
    session: AsyncSession, actor: Actor, query: ObservationQuery
) -> tuple[list[Reading], int]:
    """One page of the patient's readings (one more than asked, to know a next page exists) and
    the total, after the access policy allowed (and audited) the read of their vitals."""
    async with unit_of_work(session):
        await authorize(session, actor, query.patient_id, Category.VITALS, resource_type="Bundle")
        if query.codes is not None and not query.codes:
            return [], 0
        where = [Reading.patient_id == query.patient_id]
        if query.codes is not None:
            where.append(Reading.code.in_(sorted(query.codes)))
        where += [Reading.effective_at >= at for at in query.since]
        where += [Reading.effective_at < at for at in query.before]
        total = await session.scalar(select(func.count()).select_from(Reading).where(*where)) or 0
        if query.count == 0:
            return [], total
        if query.cursor is not None:
            anchor = await session.get(Reading, query.cursor)
            if anchor is None or anchor.patient_id != query.patient_id:
                raise BadSearch("The page link is no longer valid; search again.")
            at = anchor.effective_at
            if query.newest_first:
                after = or_(
                    Reading.effective_at < at,
                    and_(Reading.effective_at == at, Reading.id < anchor.id),
                )
            else:
                after = or_(
                    Reading.effective_at > at,
                    and_(Reading.effective_at == at, Reading.id > anchor.id),
                )
            where.append(after)
        order = (
            (Reading.effective_at.desc(), Reading.id.desc())
            if query.newest_first
            else (Reading.effective_at, Reading.id)
        )
        rows = await session.scalars(
            select(Reading).where(*where).order_by(*order).limit(query.count + 1)
        )
        return list(rows.all()), total


def searchset(query: ObservationQuery, rows: list[Reading], total: int, base: str) -> dict:
    """The searchset Bundle of a page, with ``self`` and (when there is more) ``next`` links."""
    page = rows[: query.count]
    out = bundle("searchset", [observation(r) for r in page], base, total)
    url = f"{base.rstrip('/')}/fhir/Observation?"
    here = [*query.pairs, *([("_cursor", str(query.cursor))] if query.cursor is not None else [])]
    links = [{"relation": "self", "url": url + urlencode(here)}]
    if len(rows) > query.count:
        links.append(
            {
                "relation": "next",
                "url": url + urlencode([*query.pairs, ("_cursor", str(page[-1].id))]),
            }
        )
    out["link"] = links
    return out
