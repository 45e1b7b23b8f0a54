"""Allocation for randomised trials: stratified permuted blocks and Pocock-Simon minimisation.

Both are deterministic for a seed (the trial's sealed secret, kept server-side: whoever
holds it can predict the sequence, so staff never see it) and never touch the global random
number generator: every sequence comes from its own ``random.Random`` seeded with a string
built from the seed (Python seeds a ``Random`` from a string through SHA-512, so the
sequence is the same in every process and Python version 3.2+). The seed should be a long
random secret (e.g. ``secrets.token_hex(32)``): an allocation cannot be predicted without it,
and each minimisation draw reseeds from it, so past allocations do not reveal the generator's
state.

Arms are given as names (``["A", "B"]``, ratio 1:1) or ``(name, ratio)`` pairs
(``[("drug", 2), ("placebo", 1)]``, ratio 2:1), ratios whole numbers ≥ 1, names unique.

**Permuted blocks** (Matts & Lachin 1988): the sequence is cut into blocks whose size is
drawn at random (uniformly) from ``block_sizes`` for each block, each size a multiple of the
sum of the ratios; inside a block every arm appears ``ratio * size / sum(ratios)`` times in a
random order. So at the end of every block the arms are exactly in ratio, and random block
sizes stop staff guessing the last allocations of a block. With strata, each stratum has its
own independent sequence.

**Minimisation** (Pocock & Simon 1975, *Biometrics* 31:103-115): each new participant is
given, with probability ``p``, the arm that would leave the smallest total imbalance over the
participant's own factor levels, otherwise one of the other arms at random. Imbalance is the
**range** (max - min) across arms of the ratio-weighted count (count / ratio) at the
participant's level of each factor, summed over factors (each factor weight 1, or the weights
given). Several arms sharing the smallest imbalance are a tie: the choice among them is
random (with probability ``p``); when all arms tie the draw is uniform.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from typing import Any

Arm = str | tuple[str, int]

__all__ = [
    "allocation_blocks",
    "arm_ratios",
    "imbalance",
    "minimise",
    "minimise_next",
    "next_block_allocation",
    "permuted_blocks",
    "strata_keys",
]


def arm_ratios(arms: Sequence[Arm]) -> list[tuple[str, int]]:
    """``arms`` as ``[(name, ratio), ...]``, validated (at least two, unique names, whole
    ratios ≥ 1)."""
    if isinstance(arms, str | bytes) or len(arms) < 2:
        raise ValueError("arms must list at least two arms")
    parsed: list[tuple[str, int]] = []
    for arm in arms:
        if isinstance(arm, str):
            name, ratio = arm, 1
        elif isinstance(arm, tuple | list) and len(arm) == 2:
            name, ratio = arm[0], arm[1]
        else:
            raise ValueError("each arm must be a name or a (name, ratio) pair")
        if not isinstance(name, str) or not name.strip():
            raise ValueError("arm names must be non-empty text")
        if isinstance(ratio, bool) or not isinstance(ratio, int) or ratio < 1:
            raise ValueError(f"arm {name!r}: the ratio must be a whole number of at least 1")
        parsed.append((name, ratio))
    if len({name for name, _ in parsed}) != len(parsed):
        raise ValueError("arm names must be unique")
    return parsed


def _check_block_sizes(block_sizes: Sequence[int], total: int) -> list[int]:
    sizes = list(block_sizes)
    if not sizes:
        raise ValueError("block_sizes must list at least one block size")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError("block sizes must be whole numbers of at least 1")
        if size % total:
            raise ValueError(
                f"block size {size} is not a multiple of {total}, the sum of the arms' ratios"
            )
    return sizes


def _seed_text(seed: int | str) -> str:
    if isinstance(seed, bool) or not isinstance(seed, int | str):
        raise ValueError("seed must be a whole number or text")
    return str(seed)


def strata_keys(strata: Sequence[str] | Mapping[str, Sequence[str]]) -> list[str]:
    """Stratum keys: the given labels, or for ``{"site": ["A", "B"], "sex": ["F", "M"]}``
    every combination, ``"site=A|sex=F"``, ``"site=A|sex=M"``, … (factors in the given order)."""
    if isinstance(strata, Mapping):
        if not strata or any(not levels for levels in strata.values()):
            raise ValueError("strata must name at least one factor, each with levels")
        combos = itertools.product(*([f"{f}={lv}" for lv in ls] for f, ls in strata.items()))
        keys = ["|".join(combo) for combo in combos]
    else:
        if isinstance(strata, str):
            raise ValueError("strata must be a list of stratum labels or a dict of levels")
        keys = [str(s) for s in strata]
    if not keys or len(set(keys)) != len(keys):
        raise ValueError("strata must be non-empty and unique")
    return keys


def allocation_blocks(
    n: int, arms: Sequence[Arm], block_sizes: Sequence[int], seed: int | str,
    stratum: str | None = None,
) -> list[list[str]]:  # fmt: skip
    """The blocks (each a list of arm names, complete and balanced) covering the first ``n``
    allocations of one stratum (``None``: the unstratified sequence). The last block may
    reach past ``n``: ``permuted_blocks`` cuts the flattened sequence at ``n``."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("n must be a whole number of at least 0")
    parsed = arm_ratios(arms)
    total = sum(r for _, r in parsed)
    sizes = _check_block_sizes(block_sizes, total)
    key = f"blocks/{_seed_text(seed)}/{'' if stratum is None else stratum}"
    rng = random.Random(key)  # noqa: S311 — reproducible by design; the seed is the secret
    blocks: list[list[str]] = []
    made = 0
    while made < n:
        size = rng.choice(sizes)
        block = [name for name, ratio in parsed for _ in range(ratio * size // total)]
        rng.shuffle(block)
        blocks.append(block)
        made += size
    return blocks


def permuted_blocks(
    n: int,
    arms: Sequence[Arm],
    block_sizes: Sequence[int],
    seed: int | str,
    strata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
) -> list[str] | dict[str, list[str]]:
    """Permuted blocks of random sizes (see the module doc).

    Returns, without ``strata``, a ``list`` of ``n`` arm names: the arm of the 1st, 2nd, …
    participant. With ``strata`` (a list of stratum labels, or a dict of factor → levels
    crossed into labels by ``strata_keys``), a ``dict`` mapping each stratum label to its own
    list of ``n`` arm names (the allocation table of that stratum, like REDCap's per-stratum
    table). Raises ``ValueError`` on bad input.
    """
    if strata is None:
        return [a for block in allocation_blocks(n, arms, block_sizes, seed) for a in block][:n]
    return {
        key: [a for b in allocation_blocks(n, arms, block_sizes, seed, key) for a in b][:n]
        for key in strata_keys(strata)
    }


def next_block_allocation(
    index: int, arms: Sequence[Arm], block_sizes: Sequence[int], seed: int | str,
    stratum: str | None = None,
) -> str:  # fmt: skip
    """The arm of allocation number ``index`` (0-based) in a stratum's permuted-block
    sequence: the incremental draw (the database stores how many were allocated)."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError("index must be a whole number of at least 0")
    blocks = allocation_blocks(index + 1, arms, block_sizes, seed, stratum)
    return [a for block in blocks for a in block][index]


def _factor_weights(factors: Sequence[str] | Mapping[str, float]) -> dict[str, float]:
    if isinstance(factors, str):
        raise ValueError("factors must be a list of factor names or a dict of weights")
    weights = dict(factors) if isinstance(factors, Mapping) else {f: 1.0 for f in factors}
    if not weights:
        raise ValueError("factors must name at least one factor")
    for name, weight in weights.items():
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise ValueError(f"factor {name!r}: the weight must be a positive number")
    return weights


def _levels(participant: Mapping[str, Any], factors: Sequence[str], where: str) -> list[str]:
    if not isinstance(participant, Mapping):
        raise ValueError(f"{where}: a participant must be a mapping of factor to level")
    missing = [f for f in factors if participant.get(f) is None]
    if missing:
        raise ValueError(f"{where}: missing factor(s) {', '.join(missing)}")
    return [str(participant[f]) for f in factors]


def _counts(
    previous: Sequence[Mapping[str, Any]], factors: Sequence[str], names: list[str]
) -> dict[tuple[str, str], dict[str, int]]:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for i, prior in enumerate(previous):
        levels = _levels(prior, factors, f"previous participant {i}")
        arm = prior.get("arm")
        if arm not in names:
            raise ValueError(f"previous participant {i}: arm must be one of the trial's arms")
        for factor, level in zip(factors, levels, strict=True):
            cell = counts.setdefault((factor, level), dict.fromkeys(names, 0))
            cell[str(arm)] += 1
    return counts


Counts = dict[tuple[str, str], dict[str, int]]


def _check_p(p: float) -> None:
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 < p <= 1:
        raise ValueError("p must be a probability in (0, 1]")


def _choose(
    counts: Counts,
    levels: list[str],
    weights: dict[str, float],
    parsed: list[tuple[str, int]],
    rng: random.Random,
    p: float,
) -> str:
    names, ratio = [name for name, _ in parsed], dict(parsed)
    scores: dict[str, float] = {}
    for arm in names:
        total = 0.0
        for factor, level in zip(weights, levels, strict=True):
            cell = dict(counts.get((factor, level), dict.fromkeys(names, 0)))
            cell[arm] += 1
            weighted = [cell[a] / ratio[a] for a in names]
            total += weights[factor] * (max(weighted) - min(weighted))
        scores[arm] = round(total, 9)
    best = [a for a in names if scores[a] == min(scores.values())]
    others = [a for a in names if a not in best]
    if not others or rng.random() < p:
        return rng.choice(best)
    return rng.choice(others)


def _rng(seed: int | str, index: int) -> random.Random:
    key = f"minimise/{_seed_text(seed)}/{index}"
    return random.Random(key)  # noqa: S311 — reproducible by design; the seed is the secret


def minimise_next(
    previous: Sequence[Mapping[str, Any]],
    participant: Mapping[str, Any],
    factors: Sequence[str] | Mapping[str, float],
    arms: Sequence[Arm],
    seed: int | str,
    p: float = 0.8,
) -> str:
    """The arm for one new ``participant`` given those already allocated (the incremental
    draw). ``previous`` is the allocation so far in order, each a mapping of factor → level
    plus ``"arm"``; ``participant`` maps each factor to its level. The random draw is seeded
    by ``seed`` and ``len(previous)``, so ``minimise`` and repeated ``minimise_next`` calls
    give the same sequence."""
    _check_p(p)
    parsed = arm_ratios(arms)
    weights = _factor_weights(factors)
    levels = _levels(participant, list(weights), "participant")
    counts = _counts(previous, list(weights), [name for name, _ in parsed])
    return _choose(counts, levels, weights, parsed, _rng(seed, len(previous)), p)


def minimise(
    participants: Sequence[Mapping[str, Any]],
    factors: Sequence[str] | Mapping[str, float],
    arms: Sequence[Arm],
    seed: int | str,
    p: float = 0.8,
) -> list[str]:
    """Pocock-Simon minimisation of ``participants`` in their order of arrival.

    ``participants``: a list of mappings of factor name → level (e.g. ``{"sex": "F",
    "site": "Leeds", "age_band": "40-64"}``; other keys are ignored). ``factors``: the factor
    names to balance (weight 1 each) or a dict of name → positive weight. Returns the list
    of arm names, one per participant, in order (the same as calling ``minimise_next`` for
    each in turn).
    """
    _check_p(p)
    parsed = arm_ratios(arms)
    names = [name for name, _ in parsed]
    weights = _factor_weights(factors)
    counts: Counts = {}
    out: list[str] = []
    for i, person in enumerate(participants):
        levels = _levels(person, list(weights), f"participant {i}")
        arm = _choose(counts, levels, weights, parsed, _rng(seed, i), p)
        for factor, level in zip(weights, levels, strict=True):
            counts.setdefault((factor, level), dict.fromkeys(names, 0))[arm] += 1
        out.append(arm)
    return out


def imbalance(
    participants: Sequence[Mapping[str, Any]],
    allocation: Sequence[str],
    factors: Sequence[str],
    arms: Sequence[Arm],
) -> dict[str, dict[str, float]]:
    """Marginal imbalance: for each factor and level, the range across arms of the
    ratio-weighted counts (``{"sex": {"F": 1.0, "M": 0.0}}``)."""
    if len(participants) != len(allocation):
        raise ValueError("one arm per participant is needed")
    parsed = arm_ratios(arms)
    names, ratio = [n for n, _ in parsed], dict(parsed)
    rows = [{**p, "arm": a} for p, a in zip(participants, allocation, strict=True)]
    counts = _counts(rows, list(factors), names)
    out: dict[str, dict[str, float]] = {f: {} for f in factors}
    for (factor, level), cell in counts.items():
        weighted = [cell[a] / ratio[a] for a in names]
        out[factor][level] = max(weighted) - min(weighted)
    return out
