"""What mutation testing found the crisis screen's tests did not pin (docs/testing.md, "Mutation
testing"): every line of a post is screened, not only the last or those before a quote; typographic
apostrophes and quotation marks read like straight ones; a window's second half may come first."""

from __future__ import annotations

import pytest

from careverse.community.crisis import screen


@pytest.mark.parametrize(
    "text",
    [
        "I want to die\nAnyway, how was your day?",  # not only the last line
        "> Welcome to the group!\nThanks. I want to die",  # a line after a quote
        "> hi\n> how are you\nI can't go on\nSorry for the long post.",
    ],
)
def test_every_line_of_the_writers_own_words_is_screened(text):
    assert screen(text).flagged


def test_an_indented_markdown_quote_is_still_someone_elses_words():
    assert not screen("  > I want to die\nThat line from your post stayed with me.").flagged


def test_typographic_apostrophes_read_like_straight_ones():
    # Phones type U+2019 (and sometimes U+2018) for the apostrophe in "can't".
    assert screen("I can\u2019t go on").reasons == ["rule:suicide.cant-go-on"]
    assert screen("I can\u2018t go on").reasons == ["rule:suicide.cant-go-on"]


@pytest.mark.parametrize(
    "text",
    [
        "She said \u2018I want to die\u2019 on the show.",  # typographic single quotes
        "The film was called \u201cI want to die\u201d and it was bleak.",  # double
    ],
)
def test_typographic_quotation_marks_quote_like_straight_ones(text):
    assert not screen(text).flagged


def test_a_windows_halves_may_come_in_either_order_but_only_next_to_each_other():
    assert screen("Tomorrow. Bought the rope.").reasons == ["window:means-time"]
    assert "window:means-time" not in screen("Tomorrow. We had soup. Bought the rope.").reasons


def test_a_present_window_is_flagged_even_when_the_post_also_sounds_recovered():
    result = screen("Bought the rope. Tomorrow. People keep telling me I'm doing well now.")
    assert result.flagged and result.reasons == ["window:means-time"]


def test_a_recovered_past_does_not_hide_what_comes_after_it():
    text = "Ten years ago I tried to kill myself. Today I want to die. People say it gets better."
    result = screen(text)
    assert result.flagged
    assert result.reasons == [
        "rule:suicide.want-die",
        "lexicon:Passive suicidal ideation:i want to die",
    ]


def test_an_unrecovered_past_is_flagged_with_its_reasons_and_category_once_each():
    result = screen("Years ago I tried to kill myself.")
    assert result.flagged and result.categories == ["suicide"]
    assert result.reasons == [
        "rule:suicide.intent",
        "rule:suicide.attempt",
        "lexicon:Active suicidal ideation & suicidal planning:kill myself",
    ]
    again = screen("Years ago I wanted to die. I want to die.")
    assert again.reasons == [
        "rule:suicide.want-die",
        "lexicon:Passive suicidal ideation:i want to die",
    ]
    assert again.categories == ["suicide"]


def test_a_post_that_only_sounds_well_is_not_lived_experience():
    result = screen("I'm in a good place now and the weather is lovely.")
    assert (result.flagged, result.lived_experience, result.tags) == (False, False, [])
