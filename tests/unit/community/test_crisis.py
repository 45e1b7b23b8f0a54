"""The crisis screen: every explicit crisis post of the labelled set is flagged; negations,
quotations, idioms and recovered experiences are not; each rule family fires with its reason."""

from __future__ import annotations

import pytest

from careverse.community import crisis
from careverse.community.crisis import METHOD_WARNING_TAG, screen
from tests.unit.community.crisis_labelled import CRISIS, NON_CRISIS


def test_the_labelled_set_is_large_enough():
    assert len(CRISIS) >= 200 and len(NON_CRISIS) >= 200
    assert not set(CRISIS) & set(NON_CRISIS)


@pytest.mark.parametrize("post", CRISIS)
def test_every_explicit_crisis_post_is_flagged(post):
    result = screen(post)
    assert result.flagged, post
    assert result.reasons and result.categories


def test_non_crisis_posts_are_rarely_flagged():
    false_positives = [p for p in NON_CRISIS if screen(p).flagged]
    assert len(false_positives) / len(NON_CRISIS) <= 0.05, false_positives


def test_the_suicide_risk_lexicon_is_read_from_construct_tracker():
    entries = crisis.lexicon()
    assert "kill myself" in entries["Active suicidal ideation & suicidal planning"]
    assert "wish i was dead" in entries["Passive suicidal ideation"]
    assert "noose" in entries["Lethal means for suicide"]
    # Idiomatic entries are left out on purpose ("kill me now, another meeting").
    assert "kill me" not in entries["Other suicidal language"]
    reasons = screen("I keep thinking I would be better off dead, I want to die").reasons
    assert "lexicon:Passive suicidal ideation:i want to die" in reasons


@pytest.mark.parametrize(
    ("text", "reason", "category"),
    [
        ("I'm going to kill myself", "rule:suicide.intent", "suicide"),
        ("I want to end my life", "rule:suicide.end-life", "suicide"),
        ("i wanna die", "rule:suicide.want-die", "suicide"),
        ("I don't want to live anymore", "rule:suicide.not-live", "suicide"),
        ("I hope I never wake up", "rule:suicide.not-wake", "suicide"),
        ("I can't go on", "rule:suicide.cant-go-on", "suicide"),
        ("there's no reason to live", "rule:suicide.no-reason", "suicide"),
        ("they'd be better off without me", "rule:suicide.better-off", "suicide"),
        ("I wrote a suicide note", "rule:suicide.plan", "suicide"),
        ("I keep thinking about dying", "rule:suicide.thinking", "suicide"),
        ("feeling so suicidal", "rule:suicide.suicidal-now", "suicide"),
        ("I tried to kill myself yesterday", "rule:suicide.attempt", "suicide"),
        ("I cut myself again", "rule:self-harm.act", "self-harm"),
        ("I've been self harming", "rule:self-harm.urge", "self-harm"),
        ("I'm going to kill him", "rule:harm-others.intent", "harm-to-others"),
        ("I'm going to shoot up the school", "rule:harm-others.mass", "harm-to-others"),
    ],
)
def test_each_rule_fires_with_its_reason_and_category(text, reason, category):
    result = screen(text)
    assert result.flagged and reason in result.reasons and category in result.categories


@pytest.mark.parametrize(
    "text",
    [
        "I would never kill myself",  # negation
        "I don't want to die, I want to get better",
        'The song goes "I want to die" and it is beautiful',  # quotation
        "> I want to die\nQuoting the post above: please reach out to them",  # Markdown quote
        "I'm dying to see the film",  # idiom
        "This traffic is killing me",
        "Years ago I tried to kill myself. I'm in a good place now.",  # recovered
    ],
)
def test_context_that_is_not_a_crisis(text):
    assert not screen(text).flagged


def test_the_writers_own_thought_in_quotes_still_counts():
    assert screen("I keep thinking 'I want to die'").flagged


def test_a_negation_before_a_comma_does_not_cancel_the_sentence_after_it():
    assert screen("I'm not going to lie, I want to kill myself").flagged


def test_a_past_experience_without_recovery_is_flagged_for_a_human():
    assert screen("Years ago I tried to kill myself").flagged


def test_a_recovered_experience_is_tagged_lived_experience():
    result = screen("I used to cut myself, I'm 5 years clean now.")
    assert not result.flagged and result.lived_experience and "lived-experience" in result.tags


def test_method_details_are_marked_for_a_warning_chatsafe():
    with_method = screen("I have 40 paracetamol and I'm going to end my life")
    assert with_method.flagged and with_method.method_details
    assert METHOD_WARNING_TAG in with_method.tags
    without = screen("I want to end my life")
    assert without.flagged and not without.method_details and without.tags == []
    # A method word in an ordinary post is no warning.
    assert not screen("The bridge on the walking route is closed").method_details


def test_reasons_name_rules_never_the_posts_words():
    result = screen("My cat Biscuit knows. I'm going to kill myself on Friday at Hilltop Park")
    assert all(r.startswith(("rule:", "lexicon:")) for r in result.reasons)
    assert not any("biscuit" in r or "hilltop" in r for r in result.reasons)
