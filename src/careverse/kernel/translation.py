"""Machine translation of what people write to each other (chat, messages): the ``Translator``
interface, the clinical protection layer every engine goes through, and the choice of engine.

Engines: :class:`~careverse.kernel.translation_glossary.GlossaryTranslator` (shipped: the
clinical glossary's terms and a few everyday phrases, nothing else) and
:class:`~careverse.kernel.translation_argos.ArgosTranslator` (Argos Translate, only when an
operator has installed model files under ``CAREVERSE_TRANSLATION_MODELS_DIR``). See docs/i18n.md.

Protection: medicine names (``locales/drugs.txt``), numbers, doses and units are swapped for
placeholders before an engine sees the text and put back after, so "2.5 mg" or "0.5 mg/kg" is
never changed by translation. An engine that loses or invents a placeholder is not trusted: its
answer is dropped and the next engine is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from careverse.kernel.translation_argos import ArgosTranslator
from careverse.kernel.translation_glossary import GlossaryTranslator

LANGUAGES = ("en", "es", "fr", "ar", "zh")
UNITS = (
    "mcg|µg|μg|mg|g|kg|ng|ml|mL|l|L|dl|dL|IU|iu|units?|mmol|mol|mEq|%|°C|°F|bpm|mmHg|puffs?|"
    "drops?|tablets?|tabs?|caps?|h|hrs?|hours?|min|mins|minutes?|days?|weeks?|d|m2|m²|cm|mm"
)
_NUMBER = r"\d+(?:[.,]\d+)*"
_PER = rf"\s?/\s?(?:{UNITS}|{_NUMBER}\s?(?:{UNITS})?)"
DOSE = re.compile(rf"(?<![\w.,]){_NUMBER}(?:/{_NUMBER})?(?:\s?(?:{UNITS})(?:{_PER})*)?(?!\w)")
PLACEHOLDER = re.compile(r"⟦\s*(\d+)\s*⟧")


class ProtectionLost(Exception):
    """An engine dropped, duplicated or invented a placeholder: its output is not used."""


@dataclass(frozen=True)
class Translation:
    text: str
    original: str
    machine: bool = True
    engine: str = ""
    source: str = ""
    target: str = ""


class Translator(Protocol):
    """One engine. ``translate`` answers None when it cannot handle the pair of languages."""

    name: str

    def translate(self, text: str, source: str, target: str) -> str | None: ...

    def detect(self, text: str) -> str | None: ...


def language(tag: str | None) -> str | None:
    """The engine language of a BCP 47 tag (``es-MX`` → ``es``, ``zh-Hans`` → ``zh``)."""
    if not tag:
        return None
    base = tag.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


@cache
def drug_names() -> tuple[str, ...]:
    text = resources.files("careverse.kernel").joinpath("locales/drugs.txt").read_text("utf-8")
    names = (line.strip() for line in text.splitlines())
    return tuple(sorted((n for n in names if n and not n.startswith("#")), key=len, reverse=True))


@cache
def _held_pattern() -> re.Pattern[str]:
    """A medicine name, or a number with its units (one pass, so nothing is held twice)."""
    drugs = "|".join(re.escape(n) for n in drug_names())
    return re.compile(rf"(?<!\w)(?:{drugs})(?!\w)|{DOSE.pattern}", re.IGNORECASE)


def protect(text: str) -> tuple[str, list[str]]:
    """The text with each medicine name, dose, unit and number replaced by ``⟦n⟧``."""
    kept: list[str] = []

    def hold(found: re.Match[str]) -> str:
        kept.append(found.group(0))
        return f"⟦{len(kept) - 1}⟧"

    text = PLACEHOLDER.sub(lambda m: m.group(0).replace("⟦", "[").replace("⟧", "]"), text)
    return _held_pattern().sub(hold, text), kept


def restore(text: str, kept: list[str]) -> str:
    """Put the held pieces back, each exactly once (else :class:`ProtectionLost`)."""
    seen = [int(n) for n in PLACEHOLDER.findall(text)]
    if sorted(seen) != list(range(len(kept))):
        raise ProtectionLost
    return PLACEHOLDER.sub(lambda m: kept[int(m.group(1))], text)


class Translators:
    """The engines in order of preference (Argos when installed, then the glossary)."""

    def __init__(self, engines: list[Translator]):
        self.engines = engines

    def detect(self, text: str) -> str | None:
        return next((found for e in self.engines if (found := e.detect(text))), None)

    def translate(self, text: str, source: str | None, target: str) -> Translation | None:
        """``text`` in ``target`` through the first engine that handles the pair; None when
        none does, or when the text is already in ``target``."""
        to = language(target)
        if to is None:
            return None
        held, kept = protect(text)
        source_lang = language(source) or self.detect(held)
        if source_lang is None or source_lang == to:
            return None
        for engine in self.engines:
            out = engine.translate(held, source_lang, to)
            if out is None:
                continue
            try:
                result = restore(out, kept)
            except ProtectionLost:
                continue
            return Translation(result, text, True, engine.name, source_lang, to)
        return None


def translators(models_dir: str | None) -> Translators:
    """The engines this node has: Argos when models are installed, and the glossary."""
    engines: list[Translator] = []
    argos = ArgosTranslator.installed(models_dir)
    if argos is not None:
        engines.append(argos)
    engines.append(GlossaryTranslator())
    return Translators(engines)
