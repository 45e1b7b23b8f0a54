"""fhir's own reads: a patient's whole record (``$everything``) and the CapabilityStatement."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.fhir import capabilities, resources
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import DomainError, NotFound
from careverse.kernel.fhir import BadCursor, PatientRecord, RecordQuery, bundle
from careverse.kernel.policy import Actor, Category, authorize
from careverse.kernel.uow import unit_of_work

DEFAULT_COUNT = 10_000  # a page of $everything when _count is not given (also the most)
TYPE_NAME = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
EVERYTHING_PARAMETERS = ("_since", "_type", "_count", "_cursor")


class BadEverything(DomainError):
    """A ``$everything`` parameter that is not supported or not well formed (400)."""

    status_code = 400
    code = "bad_parameter"


@dataclass(frozen=True)
class EverythingParams:
    query: RecordQuery
    count: int
    cursor: str | None
    given: tuple[tuple[str, str], ...]  # _since, _type and _count as asked, for the links

    def link(self, cursor: str | None) -> str:
        pairs = [*self.given, *((("_cursor", cursor),) if cursor else ())]
        return "?" + urlencode(pairs) if pairs else ""


def _instant(value: str) -> datetime:
    """``_since``: a FHIR instant with its offset, or a day (midnight UTC)."""
    try:
        if len(value) == 10:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadEverything("_since must be an instant such as 2026-11-20T10:00:00Z.") from None
    if at.tzinfo is None:
        raise BadEverything("_since needs a UTC offset (such as Z).")
    return at.astimezone(UTC)


def everything_params(pairs: list[tuple[str, str]]) -> EverythingParams:
    """``$everything``'s parameters, strictly: an unknown or repeated one answers 400, naming
    the parameter but never echoing its value."""
    names = [name for name, _ in pairs]
    for name in names:
        if name not in EVERYTHING_PARAMETERS:
            raise BadEverything(f"Unsupported parameter: {name[:40]}.")
        if name != "_type" and names.count(name) > 1:
            raise BadEverything(f"{name} may be given once.")
    given = dict(pairs)
    since = _instant(given["_since"]) if "_since" in given else None
    types: frozenset[str] | None = None
    if "_type" in given:
        kinds = [k.strip() for n, v in pairs if n == "_type" for k in v.split(",")]
        if not kinds or not all(TYPE_NAME.match(k) for k in kinds):
            raise BadEverything("_type must be resource type names, comma-separated.")
        types = frozenset(kinds)
    count = DEFAULT_COUNT
    if "_count" in given:
        if not given["_count"].isdigit() or not 1 <= int(given["_count"]) <= 10**9:
            raise BadEverything("_count must be a whole number from 1.")
        count = min(int(given["_count"]), DEFAULT_COUNT)
    cursor = given.get("_cursor") or None
    if cursor is not None and len(cursor) > 400:
        raise BadEverything("_cursor is not valid (start again without it).")
    kept = tuple((n, v) for n, v in pairs if n != "_cursor")
    return EverythingParams(RecordQuery(since, types), count, cursor, kept)


def parse_id(value: str) -> uuid.UUID:
    """FHIR ids are strings; anything that is not one of ours is simply not found."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("Not found.") from None


class FhirService:
    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings
        self.base = settings.public_url.rstrip("/")

    async def everything(
        self,
        actor: Actor,
        patient_id: uuid.UUID,
        record: PatientRecord,
        params: list[tuple[str, str]] | None = None,
    ) -> dict:
        """Everything the caller may see about a patient, as a searchset Bundle, a page at a time.

        Each page is authorised (and audited, ``record.read``); then each capability's section
        of the record is read in the order the capabilities registered them (the Patient
        first), from the page's cursor on. ``params``: ``_since``, ``_type``, ``_count`` and
        ``_cursor`` (from a ``next`` link); anything else answers 400.
        """
        asked = everything_params(params or [])
        async with unit_of_work(self.session):
            await authorize(self.session, actor, patient_id, Category.RECORD)
            try:
                entries, following = await record.page(
                    self.session, actor, patient_id, asked.query, asked.cursor, asked.count
                )
            except BadCursor:
                raise BadEverything("_cursor is not valid (start again without it).") from None
        out = bundle("searchset", entries, self.base)
        url = f"{self.base}/fhir/Patient/{patient_id}/$everything"
        out["link"] = [{"relation": "self", "url": url + asked.link(asked.cursor)}]
        if following is not None:
            out["link"].append({"relation": "next", "url": url + asked.link(following)})
        if following is not None or asked.cursor is not None:
            del out["total"]  # a page's length is not the record's size
        return out

    def metadata(self, paths: capabilities.Paths | None = None) -> dict:
        """The CapabilityStatement; given the app's OpenAPI paths, it lists what is served."""
        if paths is None:
            return resources.capability_statement(self.base, clock.now())
        return resources.capability_statement(
            self.base, clock.now(), capabilities.served_resources(paths),
            capabilities.system_interactions(paths),
        )  # fmt: skip
