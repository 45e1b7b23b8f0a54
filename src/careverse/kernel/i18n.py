"""Text the server writes to people (e-mails, notices) in the recipient's language.

Catalogues are JSON files in ``kernel/locales/<locale>.json`` keyed like the client's
(``"email.resetRequested.subject"``), their values ICU MessageFormat as the client's are:
``{name}`` placeholders, ``{count, plural, one {# reply} other {# replies}}`` plurals (CLDR rules,
through Babel) and ``{kind, select, a {…} other {…}}``. A key a catalogue lacks falls back to
English. ``translate(language, key, **params)`` answers the text; ``negotiate`` picks the shipped
locale for an account's ``preferred_language`` (any BCP 47 tag, or None for English).
See docs/i18n.md.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

DEFAULT = "en"
#: The locales with a server catalogue (the client ships the same ones).
LOCALES = ("en", "es", "fr", "ar", "zh-Hans")
_DIR = Path(__file__).with_name("locales")
_TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def negotiate(tag: str | None) -> str:
    """The shipped locale for a language tag: exact, else by language, else English."""
    if not tag:
        return DEFAULT
    wanted = tag.strip().replace("_", "-").lower()
    for code in LOCALES:
        if code.lower() == wanted:
            return code
    if wanted.startswith(_TRADITIONAL):
        return DEFAULT  # Traditional Chinese is not Simplified
    base = wanted.split("-")[0]
    for code in LOCALES:
        if code.lower().split("-")[0] == base:
            return code
    return DEFAULT


@cache
def catalogue(locale: str) -> dict[str, str]:
    """One locale's messages (read once)."""
    return json.loads((_DIR / f"{locale}.json").read_text(encoding="utf-8"))


@cache
def _plural_rule(locale: str):
    try:
        return Locale.parse(locale.replace("-", "_")).plural_form
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT).plural_form


def translate(language: str | None, key: str, **params: str | int | float) -> str:
    """The message ``key`` in the best locale for ``language``, its placeholders filled."""
    locale = negotiate(language)
    message = catalogue(locale).get(key) or catalogue(DEFAULT)[key]
    return format_message(message, locale, params)


def list_of(language: str | None, items: list[str]) -> str:
    """``a, b and c`` the language's way (CLDR list patterns through Babel)."""
    from babel.lists import format_list

    locale = negotiate(language)
    # British English writes no comma before "and".
    cldr = "en_GB" if locale == DEFAULT else locale.replace("-", "_")
    return format_list(items, locale=cldr)


# ---- a small ICU MessageFormat: arguments, plural (with # and =N) and select ---------------------


class MessageSyntaxError(ValueError):
    """A message that is not ICU MessageFormat this module understands."""


def _number(value: float, locale: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale.replace("-", "_"))


def format_message(message: str, locale: str, params: dict) -> str:
    """Render ``message`` with ``params`` (raises MessageSyntaxError on a malformed message)."""
    text, end = _render(message, 0, locale, params, None)
    if end != len(message):
        raise MessageSyntaxError(f"unbalanced '}}' at {end}")
    return text


def arguments_of(message: str) -> set[str]:
    """The argument names a message uses (nested branches included)."""
    names: set[str] = set()
    _render(message, 0, DEFAULT, _Collect(names), None)
    return names


class _Collect(dict):
    """Params that answer 1 for any name and remember which were asked for (parse-only)."""

    def __init__(self, names: set[str]):
        super().__init__()
        self.names = names

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> int:
        self.names.add(key)
        return 1

    def branches(self) -> bool:
        return True


def _render(msg: str, i: int, locale: str, params: dict, pound: str | None) -> tuple[str, int]:
    """Render from ``i`` up to an unmatched ``}`` (or the end); answers (text, index of it)."""
    out: list[str] = []
    while i < len(msg):
        c = msg[i]
        if c == "}":
            return "".join(out), i
        if c == "#" and pound is not None:
            out.append(pound)
            i += 1
        elif c == "{":
            text, i = _argument(msg, i + 1, locale, params)
            out.append(text)
        else:
            out.append(c)
            i += 1
    return "".join(out), i


def _argument(msg: str, i: int, locale: str, params: dict) -> tuple[str, int]:
    close = _find(msg, i, "},")
    name = msg[i:close].strip()
    if not name.replace("_", "").isalnum():
        raise MessageSyntaxError(f"bad argument name {name!r}")
    if name not in params:
        raise MessageSyntaxError(f"no value for {name!r}")
    value = params[name]
    if msg[close] == "}":
        shown = _number(value, locale) if isinstance(value, int | float) else str(value)
        return shown, close + 1
    kind_end = _find(msg, close + 1, ",")
    kind = msg[close + 1 : kind_end].strip()
    if kind not in ("plural", "select"):
        raise MessageSyntaxError(f"unsupported argument type {kind!r}")
    branches: dict[str, str] = {}
    j = kind_end + 1
    collecting = isinstance(params, _Collect)
    while True:
        while j < len(msg) and msg[j].isspace():
            j += 1
        if j >= len(msg):
            raise MessageSyntaxError("unclosed argument")
        if msg[j] == "}":
            break
        brace = msg.index("{", j) if "{" in msg[j:] else -1
        if brace < 0:
            raise MessageSyntaxError("a branch without a message")
        selector = msg[j:brace].strip()
        pound = _number(value, locale) if kind == "plural" else None
        text, end = _render(msg, brace + 1, locale, params, pound)
        if end >= len(msg):
            raise MessageSyntaxError("unclosed branch")
        branches[selector] = text
        j = end + 1
    if "other" not in branches:
        raise MessageSyntaxError(f"{name}: no 'other' branch")
    if collecting:
        return "", j + 1
    if kind == "select":
        return branches.get(str(value), branches["other"]), j + 1
    exact = f"={value}"
    if exact in branches:
        return branches[exact], j + 1
    category = _plural_rule(locale)(abs(value))
    return branches.get(category, branches["other"]), j + 1


def _find(msg: str, i: int, stops: str) -> int:
    for j in range(i, len(msg)):
        if msg[j] in stops:
            return j
    raise MessageSyntaxError("unclosed argument")
