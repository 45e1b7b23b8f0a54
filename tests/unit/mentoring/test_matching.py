"""Mentor matching: hard rules (capacity, a shared language, the asked-for gender), the points
and reasons, and the order of ties."""

from __future__ import annotations

from dataclasses import replace

from careverse.mentoring.matching import Candidate, Need, best, score

NEED = Need(
    condition="breast cancer", stage="chemotherapy", languages=frozenset({"en", "es"}),
    age_band="35-44", gender_preference=None, availability=frozenset({"mon-am", "wed-pm"}),
)  # fmt: skip
SAME = Candidate(
    key="a", condition="breast cancer", stage="chemotherapy", languages=frozenset({"es"}),
    age_band="35-44", gender="woman", availability=frozenset({"mon-am", "wed-pm", "fri-am"}),
    capacity=2, load=0,
)  # fmt: skip


def codes(match) -> dict[str, int]:
    return {r.code: r.points for r in match.reasons}


def test_a_full_match_scores_every_reason_with_its_points():
    match = score(NEED, SAME)
    assert match is not None
    assert codes(match) == {"condition": 40, "stage": 20, "language": 15, "age_band": 10,
                            "availability": 10}  # fmt: skip
    assert match.score == 95
    assert next(r.detail for r in match.reasons if r.code == "language") == "es"


def test_partial_matches_show_only_what_matched():
    other = replace(SAME, condition="lymphoma", stage="remission", age_band="45-54",
                    availability=frozenset({"mon-am"}))  # fmt: skip
    match = score(NEED, other)
    assert match is not None
    assert codes(match) == {"language": 15, "age_band": 5, "availability": 5}
    assert next(r.detail for r in match.reasons if r.code == "availability") == "1/2"
    far = replace(other, age_band="65+", availability=frozenset())
    assert codes(score(NEED, far)) == {"language": 15}


def test_a_mentor_at_capacity_is_never_offered():
    assert score(NEED, replace(SAME, load=2)) is None
    assert score(NEED, replace(SAME, load=1)) is not None


def test_no_shared_language_excludes():
    assert score(NEED, replace(SAME, languages=frozenset({"fr"}))) is None


def test_gender_preference_is_a_hard_rule_and_a_reason():
    wants_man = replace(NEED, gender_preference="man")
    assert score(wants_man, SAME) is None
    match = score(wants_man, replace(SAME, gender="man"))
    assert match is not None and codes(match)["gender"] == 5


def test_best_orders_by_score_then_lighter_load_then_key():
    cands = [
        replace(SAME, key="c", load=1),
        replace(SAME, key="b", load=0),
        replace(SAME, key="a", load=1),
        replace(SAME, key="low", condition="other"),
        replace(SAME, key="full", load=2),
    ]
    assert [m.key for m in best(NEED, cands, 3)] == ["b", "a", "c"]
    assert [m.key for m in best(NEED, cands, 10)] == ["b", "a", "c", "low"]
