"""The glossary-only dictionary translator: the clinical terms of ``locales/glossary.tsv`` (the
glossary of docs/glossary.md and docs/glossary-ar-zh.md, one term per line in en, es, fr, ar,
zh) and a few everyday phrases, looked up longest first. Words it does not know are left as
written between ``⟨ ⟩`` so the reader sees what was not translated. It never guesses: a chat
line with no known term comes back all marked.

Placeholders ``⟦n⟧`` of the protection layer (kernel/translation.py) pass through untouched.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

LANGUAGES = ("en", "es", "fr", "ar", "zh")
HELD = r"⟦\s*\d+\s*⟧"
WORDS = re.compile(r"[^\W\d_][\w\u2019'-]*(?:[ \t]+[^\W\d_][\w\u2019'-]*)*")
ARABIC = re.compile(r"[\u0600-\u06FF]")
HAN = re.compile(r"[\u4E00-\u9FFF]")
UNKNOWN = "⟨{}⟩"


@cache
def terms() -> tuple[dict[str, list[str]], ...]:
    """Each glossary line as ``{language: [variants, preferred first]}``."""
    text = resources.files("careverse.kernel").joinpath("locales/glossary.tsv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        rows.append(
            {
                lang: [v.strip() for v in cell.split("|") if v.strip()]
                for lang, cell in zip(header, cells, strict=True)
            }
        )
    return tuple(rows)


@cache
def _table(source: str, target: str) -> tuple[dict[str, str], re.Pattern[str]]:
    found: dict[str, str] = {}
    for row in terms():
        if row.get(source) and row.get(target):
            for variant in row[source]:
                found.setdefault(variant.casefold(), row[target][0])
    alternatives = "|".join(re.escape(k) for k in sorted(found, key=len, reverse=True))
    if source == "zh":
        pattern = rf"({HELD})|({alternatives})"
    else:
        pattern = rf"({HELD})|(?<!\w)({alternatives})(?!\w)"
    return found, re.compile(pattern, re.IGNORECASE)


def _mark(chunk: str) -> str:
    return WORDS.sub(lambda m: UNKNOWN.format(m.group(0)), chunk)


class GlossaryTranslator:
    """Translates known terms and phrases between en, es, fr, ar and zh; marks the rest."""

    name = "glossary"

    def detect(self, text: str) -> str | None:
        """Arabic or Chinese by script; else the Latin language with most known terms."""
        if ARABIC.search(text):
            return "ar"
        if HAN.search(text):
            return "zh"
        hits = {
            lang: sum(len(m.group(2) or "") for m in _table(lang, "ar")[1].finditer(text))
            for lang in ("en", "es", "fr")
        }
        best = max(hits, key=lambda lang: hits[lang])
        return best if hits[best] else None

    def translate(self, text: str, source: str, target: str) -> str | None:
        if source not in LANGUAGES or target not in LANGUAGES or source == target:
            return None
        table, pattern = _table(source, target)
        out: list[str] = []
        at = 0
        for found in pattern.finditer(text):
            out.append(_mark(text[at : found.start()]))
            if found.group(1):
                out.append(found.group(1))
            else:
                word = found.group(2)
                term = table[word.casefold()]
                out.append(term[:1].upper() + term[1:] if word[:1].isupper() else term)
            at = found.end()
        out.append(_mark(text[at:]))
        return "".join(out)
