"""The server's catalogues (kernel/locales) and its small ICU formatter."""

from __future__ import annotations

import re

import pytest
from babel import Locale

from careverse.kernel import i18n
from careverse.kernel.i18n import MessageSyntaxError, arguments_of, format_message, translate


def plural_branches(message: str) -> list[set[str]]:
    """The branch selectors of each plural in a message (non-nested is enough here)."""
    found = []
    for match in re.finditer(r"\{\s*\w+\s*,\s*plural\s*,((?:[^{}]|\{[^{}]*\})*)\}", message):
        found.append(set(re.findall(r"([=\w]+)\s*\{", match[1])))
    return found


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_server_catalogue_is_complete_and_well_formed(locale: str):
    english, messages = i18n.catalogue("en"), i18n.catalogue(locale)
    assert set(messages) == set(english)
    categories = set(Locale.parse(locale.replace("-", "_")).plural_form.tags) | {"other"}
    for key, message in messages.items():
        assert arguments_of(message) == arguments_of(english[key]), (locale, key)
        for branches in plural_branches(message):
            named = {b for b in branches if not b.startswith("=")}
            assert "other" in named and named <= categories, (locale, key, named)


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ar", 0, "لا ردود جديدة"),
        ("ar", 1, "رد جديد واحد"),
        ("ar", 2, "ردّان جديدان"),
        ("ar", 5, "5 ردود جديدة"),
        ("ar", 11, "11 ردًا جديدًا"),
        ("ar", 100, "100 رد جديد"),
        ("fr", 1500, "1\u202f500 nouvelles réponses"),
        ("fr", 0, "0 nouvelle réponse"),
        ("en", 1, "1 new reply"),
        ("zh-CN", 3, "3 条新回复"),
        ("es-419", 2, "2 respuestas nuevas"),
    ],
)
def test_plurals_and_numbers_follow_the_language(language, count, expected):
    text = translate(language, "digest.replies", count=count)
    # CLDR versions differ on the French group separator (narrow or ordinary no-break space).
    assert text.replace("\u00a0", "\u202f") == expected


def test_the_language_is_negotiated_and_english_is_the_fallback():
    assert i18n.negotiate("ar-EG") == "ar"
    assert i18n.negotiate("zh") == "zh-Hans"
    assert i18n.negotiate("zh-TW") == "en"
    assert i18n.negotiate("FR_ca") == "fr"
    assert i18n.negotiate(None) == "en"
    assert i18n.negotiate("tlh") == "en"
    assert translate("tlh", "digest.subject") == "Your Careverse communities"


def test_select_exact_plural_and_malformed_messages():
    message = (
        "{who, select, self {You} other {{who}}} "
        "{n, plural, =0 {nothing} one {# thing} other {# things}}"
    )
    assert format_message(message, "en", {"who": "self", "n": 0}) == "You nothing"
    assert format_message(message, "en", {"who": "Ana", "n": 1}) == "Ana 1 thing"
    assert arguments_of(message) == {"who", "n"}
    for bad in ["{n, plural, one {x}}", "{n", "text }", "{n, date}", "{a b}"]:
        with pytest.raises(MessageSyntaxError):
            format_message(bad, "en", {"n": 1, "a b": 1})
