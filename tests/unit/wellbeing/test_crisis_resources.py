"""The crisis resources setting: JSON by language from the environment, and the language chosen."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from careverse.kernel.config import DEFAULT_CRISIS_RESOURCES, Settings
from careverse.wellbeing.service import crisis_resources


def test_the_default_is_english_with_a_placeholder_phone():
    language, resources = crisis_resources(Settings(), None)
    assert language == "en" and resources == DEFAULT_CRISIS_RESOURCES["en"]
    assert "not set for this site" in resources.phone


def test_resources_come_from_the_environment_as_json(monkeypatch):
    monkeypatch.setenv(
        "CAREVERSE_WELLBEING_CRISIS_RESOURCES",
        '{"de": {"text": "Hilfe ist da.", "phone": "0800 111 0 111"},'
        ' "en": {"text": "Help is here.", "phone": "116 123", "url": "https://example.org"}}',
    )
    settings = Settings()
    assert crisis_resources(settings, "de-AT,de;q=0.9,en;q=0.5")[1].phone == "0800 111 0 111"
    assert crisis_resources(settings, "fr")[0] == "en"
    assert crisis_resources(settings, "EN-gb")[1].url == "https://example.org"


def test_without_english_the_first_language_is_the_fallback():
    settings = Settings(wellbeing_crisis_resources={"nl": {"text": "Hulp.", "phone": "113"}})
    assert crisis_resources(settings, "en") == ("nl", settings.wellbeing_crisis_resources["nl"])


@pytest.mark.parametrize(
    "resources", [{}, {"en": {"text": "", "phone": "113"}}, {"en": {"text": "Help."}}]
)
def test_no_resources_or_empty_text_or_phone_is_refused(resources):
    with pytest.raises(ValidationError):
        Settings(wellbeing_crisis_resources=resources)
