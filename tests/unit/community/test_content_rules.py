"""Watched words: each action, wildcards, whole-word matching and validation naming the field."""

from __future__ import annotations

import pytest

from careverse.community.content_rules import CENSOR_CHAR, ContentRule, RuleError, apply_rules


def test_block():
    out = apply_rules("buy cheap pills here", [ContentRule("cheap pills", "block")])
    assert out.blocked and out.reasons == ["watched-word:block:cheap pills"]


def test_censor_keeps_length_and_is_case_insensitive():
    out = apply_rules("What a Darn day", [ContentRule("darn", "censor")])
    assert out.text == f"What a {CENSOR_CHAR * 4} day" and not out.blocked


def test_require_approval():
    out = apply_rules("try this supplement", [ContentRule("supplement*", "require_approval")])
    assert out.requires_approval and not out.blocked


def test_flag():
    out = apply_rules("ivermectin cured me", [ContentRule("ivermectin", "flag")])
    assert out.flag and out.text == "ivermectin cured me"


def test_replace():
    rule = ContentRule("diabetics", "replace", "people with diabetes")
    out = apply_rules("the diabetics here", [rule])
    assert out.text == "the people with diabetes here"


def test_tag():
    out = apply_rules("my HbA1c is 48", [ContentRule("hba1c", "tag", "blood-sugar")])
    assert out.tags == ["blood-sugar"] and out.text == "my HbA1c is 48"


def test_link():
    url = "https://www.nhs.uk/conditions/type-2-diabetes/"
    out = apply_rules("new to type 2 diabetes", [ContentRule("type 2 diabetes", "link", url)])
    assert out.text == f"new to [type 2 diabetes]({url})"


def test_wildcards_and_whole_words():
    rule = ContentRule("spam*", "flag")
    assert apply_rules("spammer alert", [rule]).flag
    assert not apply_rules("antispam filter", [rule]).flag  # whole words only


def test_no_rule_no_change():
    out = apply_rules("hello", [ContentRule("other", "block")])
    assert out.text == "hello" and not out.reasons


@pytest.mark.parametrize(
    ("word", "action", "replacement", "field"),
    [
        ("x", "explode", "", "action"),
        ("", "block", "", "word"),
        ("***", "block", "", "word"),
        ("a" * 150, "block", "", "word"),
        ("word", "replace", " ", "replacement"),
        ("word", "tag", "Not A Tag", "replacement"),
        ("word", "link", "javascript:alert(1)", "replacement"),
        ("word", "link", "http://insecure.example", "replacement"),
    ],
)
def test_bad_rules_name_the_field(word, action, replacement, field):
    with pytest.raises(RuleError) as caught:
        ContentRule(word, action, replacement)
    assert caught.value.field == field
