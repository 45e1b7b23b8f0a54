"""A stored care-plan rule read for its kind: every field its kind needs, or a clear refusal."""

from __future__ import annotations

import uuid

import pytest

from careverse.monitoring.alert_models import CarePlanRule
from careverse.monitoring.rule_kinds import (
    InconsistentRule,
    NoData,
    Sustained,
    Threshold,
    Trend,
    known_kind,
    rule_view,
)


def rule(kind: str, **fields) -> CarePlanRule:
    return CarePlanRule(id=uuid.uuid4(), patient_id=uuid.uuid4(), kind=kind, **fields)


def test_each_kind_reads_into_its_view() -> None:
    assert rule_view(rule("threshold", code="8867-4", op=">", value=120.0)) == Threshold(
        "8867-4", ">", 120.0
    )
    assert rule_view(
        rule("sustained", code="59408-5", op="<", value=92.0, minutes=15)
    ) == Sustained("59408-5", "<", 92.0, 15)
    assert rule_view(rule("trend", code="29463-7", change=2.0, days=3.0)) == Trend(
        "29463-7", 2.0, 3.0
    )
    assert rule_view(rule("no_data", hours=6.0)) == NoData(6.0, None)


@pytest.mark.parametrize(
    ("kind", "fields", "missing"),
    [
        ("threshold", {"code": "8867-4", "op": ">"}, "value"),
        ("sustained", {"code": "8867-4", "op": ">", "value": 100.0}, "minutes"),
        ("trend", {"code": "29463-7", "days": 3.0}, "change"),
        ("no_data", {"code": "8867-4"}, "hours"),
    ],
)
def test_a_rule_missing_a_field_of_its_kind_is_refused_by_name(kind, fields, missing) -> None:
    broken = rule(kind, **fields)
    with pytest.raises(InconsistentRule, match=f"has no {missing}"):
        rule_view(broken)


def test_an_unknown_kind_is_refused_without_repeating_it() -> None:
    odd = rule("made-up-kind", code="8867-4", value=1.0)
    assert not known_kind(odd)
    with pytest.raises(InconsistentRule) as refused:
        rule_view(odd)
    assert "made-up-kind" not in str(refused.value)
    assert known_kind(rule("threshold"))
