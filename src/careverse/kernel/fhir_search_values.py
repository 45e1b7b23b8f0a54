"""The values of FHIR search parameters (:mod:`careverse.kernel.fhir_search`): dates with their
prefixes and precisions, tokens, references, strings, numbers, the patient a search names, and
the modifiers each parameter type takes. A malformed value is :class:`BadSearch` (400), whose
message names the parameter but never echoes the value (it may be health data)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from careverse.kernel.errors import DomainError, NotFound

TOKEN, DATE, REFERENCE, STRING = "token", "date", "reference", "string"
MAX_VALUES = 20
# The modifiers each parameter type takes (in memory; Observation, searched in SQL, takes none).
MODIFIERS = {
    TOKEN: ("missing", "not"),
    STRING: ("missing", "exact", "contains"),
    DATE: ("missing",),
    REFERENCE: ("missing",),
}
_PREFIX = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$", re.S)
_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?P<sec>:\d{2}(?P<frac>\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$"
)
TYPE_NAME = re.compile(r"^[A-Z][A-Za-z]{1,63}$")


class BadSearch(DomainError):
    """A search parameter that is not supported or not well formed (400 OperationOutcome)."""

    status_code = 400
    code = "bad_search"


Token = tuple[str | None, str | None]  # (system: None any, "" none; code: None any)


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


def dates(name: str, value: str) -> tuple[str, datetime, datetime]:
    match = _PREFIX.match(value)
    prefix, text = (match[1] or "eq", match[2]) if match else ("eq", value)
    if prefix not in ("eq", "ne", "ge", "gt", "le", "lt"):
        raise BadSearch(f"{name} supports the prefixes eq, ne, ge, gt, le and lt.")
    if "," in text:
        raise BadSearch(f"{name} does not take comma-separated values; repeat {name} instead.")
    start, end = date_range(text, name)
    return prefix, start, end


def tokens(name: str, value: str) -> tuple[Token, ...]:
    parts = value.split(",")
    if len(parts) > MAX_VALUES or any(not t or len(t) > 200 for t in parts):
        raise BadSearch(f"{name} takes 1 to {MAX_VALUES} comma-separated values.")
    out: list[Token] = []
    for token in parts:
        system, bar, code = token.rpartition("|")
        out.append((system if bar else None, code or None))
    return tuple(out)


def references(name: str, value: str, target: str | None = None) -> tuple[str, ...]:
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
        if target and not kind:
            kind = target
        out.append(f"{kind}/{ident}" if kind else ident)
    return tuple(out)


def strings(name: str, value: str, exact: bool = False) -> tuple[str, ...]:
    parts = value.split(",")
    if len(parts) > MAX_VALUES or any(not t or len(t) > 200 for t in parts):
        raise BadSearch(f"{name} takes 1 to {MAX_VALUES} comma-separated values.")
    return tuple(parts) if exact else tuple(p.casefold() for p in parts)


def boolean(name: str, value: str) -> bool:
    if value not in ("true", "false"):
        raise BadSearch(f"{name} takes true or false.")
    return value == "true"


def number(name: str, value: str, limit: int) -> int:
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


def uuid_or_404(value: str) -> uuid.UUID:
    """A FHIR id of ours (a UUID); anything else is simply not found."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("Not found.") from None
