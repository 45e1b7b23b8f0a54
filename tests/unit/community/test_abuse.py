"""Abuse score: alt-profanity-check's model, evaluated directly, and the bands by trust level."""

from __future__ import annotations

import pytest
from profanity_check import predict_prob

from careverse.community import abuse


def test_the_library_is_installed_and_used_offline():
    assert abuse.engine() == "alt-profanity-check"


def test_the_direct_evaluation_equals_the_librarys_own_predictions():
    texts = [
        "you are a fucking moron", "thank you all so much", "shit happens", "",
        "What a lovely walking group", "idiot", "I hate you, you stupid cow",
    ]  # fmt: skip
    model = abuse._model()
    assert model is not None
    ours = model(texts)
    theirs = [float(p) for p in predict_prob(texts)]
    assert ours == pytest.approx(theirs, abs=1e-9)
    assert abuse.score("you are a fucking moron") > 0.99


def test_people_speaking_of_their_own_pain_are_not_scored_abusive():
    assert abuse.score("I would never kill myself") < 0.6
    assert abuse.score("I hate my life and I want to die") < 0.6


def test_telling_someone_to_harm_themselves_is_abuse():
    assert abuse.score("go kill yourself") == 1.0
    assert abuse.score("kys") == 1.0


@pytest.mark.parametrize(
    ("score", "level", "band"),
    [
        (0.9, 0, "hold"), (0.7, 0, "flag"), (0.5, 0, "ok"),
        (0.9, 1, "hold"), (0.8, 1, "flag"), (0.65, 1, "ok"),
        (0.9, 2, "flag"), (0.96, 2, "hold"), (0.75, 2, "ok"),
        (0.9, 4, "flag"), (0.79, 4, "ok"),  # levels above the last use the last band
    ],
)  # fmt: skip
def test_bands_by_trust_level(score, level, band):
    assert abuse.band(score, level) == band
