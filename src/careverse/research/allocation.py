"""The next arm of a trial, drawn from its sealed seed by rdeid's randomisation functions
(``careverse.research.randomise``): stratified permuted blocks, or Pocock-Simon minimisation.

Both are incremental and deterministic for the seed: the draw for participant n depends on the
seed and the allocations before it, which the database holds, so nothing else is stored.
"""

from __future__ import annotations

from careverse.research import randomise
from careverse.research.models import Trial


def stratum_key(factors: list[str], levels: dict) -> str | None:
    """The stratum label of these factor levels (``sex=female|age_band=40-49``), or None."""
    return "|".join(f"{f}={levels[f]}" for f in factors) or None


def next_arm(trial: Trial, strata: list[dict], arms: list[str], levels: dict) -> str:
    """The arm of the next participant, whose factor ``levels`` are given, after the past
    allocations (their ``strata`` and ``arms``, in order of enrolment)."""
    pairs = [(a["name"], int(a["ratio"])) for a in trial.arms]
    if trial.method == "minimise":
        previous = [{**s, "arm": a} for s, a in zip(strata, arms, strict=True)]
        return randomise.minimise_next(previous, levels, trial.factors, pairs, trial.seed)
    # Each stratum has its own sequence: the next index is how many it has had so far.
    index = sum(1 for s in strata if s == levels)
    key = stratum_key(trial.factors, levels)
    return randomise.next_block_allocation(index, pairs, trial.block_sizes, trial.seed, key)
