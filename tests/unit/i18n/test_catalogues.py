"""The client's message catalogues and its templates.

- every registered catalogue (client/src/i18n/index.ts imports it) that has messages has every
  key of English and no other key, each message parses as ICU MessageFormat, uses the same
  placeholders as English, and its plurals use its language's CLDR categories;
- no user-facing text in a lit ``html`` template bypasses ``t()``: literal text nodes and literal
  ``aria-label``/``title``/``placeholder``/``alt`` values are refused unless allow-listed.

A catalogue file that is still empty (a stub waiting for its translator) only has to parse; once it
has any message it must be complete.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CLIENT = REPO / "client"
I18N = CLIENT / "src" / "i18n"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (CLIENT / "node_modules" / "vite").exists(),
    reason="needs node and the client's node_modules (npm install in client/)",
)


def registered_catalogues() -> list[str]:
    """The catalogue modules index.ts imports, English first.

    English is imported statically (`import en from './en'`); the others lazily
    (`load: () => import('./es')`), each its own chunk fetched when that language is chosen.
    """
    source = (I18N / "index.ts").read_text()
    names = re.findall(r"^import \w+ from '\./([\w-]+)';$", source, re.M)
    names += re.findall(r"\bimport\('\./([\w-]+)'\)", source)
    assert "en" in names
    return ["en", *sorted(name for name in names if name != "en")]


@cache
def parsed() -> dict:
    result = subprocess.run(
        ["node", str(Path(__file__).with_name("catalogues.mjs")), *registered_catalogues()],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(result.stdout)


def catalogue_problems(english: dict, locale: str, catalogue: dict) -> list[str]:
    """What is wrong with one catalogue against English (empty list: nothing)."""
    messages, categories = catalogue["messages"], set(catalogue["pluralCategories"])
    problems = [f"{locale}: {key}: {m['error']}" for key, m in messages.items() if "error" in m]
    if not messages and locale != "en":
        return problems  # a stub: English is used until the translation arrives
    problems += [f"{locale}: missing {key}" for key in english if key not in messages]
    problems += [f"{locale}: unknown key {key}" for key in messages if key not in english]
    for key, message in messages.items():
        if "error" in message or key not in english or "error" in english[key]:
            continue
        if message["arguments"] != english[key]["arguments"]:
            problems.append(
                f"{locale}: {key} uses {message['arguments']}, English {english[key]['arguments']}"
            )
        for branches in message["plurals"]:
            named = {b for b in branches if not b.startswith("=")}
            if "other" not in named or not named <= categories:
                wanted = sorted(categories)
                problems.append(f"{locale}: {key} plural {sorted(named)} not in {wanted}")
    return problems


def test_every_registered_locale_has_a_catalogue_file():
    source = (I18N / "index.ts").read_text()
    for name in registered_catalogues():
        assert (I18N / f"{name}.ts").is_file(), name
    for code in ("en", "es", "fr", "ar", "zh-Hans"):
        assert re.search(rf"^\s*'?{code}'?: {{ nativeName: ", source, re.M), code


def test_english_messages_all_parse_as_icu():
    english = parsed()["en"]["messages"]
    assert len(english) > 1000
    assert catalogue_problems(english, "en", parsed()["en"]) == []
    # The plurals are ICU now, not objects of forms.
    assert english["alertBadge.label"]["arguments"] == ["count"]
    assert english["alertBadge.label"]["plurals"] == [["one", "other"]]


@pytest.mark.parametrize("locale", [name for name in registered_catalogues() if name != "en"])
def test_each_catalogue_is_complete_and_matches_english(locale: str):
    english = parsed()["en"]["messages"]
    problems = catalogue_problems(english, locale, parsed()[locale])
    assert problems == [], "\n".join(problems[:50]) + f"\n({len(problems)} problems)"


def test_the_completeness_check_finds_what_is_wrong():
    english = {
        "a": {"arguments": ["name"], "plurals": []},
        "b": {"arguments": ["count"], "plurals": [["one", "other"]]},
    }
    bad = {
        "pluralCategories": ["one", "other"],
        "messages": {
            "a": {"arguments": ["nom"], "plurals": []},
            "c": {"arguments": [], "plurals": []},
            "d": {"error": "EXPECT_ARGUMENT_CLOSING_BRACE"},
        },
    }
    problems = catalogue_problems(english, "xx", bad)
    assert any("missing b" in p for p in problems)
    assert any("unknown key c" in p for p in problems)
    assert any("a uses ['nom']" in p for p in problems)
    assert any("EXPECT_ARGUMENT" in p for p in problems)
    zh = {"pluralCategories": ["other"], "messages": {"b": english["b"], "a": english["a"]}}
    assert any("plural ['one', 'other']" in p for p in catalogue_problems(english, "zh", zh))


# --- No text bypasses t() -------------------------------------------------------------------

ATTRIBUTES = re.compile(
    r"\b(aria-label|aria-description|aria-roledescription|aria-placeholder|title|placeholder|alt)"
    r'="([^"\x00]*)"'
)
WORDS = re.compile(r"[^\W\d_]{2}")
# Not translated on purpose: example values of technical fields and names of code systems.
ALLOWED = {
    "launch/patient patient/Observation.rs offline_access",
    "https://app.example.org/launch",
    "SNOMED CT",
    "ICD-10",
}


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match[0])


def templates(source: str):
    """(offset, text) of each html`` template, its ${…} expressions replaced by \\x00."""
    source = re.sub(r"/\*[\s\S]*?\*/", _blank, source)
    source = re.sub(r"(?m)^\s*//.*$", _blank, source)
    start = re.compile(r"(?<![\w.])html`")
    position = 0
    while match := start.search(source, position):
        k, depth, out = match.end(), 0, []
        while k < len(source):
            c = source[k]
            if depth == 0 and c == "`":
                break
            if depth == 0 and source.startswith("${", k):
                depth, k = 1, k + 2
                out.append("\x00")
                continue
            if depth:
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                elif c == "`":  # a template inside the expression: its own turn comes later
                    k = source.find("`", k + 1)
                k += 1
                continue
            out.append(c)
            k += 1
        yield match.start(), source, "".join(out)
        position = match.end()


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, text) of literal user-facing text in the templates of one TypeScript source."""
    found = []
    for offset, text, template in templates(source):
        line = text.count("\n", 0, offset) + 1
        for match in ATTRIBUTES.finditer(template):
            if WORDS.search(match[2]) and match[2] not in ALLOWED:
                found.append((line, match[0]))
        body = re.sub(r"<style[\s\S]*?</style>|<!--[\s\S]*?-->", "", template)
        body = re.sub(r"<[^>]*>", "\x01", body)
        for node in body.split("\x01"):
            for piece in node.split("\x00"):
                piece = re.sub(r"&#?\w+;", "", piece).strip()  # entities are symbols
                if WORDS.search(piece) and piece not in ALLOWED:
                    found.append((line, piece))
    return found


def test_no_template_text_bypasses_t():
    found = [
        f"{path.relative_to(REPO)}:{line}: {text!r}"
        for path in sorted((CLIENT / "src").rglob("*.ts"))
        if not path.name.endswith(".generated.ts")
        for line, text in untranslated(path.read_text())
    ]
    assert found == [], "\n".join(found)


def test_the_template_scan_finds_literal_text():
    source = """
    // html`<p>a comment</p>`
    const a = html`<p>${t('x.y')}</p><button aria-label="Close">&times;</button>`;
    const b = html`<span title=${t('z')}>Hello ${name}</span> 12 →`;
    const c = html`<li>${items.map((i) => html`<b>Bold</b>`)}</li>`;
    """
    assert [text for _, text in untranslated(source)] == [
        'aria-label="Close"',
        "Hello",
        "Bold",
    ]
