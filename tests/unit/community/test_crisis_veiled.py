"""Veiled crisis language and sentence windows (``careverse.community.crisis_veiled``).

The rules were written on the DEVELOPMENT set ``tests/data/crisis_dev_veiled.jsonl`` (veiled
crisis posts, a few explicit ones, hard non-crisis posts: idioms, negations, quotations, lyrics,
recovered experiences, carers, medication talk, everyday plans). Veiled posts are not all
expected to flag (the figures are measured and floored, see docs/moderation.md); every
EXPLICIT post of both the development and the held-out set must flag. Print the figures with

    PYTHONPATH=src python -m tests.unit.community.test_crisis_veiled
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careverse.community.crisis import screen
from tests.unit.community.test_crisis_heldout import POSTS as HELDOUT

DEV = Path(__file__).resolve().parents[2] / "data" / "crisis_dev_veiled.jsonl"


def load() -> list[dict]:
    with DEV.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


ROWS = load()
EXPLICIT_BOTH = [r["text"] for r in ROWS if r["label"] == "explicit"] + [
    p.text for p in HELDOUT if p.label == "explicit"
]


def figures(rows: list[dict]) -> dict:
    flagged = [screen(r["text"]).flagged for r in rows]
    crisis = [r["label"] != "none" for r in rows]
    tp = sum(f and c for f, c in zip(flagged, crisis, strict=True))
    fp = sum(f and not c for f, c in zip(flagged, crisis, strict=True))
    veiled = [f for r, f in zip(rows, flagged, strict=True) if r["label"] == "veiled"]
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / sum(crisis),
        "veiled_recall": sum(veiled) / len(veiled),
        "false_positives": [
            r["text"] for r, f in zip(rows, flagged, strict=True) if f and r["label"] == "none"
        ],
        "veiled_missed": [
            r["text"]
            for r, f in zip(rows, flagged, strict=True)
            if not f and r["label"] == "veiled"
        ],
    }


def test_the_dev_set_is_large_well_formed_and_apart_from_the_other_sets():
    from tests.unit.community.crisis_labelled import CRISIS, NON_CRISIS

    labels = [r["label"] for r in ROWS]
    assert labels.count("veiled") >= 80 and labels.count("none") >= 80
    assert set(labels) == {"veiled", "explicit", "none"}
    assert all(r["category"] and r["text"].strip() for r in ROWS)
    texts = [r["text"].strip().lower() for r in ROWS]
    assert len(set(texts)) == len(texts)
    others = {t.strip().lower() for t in (*CRISIS, *NON_CRISIS, *(p.text for p in HELDOUT))}
    assert not [t for t in texts if t in others]


@pytest.mark.parametrize("post", EXPLICIT_BOTH)
def test_every_explicit_crisis_post_of_both_sets_is_flagged(post):
    result = screen(post)
    assert result.flagged, post
    assert result.reasons and result.categories


def test_dev_precision_and_veiled_recall_stay_above_their_floors():
    # Floors a little under the measured figures (docs/moderation.md); on the set the rules
    # were written on, so they guard against regressions, they do not show generalisation.
    result = figures(ROWS)
    assert result["precision"] >= 0.97, result["false_positives"]
    assert result["veiled_recall"] >= 0.85, result["veiled_missed"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Everyone would be better off without me.", "rule:suicide.better-off"),
        ("I won't be a burden much longer.", "veiled:burden"),
        ("I've been giving my things away.", "veiled:giving-away"),
        ("I've been saying my goodbyes.", "veiled:goodbye"),
        ("I just want to sleep and not wake up.", "rule:suicide.not-wake"),
        ("I want to go to sleep and never have to face anything again.", "veiled:sleep"),
        ("There's no point going on.", "rule:suicide.no-reason"),
        ("I'm not going to be around much longer.", "veiled:no-point"),
        ("I keep a blade hidden under my mattress, the blade helps.", "veiled:self-harm"),
        # Windows: two halves in neighbouring sentences.
        ("I have the pills. Tonight is the night.", "window:means-time"),
        ("Bought the rope. Tomorrow.", "window:means-time"),
        ("I have a plan for Friday. After that nothing will matter.", "window:plan-final"),
        ("I think about death all day. I'm going to do it myself.", "window:death-plan"),
        ("I'm such a burden to my son. Not for much longer though.", "window:burden-final"),
    ],
)
def test_veiled_signs_and_windows_flag_with_their_reason(text, reason):
    result = screen(text)
    assert result.flagged, text
    assert reason in result.reasons, result.reasons
    assert "suicide" in result.categories or "self-harm" in result.categories


@pytest.mark.parametrize(
    "text",
    [
        # the same words in everyday use
        "I have a plan for Friday: pizza and a film.",
        "Tonight is the night: first dinner out since my surgery.",
        "Saying my goodbyes to this old wheelchair, the new one comes Monday.",
        "I'm giving my things away before the move, anyone want a lamp?",
        "I just want to sleep in on Sunday and not wake up until noon.",
        "There's no point going on to the chemist now, it's shut.",
        "Everyone would be better off without me singing in the car.",
        "I've got my new tablets. I'll start them tomorrow.",
        "I have to take all my tablets with food.",
        "This is my last post for a while, exams are coming.",
        # other people's words, negation, the writer's own past
        "She said 'everyone would be better off without me' and I didn't know what to answer.",
        "That line 'I don't want to wake up' from the song is stuck in my head.",
        "I'm not a burden and I'm not going anywhere, I'm just tired.",
        "I used to hurt myself. I'm five years self-harm free now.",
        # a window needs both halves near each other, neither negated
        "I have the pills. I am not going to do anything tonight.",
    ],
)
def test_everyday_quoted_negated_and_past_language_does_not_flag(text):
    assert not screen(text).flagged, screen(text)


def test_a_window_does_not_reach_past_the_next_sentence():
    near = "I have the pills. Tonight is the night."
    far = "I have the pills. The weather was lovely. We had soup. Tonight is the night."
    assert "window:means-time" in screen(near).reasons
    assert "window:means-time" not in screen(far).reasons


def test_a_recovered_past_veiled_sign_is_lived_experience_not_a_flag():
    text = "Years ago I gave all my things away and said my goodbyes. I'm doing well now."
    result = screen(text)
    assert not result.flagged and result.lived_experience


def main() -> None:
    result = figures(ROWS)
    print(f"dev: precision {result['precision']:.3f} recall {result['recall']:.3f} "
          f"veiled recall {result['veiled_recall']:.3f}")  # fmt: skip
    for text in result["veiled_missed"]:
        print(f"MISSED veiled: {text!r}")
    for text in result["false_positives"]:
        print(f"FALSE POSITIVE: {text!r}")


if __name__ == "__main__":
    main()
