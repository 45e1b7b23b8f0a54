"""Free-text scrubbing: Presidio on a blank spaCy pipeline, pattern recognizers and a deny list.

No NER model can be downloaded here, so the Presidio ``AnalyzerEngine`` runs on a **blank
spaCy English pipeline built in memory** (``spacy.blank("en")``: a tokenizer only, nothing
read from disk or the network) and finds identifiers with **pattern recognizers only**. Names
are not guessed: they come from a per-patient deny list (the patient's own names, contacts and
identifiers), matched case-insensitively as whole words, together with each part of every
multi-word term ("Mary-Jane O'Brien" also denies "Mary", "Jane" and "O'Brien").

What is replaced, and by which placeholder:

=============  ==========================================================================
``[EMAIL]``    e-mail addresses
``[PHONE]``    telephone and fax numbers: UK (``020 7946 0958``, ``07700 900123``,
               ``+44 (0)20 ...``), US (``(555) 123-4567``, ``555.123.4567``, ``+1 ...``),
               international (``+33 1 23 45 67 89``)
``[URL]``      web addresses (with a scheme, ``www.`` or a common top-level domain)
``[IP]``       IPv4 and IPv6 addresses
``[ID]``       record numbers: MRN-like codes (``MRN 00123456``, ``H1234567``), NHS numbers
               (3-3-4 digits with a valid mod-11 check digit), SSNs, vehicle identification
               numbers, and any other run of 7 or more digits that is not a telephone number
``[DATE]``     dates in numeric (``12/03/2024``, ``2024-03-12T10:00Z``, ``12.03.24``) and
               written forms (``12 March 2024``, ``March 12th, 2024``, ``Mar 2024``,
               ``3rd of May``); a bare year is kept, as Safe Harbor allows
``[AGE 90+]``  an age over 89 (``93-year-old``, ``aged 95``), aggregated as Safe Harbor asks
``[ZIP]``      US ZIP+4 codes, ZIP codes after a state code or the word ZIP/postcode, UK
               postcodes, and any other bare five-digit number not followed by a unit
               (``10000 steps``, ``20000 IU`` and ``12,000`` stay)
``[ADDRESS]``  street addresses: a house number, one to four capitalised words and a street
               suffix (``221B Baker Street``, ``12 Oak Ave.``), with an optional flat/unit
``[NAME]``     deny-list terms (a deny term with an ``@`` is an ``[EMAIL]``, one that is
               mostly digits an ``[ID]``)
=============  ==========================================================================

Where recognizers overlap, the union of their spans is replaced (Presidio's
``REMOVE_INTERSECTIONS``): a character found by any recognizer never survives. Limits: a name
that is not on the deny list (a relative's, a neighbour's) is not found — there is no NER
model; nor is a town or city other than the patient's own (on the deny list); a spelled-out
number ("oh seven seven…") is not found.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import ConflictResolutionStrategy, OperatorConfig

PLACEHOLDERS: dict[str, str] = {
    "EMAIL": "[EMAIL]",
    "PHONE": "[PHONE]",
    "URL": "[URL]",
    "IP": "[IP]",
    "ID": "[ID]",
    "DATE": "[DATE]",
    "AGE": "[AGE 90+]",
    "ZIP": "[ZIP]",
    "ADDRESS": "[ADDRESS]",
    "NAME": "[NAME]",
}
"""The entity each recognizer reports and the placeholder that replaces it."""

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_STREET_SUFFIX = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|court|ct|boulevard|blvd|way"
    r"|place|pl|terrace|crescent|cres|gardens|square|sq|highway|hwy|parkway|pkwy|circle|cir"
    r"|grove|row|mews|hill|walk|park|green|rise|view)"
)
_US_STATES = (  # the two-letter postal codes of the states, DC and Puerto Rico
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    "NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)

# Patterns that scan a run of characters start only where the run starts (a lookbehind), so
# text such as "a.a.a.a…" costs one scan, not one per position (quadratic time).
_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~\-]"
_END_URL = r"""[^\s<>"']*[^\s<>"'.,;:!?)\]]"""
_TLD = (
    r"(?:com|org|net|edu|gov|io|info|biz|co|uk|us|eu|nhs\.uk|ac\.uk|de|fr|es|it|nl|ie|au|ca"
    r"|app|dev|health|ly|me|ai|tv|link|online|site)"
)
_DOMAIN = rf"(?<![a-z0-9\-.])[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.{_TLD}\b(?:/(?:{_END_URL})?)?"
_IPV4_PART = r"(?:25[0-5]|2[0-4]\d|1?\d?\d)"
_IPV6 = (
    r"(?<![\w:])(?:(?=[0-9a-f:]*::)|(?=(?:[0-9a-f]{0,4}:){4}))"
    r"[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])"
)
_ID_LABEL = (
    r"(?:mrn|hospital\s+(?:no|number)|record\s+(?:no|number)|patient\s+id|nhs\s+(?:no|number)"
    r"|ssn|account\s+(?:no|number)|member\s+id|policy\s+(?:no|number)|licen[cs]e\s+(?:no|number)"
    r"|serial\s+(?:no|number)|id)"
)
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR = r"(?:,?[\s\-]+\d{4}|,?\s+'\d{2})"
_ZIP_LABEL = r"(?:zip|zip\s+code|postcode|postal\s+code)"
# A five-digit number followed by one of these is a quantity, not a ZIP code.
_UNIT_WORD = (
    r"(?:(?:steps?|mg|mcg|ug|µg|iu|units?|ml|l|kg|g|cal|kcal|kj|mmhg|m|km|ft|miles?|per|people"
    r"|patients|participants|cells|copies|years?|days?|hours?|minutes?|seconds?)\b|%|/)"
)
_UNIT = r"(?:flat|apt|apartment|unit|suite)\.?"
_STREET = (
    rf"\b(?:{_UNIT}\s*\w+,?\s+)?\d{{1,5}}[A-Z]?,?\s+(?:(?-i:[A-Z][\w'\-]*)\.?\s+){{1,4}}"
    rf"{_STREET_SUFFIX}\b\.?(?:,?\s*{_UNIT}\s*#?\w+)?"
)

# (entity, name, regex, score): a higher score wins the label where spans coincide.
_PATTERNS: list[tuple[str, str, str, float]] = [
    ("EMAIL", "email", rf"(?<!{_LOCAL}){_LOCAL}+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+", 0.95),
    ("URL", "scheme", rf"\b(?:https?|ftp)://{_END_URL}", 0.9),
    ("URL", "www", rf"\bwww\.{_END_URL}", 0.9),
    ("URL", "domain", _DOMAIN, 0.6),
    ("IP", "ipv4", rf"\b(?:{_IPV4_PART}\.){{3}}{_IPV4_PART}\b", 0.95),
    ("IP", "ipv6", _IPV6, 0.85),
    ("ID", "ssn", r"\b\d{3}[- ]\d{2}[- ]\d{4}\b", 0.95),
    ("ID", "code", r"\b[A-Z]{1,4}[-/]?\d{5,}\b", 0.9),
    ("ID", "vin", r"\b(?-i:[A-HJ-NPR-Z0-9]{17})\b", 0.9),
    ("DATE", "iso", rf"\b\d{{4}}-\d{{1,2}}-\d{{1,2}}{_TIME}\b", 0.97),
    ("DATE", "ymd", r"\b\d{4}[/.]\d{1,2}[/.]\d{1,2}\b", 0.97),
    ("DATE", "dmy", r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b", 0.97),
    ("DATE", "dm", r"\b[0-3]?\d/[01]?\d\b(?!/)", 0.5),
    ("DATE", "d_month_y", rf"\b{_WEEKDAY}{_DAY}(?:\s+of)?[\s\-]+{_MONTH}{_YEAR}?\b", 0.97),
    ("DATE", "month_d_y", rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?\b", 0.97),
    ("DATE", "month_y", rf"\b{_MONTH},?\s+\d{{4}}\b", 0.97),
    ("AGE", "years_old", r"\b(?:9\d|1[0-4]\d)[\s\-]*(?:years?|yrs?|y/?o)\b(?:[\s\-]*old)?", 0.99),
    ("AGE", "aged", r"\b(?:aged?|age:)\s*(?:9\d|1[0-4]\d)\b", 0.99),
    ("ZIP", "zip4", r"\b\d{5}-\d{4}\b", 0.9),
    ("ZIP", "state_zip", rf"\b(?-i:(?:{_US_STATES}))\s+\d{{5}}\b", 0.9),
    ("ZIP", "zip5", rf"(?<![\d.,$£€])\b\d{{5}}\b(?![.,]\d)(?!\s*{_UNIT_WORD})", 0.3),
    ("ZIP", "uk_postcode", r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", 0.85),
    ("ADDRESS", "street", _STREET, 0.92),
]  # fmt: skip

# A run of digit groups joined by spaces, dots or hyphens, or wrapped in brackets: a telephone
# number when it looks like one, otherwise (7+ digits) an identifying number.
_NUMBER_RUN = re.compile(
    r"(?<![\w+.])\+?[ ]?(?:\(\d+\)|\d+)(?:(?:[ .\-]{1,2}|(?<=\))[ ]?)(?:\(\d+\)|\d+))*+"
)


# A label and the value after it: only the value (group "v") is replaced, the label stays.
_ID_VALUE = r"(?P<v>[A-Z0-9][A-Z0-9\-/]{3,})"
_ZIP_VALUE = r"(?P<v>[A-Z0-9][A-Z0-9 ]{3,8}[A-Z0-9])"
_LABELLED: list[tuple[str, re.Pattern[str], float]] = [
    ("ID", re.compile(rf"\b{_ID_LABEL}\.?\s*[:#]?\s*{_ID_VALUE}\b", re.I), 0.96),
    ("ZIP", re.compile(rf"\b{_ZIP_LABEL}\s*:?\s*{_ZIP_VALUE}\b", re.I), 0.9),
]


class _LabelledRecognizer(EntityRecognizer):
    """Values announced by a label ("MRN: X77123", "postcode LS1 4AP")."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["ID", "ZIP"], name="labelled")

    def load(self) -> None:
        """Nothing to load: the patterns are compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [
            RecognizerResult(entity, m.start("v"), m.end("v"), score)
            for entity, pattern, score in _LABELLED
            for m in pattern.finditer(text)
        ]


class _NumberRunRecognizer(EntityRecognizer):
    """Telephone/fax numbers and other long numbers (a Presidio recognizer of our own)."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["PHONE", "ID"], name="number_run")

    def load(self) -> None:
        """Nothing to load: the pattern is compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        for m in _NUMBER_RUN.finditer(text):
            span = m.group(0)
            digits = sum(ch.isdigit() for ch in span)
            if digits < 7:
                continue
            start = m.start() + (len(span) - len(span.lstrip()))
            separated = bool(re.search(r"[ .\-()]", span.strip()))
            phone = digits <= 15 and (span.lstrip().startswith(("+", "(", "0")) or separated)
            results.append(RecognizerResult("PHONE" if phone else "ID", start, m.end(), 0.4))
        return results


def _nhs_check_ok(candidate: str) -> bool:
    """The NHS number's modulus-11 check digit (NHS Data Dictionary, 'NHS number')."""
    digits = [int(c) for c in candidate if c.isdigit()]
    if len(digits) != 10:
        return False
    check = 11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


class _NhsRecognizer(PatternRecognizer):
    def validate_result(self, pattern_text: str) -> bool:
        return _nhs_check_ok(pattern_text)


_LONG_RUN = re.compile(r"\S{100,}")


def _break_run(m: re.Match[str]) -> str:
    return "".join(" " if i % 100 == 99 else c for i, c in enumerate(m.group(0)))


class _BlankSpacyEngine(SpacyNlpEngine):
    """Presidio's spaCy engine on ``spacy.blank("en")``, built in memory (no model on disk)."""

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": "blank:en"}])

    def load(self) -> None:
        import spacy

        self.nlp = {"en": spacy.blank("en")}

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        """Tokens for Presidio's artifacts. spaCy's tokenizer takes quadratic time on one very
        long run without spaces ("ab:ab:ab:…"), so it sees such runs with a space every 100th
        character (same length, so offsets agree). The recognizers here read the original
        text, never the tokens."""
        return super().process_text(_LONG_RUN.sub(_break_run, text), language)


class _NoContext(ContextAwareEnhancer):
    """No context-word boosting: every pattern here stands on its own (and a blank pipeline
    has no lemmas to compare), so the deep copies Presidio's lemma enhancer makes are skipped."""

    def __init__(self) -> None:
        super().__init__(0.0, 0.0, 0, 0)

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        return raw_results


@functools.lru_cache(maxsize=1)
def _engines() -> tuple[AnalyzerEngine, AnonymizerEngine]:
    nlp = _BlankSpacyEngine()
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    by_entity: dict[str, list[Pattern]] = {}
    for entity, name, regex, score in _PATTERNS:
        by_entity.setdefault(entity, []).append(Pattern(f"{entity}_{name}", regex, score))
    for entity, patterns in by_entity.items():
        registry.add_recognizer(PatternRecognizer(supported_entity=entity, patterns=patterns))
    registry.add_recognizer(
        _NhsRecognizer(
            supported_entity="ID",
            name="nhs",
            patterns=[Pattern("nhs", r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b", 0.97)],
        )
    )
    registry.add_recognizer(_NumberRunRecognizer())
    registry.add_recognizer(_LabelledRecognizer())
    analyzer = AnalyzerEngine(
        nlp_engine=nlp,
        registry=registry,
        supported_languages=["en"],
        context_aware_enhancer=_NoContext(),
    )
    return analyzer, AnonymizerEngine()


def _deny_entity(term: str) -> str:
    if "@" in term:
        return "EMAIL"
    digits = sum(c.isdigit() for c in term)
    return "ID" if digits and digits * 2 >= len(term.replace(" ", "")) else "NAME"


def deny_terms(deny: Iterable[str]) -> list[str]:
    """Every deny-list term and each of its parts of two or more characters (split at spaces,
    commas and hyphens), longest first, without duplicates (case-insensitively)."""
    seen: dict[str, str] = {}
    for raw in deny:
        term = " ".join(str(raw).split())
        if not term:
            continue
        words = re.split(r"[\s,]+", term)
        for part in [term, *words, *(p for w in words if "-" in w for p in w.split("-"))]:
            part = part.strip(".,;:()\"'")
            if len(part) >= 2:
                seen.setdefault(part.casefold(), part)
    return sorted(seen.values(), key=lambda t: (-len(t), t))


@functools.lru_cache(maxsize=64)
def _deny_recognizers(deny: tuple[str, ...]) -> tuple[PatternRecognizer, ...]:
    """Cached per deny list: an export scrubs many notes of one patient in a row."""
    groups: dict[str, list[str]] = {}
    for term in deny_terms(deny):
        groups.setdefault(_deny_entity(term), []).append(term)
    return tuple(
        PatternRecognizer(supported_entity=entity, name=f"deny_{entity}", deny_list=terms)
        for entity, terms in groups.items()
    )


def scrub_text(text: str, deny: Sequence[str] = ()) -> str:
    """Return ``text`` with identifiers replaced by typed placeholders (see the module doc).

    ``deny`` holds the patient's own names, contacts and identifiers: each term, and each
    part of it, is removed wherever it appears as a whole word, in any letter case.
    """
    if not text:
        return text
    analyzer, anonymizer = _engines()
    results = analyzer.analyze(
        text, language="en", ad_hoc_recognizers=list(_deny_recognizers(tuple(deny))) or None
    )
    if not results:
        return text
    operators = {
        entity: OperatorConfig("replace", {"new_value": value})
        for entity, value in PLACEHOLDERS.items()
    }
    operators["DEFAULT"] = OperatorConfig("replace", {"new_value": "[REDACTED]"})
    return anonymizer.anonymize(
        text,
        results,  # type: ignore[arg-type]  # analyzer and anonymizer results are compatible
        operators=operators,
        conflict_resolution=ConflictResolutionStrategy.REMOVE_INTERSECTIONS,
    ).text
