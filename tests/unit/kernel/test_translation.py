"""Chat translation: the protection layer keeps medicine names, doses, units and numbers exactly
as written (property-tested), and the glossary-only translator translates known terms, marks
the rest, and refuses what it cannot do; Argos is off without installed models."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careverse.kernel.translation import (
    ProtectionLost,
    Translators,
    drug_names,
    language,
    protect,
    restore,
    translators,
)
from careverse.kernel.translation_argos import ArgosTranslator
from careverse.kernel.translation_glossary import GlossaryTranslator, terms

UNITS = ["mg", "mcg", "g", "ml", "mL", "mg/kg", "mg/kg/day", "IU", "units", "mmol/L", "%", "mmHg"]
number = st.one_of(
    st.integers(min_value=0, max_value=100_000).map(str),
    st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False).map(str),
)
dose = st.builds(lambda n, sep, u: f"{n}{sep}{u}", number, st.sampled_from(["", " "]),
                 st.sampled_from(UNITS))  # fmt: skip
words = st.sampled_from(
    ["take", "the", "dose", "twice a day", "with food", "pain", "tome", "la", "dosis", "por",
     "la mañana", "prenez", "posologie", "le soir", "hello", "medicine", "of", "and", ",", "."]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    before=st.lists(words, max_size=6),
    doses=st.lists(dose, min_size=1, max_size=3),
    after=st.lists(words, max_size=6),
    target=st.sampled_from(["en", "es", "fr", "ar", "zh"]),
)
def test_any_dose_survives_translation_exactly(before, doses, after, target):
    text = " ".join([*before, " then ".join(doses), *after])
    held, kept = protect(text)
    assert all(d in kept for d in doses)
    assert restore(held, kept) == text
    found = translators(None).translate(text, "en", target)
    if found is not None:
        for d in doses:
            assert d in found.text


@given(st.text(max_size=80))
def test_protect_then_restore_is_the_identity_on_text_without_brackets(text):
    text = text.replace("⟦", "").replace("⟧", "")
    assert restore(*protect(text)) == text


def test_medicine_names_and_figures_are_held():
    held, kept = protect("Paracetamol 500 mg, ibuprofen 0.5 mg/kg at 37.5°C, BP 120/80 mmHg")
    assert kept == ["Paracetamol", "500 mg", "ibuprofen", "0.5 mg/kg", "37.5°C", "120/80 mmHg"]
    assert "500" not in held and "aracetamol" not in held
    assert "paracetamol" in drug_names() and "warfarin" in drug_names()


def test_an_engine_that_loses_a_placeholder_is_not_trusted():
    held, kept = protect("take 5 mg")
    with pytest.raises(ProtectionLost):
        restore(held.replace("⟦0⟧", "5 g"), kept)
    with pytest.raises(ProtectionLost):
        restore(held + " ⟦0⟧", kept)


class Dropping:
    """A real, bad engine: it drops every number it is given (placeholders included)."""

    name = "dropping"

    def detect(self, text: str) -> str | None:
        return "en"

    def translate(self, text: str, source: str, target: str) -> str | None:
        return "".join(c for c in text if not c.isdigit())


def test_a_bad_engines_answer_falls_through_to_the_glossary():
    found = Translators([Dropping(), GlossaryTranslator()]).translate("dose 5 mg", None, "es")
    assert found is not None and found.engine == "glossary" and found.text == "dosis 5 mg"
    assert Translators([Dropping()]).translate("dose 5 mg", None, "es") is None


def test_the_glossary_translates_known_terms_and_marks_the_rest():
    out = translators(None).translate(
        "Take paracetamol 500 mg twice a day with food for the pain.", None, "es"
    )
    assert out is not None
    assert out.text == "⟨Take⟩ paracetamol 500 mg dos veces al día con comida ⟨for the⟩ dolor."
    assert (out.source, out.target, out.engine, out.machine) == ("en", "es", "glossary", True)
    assert out.original.startswith("Take paracetamol")
    zh = translators(None).translate("Tome 2.5 mg una vez al día", None, "zh-Hans")
    assert zh is not None and zh.text == "⟨Tome⟩ 2.5 mg 每天一次" and zh.source == "es"
    ar = translators(None).translate("مرحبًا", None, "fr")
    assert ar is not None and (ar.source, ar.text) == ("ar", "bonjour")


def test_the_glossary_refuses_what_it_cannot_do():
    engines = translators(None)
    assert engines.translate("nothing known here", None, "es") is None  # no language guessed
    assert engines.translate("hola", None, "es") is None  # already the reader's language
    assert engines.translate("hola", None, "de") is None  # no such engine language
    assert GlossaryTranslator().translate("hola", "es", "xx") is None


def test_every_glossary_line_has_all_five_languages():
    assert len(terms()) >= 50
    for row in terms():
        assert set(row) == {"en", "es", "fr", "ar", "zh"} and all(row.values()), row


def test_language_tags():
    assert [language(t) for t in ("es-MX", "zh-Hans", "AR", "de", None, "")] == [
        "es", "zh", "ar", None, None, None
    ]  # fmt: skip


def test_argos_is_off_without_installed_models(tmp_path):
    assert ArgosTranslator.installed(None) is None
    assert ArgosTranslator.installed(str(tmp_path)) is None  # an empty folder
    (tmp_path / "translate-en_es-1_9.argosmodel").write_bytes(b"not a model")
    # argostranslate is not installed here: the model file alone makes no engine.
    assert ArgosTranslator.installed(str(tmp_path)) is None
    assert [e.name for e in translators(str(tmp_path)).engines] == ["glossary"]
