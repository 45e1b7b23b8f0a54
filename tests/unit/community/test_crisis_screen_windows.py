"""What mutation testing found the crisis screen's tests did not pin (docs/testing.md, "Mutation
testing"): a window whose second half is told in the past belongs to the past (and, with a
recovery, is lived experience, not a flag), wherever in the post the pair stands; method details
named only by the lexicon's "Lethal means for suicide" still put the post behind a warning."""

from __future__ import annotations

import pytest

from careverse.community.crisis import METHOD_WARNING_TAG, screen
from careverse.kernel.crisis_screen import _METHOD, lexicon

PAIR_TOLD_IN_THE_PAST = (
    "I bought a rope. "
    "Tomorrow is the day, I told myself ten years ago, and I'm in a good place now."
)


@pytest.mark.parametrize(
    "text",
    [
        PAIR_TOLD_IN_THE_PAST,  # the pair is the post's first two sentences
        "Hello everyone. " + PAIR_TOLD_IN_THE_PAST,  # and after an ordinary sentence
    ],
)
def test_a_window_whose_second_half_is_in_the_recovered_past_is_lived_experience(text):
    result = screen(text)
    assert (result.flagged, result.reasons, result.lived_experience) == (False, [], True)
    assert result.tags == [METHOD_WARNING_TAG, "lived-experience"]


def test_the_same_window_in_the_present_is_flagged():
    # The control: without "ten years ago" the same two sentences flag.
    result = screen("Hello all. I bought a rope. Tomorrow is the day, I'm in a good place now.")
    assert result.flagged and result.reasons == ["window:means-time"]
    assert not result.lived_experience


def test_a_window_told_in_the_past_without_recovery_still_reaches_a_human():
    result = screen("Hello all. I bought a rope. Tomorrow is the day, I told myself years ago.")
    assert result.flagged and result.reasons == ["window:means-time"]
    assert not result.lived_experience


def test_method_details_named_only_by_the_lexicon_put_a_flagged_post_behind_a_warning():
    means = lexicon().get("Lethal means for suicide", [])
    assert "gun" in means and not _METHOD.search("gun")  # only the lexicon knows this one
    result = screen("I want to die. There is a gun in the house.")
    assert result.flagged and result.method_details
    assert METHOD_WARNING_TAG in result.tags
    # without a flag (or lived experience) the same words are not method details
    assert not screen("There is a gun in the museum.").method_details
