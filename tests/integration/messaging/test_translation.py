"""POST /api/translate: a chat line in the reader's preferred language, with the original, the
machine-translation mark and the dose untouched; null when no engine applies; 422 for bad
input; signed-in people only."""

from __future__ import annotations

from tests.integration.messaging.conftest import cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "person"]

LINE = "Take paracetamol 2.5 mg/kg twice a day with food"


async def test_a_spanish_reader_sees_an_english_line_translated_with_its_dose_intact(
    client, person
):
    reader = await person("patient")
    set_language = await client.patch(
        "/api/me", json={"preferred_language": "es-MX"}, headers=reader.headers
    )
    assert set_language.status_code == 200, set_language.text
    answer = await client.post("/api/translate", json={"text": LINE}, headers=reader.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["target"] == "es-MX"
    assert body["translation"] == {
        "text": "⟨Take⟩ paracetamol 2.5 mg/kg dos veces al día con comida",
        "original": LINE,
        "machine": True,
        "engine": "glossary",
        "source": "en",
        "target": "es",
    }
    # An explicit target and source win over the account's language and the guess.
    french = await client.post(
        "/api/translate",
        json={"text": "dolor", "source": "es", "target": "fr"},
        headers=reader.headers,
    )
    assert french.json()["translation"]["text"] == "douleur"


async def test_no_translation_when_no_engine_applies(client, person):
    reader = await person("clinician")  # no preferred language: nothing to translate into
    none = await client.post("/api/translate", json={"text": LINE}, headers=reader.headers)
    assert none.status_code == 200 and none.json() == {"target": None, "translation": None}
    same = await client.post(
        "/api/translate", json={"text": LINE, "target": "en"}, headers=reader.headers
    )
    assert same.json()["translation"] is None  # already the reader's language
    unknown = await client.post(
        "/api/translate", json={"text": LINE, "target": "de"}, headers=reader.headers
    )
    assert unknown.json() == {"target": "de", "translation": None}


async def test_bad_input_is_422_and_strangers_are_401(client, person):
    reader = await person("caregiver")
    for bad in ({"text": ""}, {"text": "x" * 4001}, {}, {"text": "hi", "target": "x" * 36}):
        answer = await client.post("/api/translate", json=bad, headers=reader.headers)
        assert answer.status_code == 422, bad
        assert "x" * 100 not in answer.text  # the input is not echoed back
    assert (await client.post("/api/translate", json={"text": "hola"})).status_code == 401
