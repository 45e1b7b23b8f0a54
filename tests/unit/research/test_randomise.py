"""Permuted blocks and Pocock-Simon minimisation (careverse.research.randomise)."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careverse.research.randomise import (
    allocation_blocks,
    arm_ratios,
    imbalance,
    minimise,
    minimise_next,
    next_block_allocation,
    permuted_blocks,
    strata_keys,
)


def _assert_blocks_balanced(blocks: list[list[str]], arms: list) -> None:
    parsed = arm_ratios(arms)
    total = sum(r for _, r in parsed)
    running: Counter[str] = Counter()
    for block in blocks:
        running.update(block)
        unit = sum(running.values()) // total
        assert sum(running.values()) % total == 0
        assert running == Counter({name: ratio * unit for name, ratio in parsed})


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 300),
    seed=st.integers(0, 2**32),
    arms=st.sampled_from([["A", "B"], [("drug", 2), ("placebo", 1)], ["x", "y", "z"]]),
    multiples=st.lists(st.integers(1, 4), min_size=1, max_size=3),
)
def test_blocks_are_balanced_at_every_block_end(
    n: int, seed: int, arms: list, multiples: list[int]
) -> None:
    total = sum(r for _, r in arm_ratios(arms))
    sizes = [m * total for m in multiples]
    blocks = allocation_blocks(n, arms, sizes, seed)
    assert all(len(b) in sizes for b in blocks)
    _assert_blocks_balanced(blocks, arms)
    flat = permuted_blocks(n, arms, sizes, seed)
    assert flat == [a for b in blocks for a in b][:n]
    assert len(flat) == n


def test_a_2_to_1_ratio_is_respected() -> None:
    arms = [("drug", 2), ("placebo", 1)]
    seq = permuted_blocks(300, arms, [3, 6, 9], seed=11)
    assert isinstance(seq, list)
    blocks = allocation_blocks(300, arms, [3, 6, 9], seed=11)
    counts = Counter(seq)
    assert abs(counts["drug"] - 2 * counts["placebo"]) <= 9  # at most one partial block
    _assert_blocks_balanced(blocks, arms)
    assert {len(b) for b in blocks} == {3, 6, 9}  # sizes really vary


def test_strata_each_have_their_own_balanced_sequence() -> None:
    strata = {"site": ["Leeds", "York"], "sex": ["F", "M"]}
    keys = strata_keys(strata)
    assert keys == ["site=Leeds|sex=F", "site=Leeds|sex=M", "site=York|sex=F", "site=York|sex=M"]
    table = permuted_blocks(40, ["A", "B"], [2, 4, 6], seed="trial-7", strata=strata)
    assert isinstance(table, dict) and list(table) == keys
    assert all(len(seq) == 40 for seq in table.values())
    assert len({tuple(seq) for seq in table.values()}) == 4  # independent sequences
    for key in keys:
        _assert_blocks_balanced(
            allocation_blocks(40, ["A", "B"], [2, 4, 6], "trial-7", key), ["A", "B"]
        )
    labelled = permuted_blocks(10, ["A", "B"], [4], seed=1, strata=["s1", "s2"])
    assert isinstance(labelled, dict) and set(labelled) == {"s1", "s2"}


def test_same_seed_same_sequence_other_seed_other_sequence() -> None:
    one = permuted_blocks(100, ["A", "B"], [2, 4], seed=5)
    assert one == permuted_blocks(100, ["A", "B"], [2, 4], seed=5)
    assert one != permuted_blocks(100, ["A", "B"], [2, 4], seed=6)
    state = random.getstate()
    permuted_blocks(50, ["A", "B"], [4], seed=1)
    minimise([{"f": "x"}] * 5, ["f"], ["A", "B"], seed=1)
    assert random.getstate() == state  # the global generator is untouched


def test_incremental_block_draws_match_the_sequence() -> None:
    seq = permuted_blocks(30, ["A", "B", "C"], [3, 6], seed=9, strata=["s"])
    assert isinstance(seq, dict)
    draws = [next_block_allocation(i, ["A", "B", "C"], [3, 6], 9, "s") for i in range(30)]
    assert draws == seq["s"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: permuted_blocks(10, ["A"], [2], 1), "at least two arms"),
        (lambda: permuted_blocks(10, ["A", "A"], [2], 1), "unique"),
        (lambda: permuted_blocks(10, [("A", 0), "B"], [2], 1), "ratio"),
        (lambda: permuted_blocks(10, [("A", 2), "B"], [4], 1), "not a multiple of 3"),
        (lambda: permuted_blocks(10, ["A", "B"], [], 1), "at least one block size"),
        (lambda: permuted_blocks(-1, ["A", "B"], [2], 1), "n must be"),
        (lambda: permuted_blocks(4, ["A", "B"], [2], 1, strata=[]), "non-empty"),
        (lambda: permuted_blocks(4, ["A", "B"], [2], 1, strata={"site": []}), "levels"),
        (lambda: permuted_blocks(4, ["A", "B"], [2], 1.5), "seed"),  # type: ignore[arg-type]
        (lambda: minimise([{"sex": "F"}], ["sex"], ["A", "B"], 1, p=0), "probability"),
        (lambda: minimise([{"sex": "F"}, {}], ["sex"], ["A", "B"], 1), "participant 1: missing"),
        (lambda: minimise([{"sex": "F"}], [], ["A", "B"], 1), "at least one factor"),
        (lambda: minimise([{"sex": "F"}], {"sex": -1}, ["A", "B"], 1), "positive"),
        (
            lambda: minimise_next([{"sex": "F", "arm": "Z"}], {"sex": "F"}, ["sex"], ["A", "B"], 1),
            "arm must be one of",
        ),
    ],
)
def test_bad_input_is_a_value_error_with_a_clear_message(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


FACTORS = {"sex": ["F", "M"], "site": ["a", "b", "c", "d"], "age": ["<40", "40-64", "65+"]}


def _cohort(seed: int, n: int = 200) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [{f: rng.choice(levels) for f, levels in FACTORS.items()} for _ in range(n)]


def _worst(people: list[dict[str, str]], allocation: list[str], arms: list) -> float:
    per = imbalance(people, allocation, list(FACTORS), arms)
    return max(v for levels in per.values() for v in levels.values())


@pytest.mark.parametrize(
    ("arms", "p", "bound"),
    [
        (["A", "B"], 1.0, 3),
        (["A", "B", "C"], 1.0, 3),
        ([("A", 2), ("B", 1)], 1.0, 2),
        (["A", "B"], 0.8, 10),
        ([("A", 2), ("B", 1)], 0.8, 6),
    ],
)
def test_minimisation_keeps_marginal_imbalance_within_its_bound(
    arms: list, p: float, bound: float
) -> None:
    """30 simulated cohorts of 200 with 3 factors (2, 4 and 3 levels): the largest marginal
    imbalance (range of ratio-weighted counts at any level) stays within ``bound``, far below
    simple randomisation's on the same cohorts."""
    worst_min, worst_simple = 0.0, 0.0
    for seed in range(30):
        people = _cohort(seed)
        worst_min = max(
            worst_min, _worst(people, minimise(people, list(FACTORS), arms, seed, p), arms)
        )
        rng = random.Random(1000 + seed)
        names = [a if isinstance(a, str) else a[0] for a in arms]
        weights = [1 if isinstance(a, str) else a[1] for a in arms]
        simple = rng.choices(names, weights, k=len(people))
        worst_simple = max(worst_simple, _worst(people, simple, arms))
    assert worst_min <= bound
    assert worst_simple > 2 * bound


def test_minimise_and_incremental_draws_agree_and_are_seeded() -> None:
    people = _cohort(3, 60)
    batch = minimise(people, list(FACTORS), ["A", "B"], seed="s3")
    previous: list[dict[str, str]] = []
    for person in people:
        arm = minimise_next(previous, person, list(FACTORS), ["A", "B"], seed="s3")
        previous.append({**person, "arm": arm})
    assert batch == [p["arm"] for p in previous]
    assert batch == minimise(people, list(FACTORS), ["A", "B"], seed="s3")
    assert batch != minimise(people, list(FACTORS), ["A", "B"], seed="s4")


def test_minimisation_with_p_1_always_takes_the_least_imbalanced_arm() -> None:
    previous = [{"sex": "F", "arm": "A"}, {"sex": "F", "arm": "A"}, {"sex": "M", "arm": "B"}]
    for seed in range(20):
        assert minimise_next(previous, {"sex": "F"}, ["sex"], ["A", "B"], seed, p=1.0) == "B"
    # all arms tie for a new level: the draw is random, both arms appear
    draws = {
        minimise_next(previous, {"sex": "X"}, ["sex"], ["A", "B"], s, p=1.0) for s in range(20)
    }
    assert draws == {"A", "B"}


def test_minimisation_with_p_0_8_sometimes_takes_another_arm() -> None:
    previous = [{"sex": "F", "arm": "A"}] * 3
    draws = Counter(
        minimise_next(previous, {"sex": "F"}, ["sex"], ["A", "B"], s, p=0.8) for s in range(500)
    )
    assert 0.72 < draws["B"] / 500 < 0.88


def test_factor_weights_change_the_choice() -> None:
    previous = [
        {"sex": "F", "site": "a", "arm": "A"},
        {"sex": "M", "site": "b", "arm": "A"},
        {"sex": "F", "site": "b", "arm": "B"},
    ]
    person = {"sex": "F", "site": "a"}
    # sex F: A1 B1 ; site a: A1 B0. Heavier site weight -> B.
    assert minimise_next(previous, person, {"sex": 1, "site": 3}, ["A", "B"], 0, p=1.0) == "B"
