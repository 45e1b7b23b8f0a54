"""Safe Harbor generalisers for structured values: ZIP3, ages, birth years, dates, pseudonyms.

Sources: HIPAA Privacy Rule 45 CFR 164.514(b)(2) (the Safe Harbor method) and the HHS Office
for Civil Rights' "Guidance Regarding Methods for De-identification of Protected Health
Information" (2012). All functions are pure and deterministic.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import hmac
import re
from datetime import date, datetime, timedelta
from importlib import resources

AGE_CAP = 90
"""Ages above 89 are aggregated into one category, ``"90+"`` (164.514(b)(2)(i)(C))."""

DEFAULT_MAX_SHIFT_DAYS = 180
"""Default half-width of the per-patient date shift window (``±180`` days, never 0)."""

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|T)")


def _key_bytes(study_key: bytes | str) -> bytes:
    key = study_key.encode() if isinstance(study_key, str) else bytes(study_key)
    if len(key) < 16:
        raise ValueError("study_key must hold at least 16 bytes (a per-study secret)")
    return key


def pseudonym(study_key: bytes | str, patient_id: str) -> str:
    """A study's stable pseudonym for a patient: ``HMAC-SHA256(study_key, patient_id)`` in hex.

    Each study has its own secret key, so the same patient has unlinkable pseudonyms in two
    studies, and nobody without the key can recompute or reverse one. ``patient_id`` is
    Careverse's internal id (a random identifier, not information about the person).
    """
    if not str(patient_id):
        raise ValueError("patient_id must not be empty")
    return hmac.new(_key_bytes(study_key), str(patient_id).encode(), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=1)
def restricted_zip3() -> frozenset[str]:
    """The 17 ZIP3 areas of 20,000 people or fewer (2000 Census), from the shipped table
    ``careverse/research/data/zip3_restricted.csv`` (HHS de-identification guidance, 2012)."""
    text = resources.files("careverse.research").joinpath("data/zip3_restricted.csv").read_text()
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(row["zip3"] for row in rows)


def zip3(zip5: str) -> str:
    """The first three digits of a US ZIP code (``"02139"``, ``"02139-4307"``), or ``"000"``
    when that three-digit area holds 20,000 people or fewer. Anything that is not a US ZIP
    raises ``ValueError`` (the caller drops it: a smaller geography than a state)."""
    digits = str(zip5).strip()
    if not re.fullmatch(r"\d{5}(?:-?\d{4})?", digits):
        raise ValueError("not a US ZIP code (five digits, optionally +4)")
    area = digits[:3]
    return "000" if area in restricted_zip3() else area


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _ISO_DATE.match(str(value))
    if not m:
        raise ValueError("expected a full date YYYY-MM-DD")
    return date(int(m[1]), int(m[2]), int(m[3]))


def age_years(birth_date: date | datetime | str, on: date | datetime | str) -> int:
    """Completed years of age on ``on`` (a birthday counts on its day)."""
    born, day = _as_date(birth_date), _as_date(on)
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if age < 0:
        raise ValueError("the birth date is after the reference date")
    return age


def age_band(age: int, width: int = 5) -> str:
    """The band of ``width`` years holding ``age`` (``"40-44"``), ``"90+"`` from 90 on.

    Bands start at multiples of ``width``; the last band below 90 ends at 89 (so for
    width 7: ``"84-89"``). ``width=1`` gives the age itself below 90.
    """
    if width < 1:
        raise ValueError("width must be at least 1")
    if age < 0:
        raise ValueError("age must not be negative")
    if age >= AGE_CAP:
        return f"{AGE_CAP}+"
    low = age - age % width
    high = min(low + width - 1, AGE_CAP - 1)
    return str(low) if low == high else f"{low}-{high}"


def birth_year(birth_date: date | datetime | str, on: date | datetime | str) -> int | None:
    """The year of birth, or ``None`` when the person is over 89 on ``on``: Safe Harbor also
    removes the year when it would reveal an age over 89 (report ``age_band`` ``"90+"``)."""
    if age_years(birth_date, on) >= AGE_CAP:
        return None
    return _as_date(birth_date).year


def date_shift_days(
    study_key: bytes | str, patient_id: str, max_days: int = DEFAULT_MAX_SHIFT_DAYS
) -> int:
    """The patient's date offset in this study: a whole number of days in ``[-max_days, -1]``
    or ``[1, max_days]`` (never 0), derived from ``HMAC-SHA256(study_key, "date-shift:" +
    patient_id)``. The same for every date of that patient in that study (intervals are kept),
    different between patients and between studies, not computable without the key.

    Shifting is not itself the Safe Harbor method (which keeps the year only): it keeps
    intervals for analysis and is the usual choice under expert determination.
    """
    if max_days < 1:
        raise ValueError("max_days must be at least 1")
    digest = hmac.new(
        _key_bytes(study_key), f"date-shift:{patient_id}".encode(), hashlib.sha256
    ).digest()
    n = int.from_bytes(digest[:8], "big") % (2 * max_days)
    return n - max_days if n < max_days else n - max_days + 1


def shift_date(value: date | datetime | str, days: int) -> str:
    """``value`` moved by ``days``, as ISO text in the shape it came in: ``YYYY-MM-DD`` for a
    date, a full timestamp (with its offset) for a date-time. Year-only or year-month text
    (FHIR partial dates) cannot be shifted exactly and is returned as its year."""
    if isinstance(value, datetime):
        return (value + timedelta(days=days)).isoformat()
    if isinstance(value, date):
        return (value + timedelta(days=days)).isoformat()
    text = str(value)
    if re.fullmatch(r"\d{4}(?:-\d{2})?", text):
        return text[:4]
    if "T" in text:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        out = (parsed + timedelta(days=days)).isoformat()
        return out.replace("+00:00", "Z") if text.endswith("Z") else out
    return (_as_date(text) + timedelta(days=days)).isoformat()


def year_only(value: date | datetime | str) -> str:
    """The year of a date, date-time or FHIR partial date, as ``"YYYY"``."""
    if isinstance(value, date):
        return f"{value.year:04d}"
    m = re.match(r"^(\d{4})", str(value))
    if not m:
        raise ValueError("expected a date starting with a four-digit year")
    return m[1]
