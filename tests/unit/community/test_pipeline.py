"""The pipeline's verdict: publish, hold or block, with reasons, tags and the crisis screening."""

from __future__ import annotations

from careverse.community.content_rules import ContentRule
from careverse.community.crisis import Screening
from careverse.community.pipeline import Verdict, review


def _review(text: str, kind: str = "caregiver", level: int = 1, rules=()) -> Verdict:
    return review(text, community_kind=kind, trust_level=level, rules=rules)


def test_an_ordinary_post_is_published_as_written():
    text = "Batch cooking on Sundays saves my sanity"
    verdict = _review(text)
    assert verdict.action == "publish" and verdict.text == text
    assert verdict.reasons == [] and verdict.crisis is None and not verdict.requires_approval


def test_a_crisis_post_is_held_with_its_screening():
    verdict = _review("I'm going to kill myself tonight")
    assert verdict.action == "hold"
    assert isinstance(verdict.crisis, Screening) and verdict.crisis.flagged
    assert "crisis:rule:suicide.intent" in verdict.reasons


def test_a_crisis_post_is_never_blocked_even_with_a_blocked_word():
    rules = [ContentRule("tonight", "block")]
    verdict = _review("I'm going to kill myself tonight", rules=rules)
    assert verdict.action == "hold" and "watched-word:block:tonight" in verdict.reasons


def test_block_beats_publish():
    verdict = _review("cheap pills here", rules=[ContentRule("cheap pills", "block")])
    assert verdict.action == "block"


def test_require_approval_holds():
    verdict = _review("try my supplement", rules=[ContentRule("supplement", "require_approval")])
    assert verdict.action == "hold" and verdict.requires_approval


def test_censor_replace_link_and_tag_change_text_and_tags():
    rules = [
        ContentRule("darn", "censor"),
        ContentRule("diabetics", "replace", "people with diabetes"),
        ContentRule("hba1c", "tag", "blood-sugar"),
        ContentRule("pacing", "link", "https://example.org/pacing"),
    ]
    verdict = _review("darn, diabetics know pacing and HbA1c", rules=rules)
    assert verdict.action == "publish"
    assert verdict.text.startswith("\u25a0\u25a0\u25a0\u25a0, people with diabetes know [pacing]")
    assert verdict.tags == ["blood-sugar"]


def test_a_flag_rule_publishes_with_a_system_flag():
    verdict = _review("ivermectin works", rules=[ContentRule("ivermectin", "flag")])
    assert verdict.action == "publish" and verdict.flag


def test_patient_details_hold_only_in_a_professional_community():
    text = "Mr Smith, DOB 12/03/1950, asked about his statin"
    held = _review(text, kind="professional", level=2)
    assert held.action == "hold"
    assert held.reasons == ["patient-details:name", "patient-details:date-of-birth"]
    assert _review(text, kind="caregiver").action == "publish"


def test_abuse_holds_a_new_member_and_flags_at_a_lower_score():
    abusive = _review("you are a fucking moron", level=0)
    assert abusive.action == "hold" and "abuse:score-high" in abusive.reasons
    assert abusive.abuse_score > 0.9


def test_many_links_from_a_new_member_are_held_as_spam():
    text = " ".join(f"https://spam.example/{i}" for i in range(4))
    assert _review(text, level=0).action == "hold"
    assert _review(text, level=2).action == "publish"


def test_method_details_add_the_warning_tag():
    verdict = _review("I have 40 paracetamol and I'm going to end my life")
    assert verdict.action == "hold" and "cw-method" in verdict.tags


def test_a_recovered_story_is_published_with_the_lived_experience_tag():
    verdict = _review("I used to cut myself, I'm 5 years clean now.")
    assert verdict.action == "publish" and verdict.tags == ["lived-experience"]
