"""The next arm of a trial, drawn from its sealed seed by rdeid's randomisation functions
(``careverse.research.randomise``): stratified permuted blocks, or Pocock-Simon minimisation."""

from __future__ import annotations

from careverse.research.models import Trial


def next_arm(trial: Trial, strata: list[dict], arms: list[str], levels: dict) -> str:
    """The arm of the next participant, whose factor ``levels`` are given, after the past
    allocations (their ``strata`` and ``arms``, in order)."""
    raise NotImplementedError("waiting for careverse.research.randomise")
