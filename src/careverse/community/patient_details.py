"""Identifiable patient details in a professional community's post (names, dates of birth,
record numbers, phone numbers). A hit holds the post with the kind as reason, for a moderator.

Care is taken with names: a capitalised word pair is a name only after a title ("Mr Smith",
"Mrs Jane Doe", "patient John Smith") or next to "named/called"; a bare capitalised pair ("Type
Two", "Long Covid") is not. NHS numbers are checked with their modulus-11 check digit; other
record numbers need a label (MRN, hospital number, record no.). Dates count only when labelled as
a birth date ("DOB", "born on") so clinic dates do not hold a post.
"""

# ruff: noqa: E501  (the patterns read better on one line each)
from __future__ import annotations

import re

_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Master|Dr|Sir|Dame)\.?\s+[A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+)?\b"
)
_NAMED = re.compile(
    r"\b(?:[Pp]atient|[Cc]lient|named|called|name is|[Ss]on|[Dd]aughter)\s+[A-Z][a-z'\-]{1,}\s+[A-Z][a-z'\-]{1,}\b"
)
_DOB = re.compile(
    r"\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?)\s*[:\-]?\s*"
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\s+\d{4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
_NHS = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
_MRN = re.compile(
    r"\b(?:mrn|hospital (?:no|number)|record (?:no|number)|patient (?:id|no|number)|chi|nhs (?:no|number))"
    r"\.?\s*[:#]?\s*[A-Z]{0,3}\d{5,12}\b",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\d])(?:\+44\s?7\d{3}|07\d{3}|\+44\s?\(?0?\)?\s?[1-3]\d{2,3}|0[1-3]\d{2,3})[\s-]?\d{3}[\s-]?\d{3,4}(?!\d)"
)


def _nhs_valid(digits: str) -> bool:
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def detect(text: str) -> list[str]:
    """The kinds of identifiable details found: ``name``, ``date-of-birth``, ``record-number``,
    ``phone-number`` (in that order, each once)."""
    found: list[str] = []
    if _TITLE.search(text) or _NAMED.search(text):
        found.append("name")
    if _DOB.search(text):
        found.append("date-of-birth")
    nhs = any(_nhs_valid("".join(m.groups())) for m in _NHS.finditer(text))
    if nhs or _MRN.search(text):
        found.append("record-number")
    if _PHONE.search(text):
        found.append("phone-number")
    return found
