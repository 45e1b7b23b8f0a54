"""Disaggregated metrics with bootstrap intervals, small cells suppressed, disparities flagged
(docs/research.md, "Fairness and transparency").

One metric over one grouping (age band, sex, language…) is computed with Fairlearn's
``MetricFrame`` (Weerts et al., JMLR 2023) and its bootstrap: ``n_boot`` resamples of the rows,
seeded, the 2.5th and 97.5th percentiles as the 95 % interval of every group's value. The ratio
is the lowest group's value over the highest's (``MetricFrame.ratio(method="between_groups")``);
its interval comes from a second MetricFrame bootstrap with those two groups fixed (the min/max
ratio of each resample could never exceed 1, so its interval would always "exclude 1").

- **Small cells**: a group with fewer than ``SMALL_CELL`` (11) rows shows "< 11" and no value,
  and takes no part in the ratio (the usual rule for health statistics, e.g. CMS's cell size
  suppression policy).
- **Disparity rule**: flagged when the lowest/highest ratio is outside 0.8-1.25 (the "four-fifths"
  band; as the ratio of lowest to highest is at most 1, this means below 0.8) *and* its 95 %
  interval excludes 1 — large and not explained by chance alone.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from fairlearn.metrics import MetricFrame

SMALL_CELL = 11
RATIO_LOW, RATIO_HIGH = 0.8, 1.25
N_BOOT = 200
Statistic = Literal["rate", "median"]


@dataclass(frozen=True, slots=True)
class GroupValue:
    """One group's value and interval; ``suppressed`` groups carry neither (n < 11)."""

    group: str
    n: int | None  # None when suppressed: "< 11"
    value: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


@dataclass(frozen=True, slots=True)
class Disaggregation:
    """One metric over one grouping: the groups, the lowest/highest ratio and the flag."""

    dimension: str
    groups: list[GroupValue]
    overall: float | None
    ratio: float | None
    ratio_ci_low: float | None
    ratio_ci_high: float | None
    flagged: bool
    note: str = ""
    lowest: str | None = None
    highest: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _statistic(kind: Statistic) -> Callable[[np.ndarray, np.ndarray], float]:
    if kind == "rate":
        return lambda y_true, y_pred: float(np.mean(y_true))
    return lambda y_true, y_pred: float(np.median(y_true))


def _num(x: object) -> float | None:
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or math.isinf(value) else round(value, 4)


def disaggregate(
    dimension: str,
    values: Sequence[float],
    groups: Sequence[str],
    statistic: Statistic,
    *,
    seed: int = 0,
    n_boot: int = N_BOOT,
) -> Disaggregation:
    """``statistic`` ("rate": the mean of 0/1 values; "median") of ``values`` by ``groups``."""
    if len(values) != len(groups):
        raise ValueError("values and groups must have the same length")
    counts = Counter(groups)
    kept = {g for g, n in counts.items() if n >= SMALL_CELL}
    suppressed = [GroupValue(g, None, None, None, None, True) for g in sorted(set(counts) - kept)]
    rows = [(v, g) for v, g in zip(values, groups, strict=True) if g in kept]
    if not rows:
        return Disaggregation(
            dimension, suppressed, None, None, None, None, False, note="no group of 11 or more"
        )
    y = np.asarray([float(v) for v, _ in rows])
    g = np.asarray([grp for _, grp in rows])
    frame = MetricFrame(
        metrics=_statistic(statistic), y_true=y, y_pred=y, sensitive_features=g,
        n_boot=n_boot, ci_quantiles=[0.025, 0.975], random_state=seed,
    )  # fmt: skip
    by_group = frame.by_group
    low_ci, high_ci = frame.by_group_ci
    shown = [
        GroupValue(
            str(name), int(counts[str(name)]), _num(by_group[name]), _num(low_ci[name]),
            _num(high_ci[name]), False,
        )
        for name in by_group.index
    ]  # fmt: skip
    overall = _num(frame.overall)
    if len(shown) < 2:
        return Disaggregation(
            dimension, shown + suppressed, overall, None, None, None, False,
            note="fewer than two groups of 11 or more",
        )  # fmt: skip
    valued = [s for s in shown if s.value is not None]
    lowest = min(valued, key=lambda s: s.value or 0.0).group if valued else None
    highest = max(valued, key=lambda s: s.value or 0.0).group if valued else None
    ratio = _num(frame.ratio(method="between_groups"))
    r_low = r_high = None
    if lowest is not None and highest is not None and lowest != highest and ratio is not None:
        r_low, r_high = _pair_ratio_interval(y, g, lowest, highest, statistic, seed, n_boot)
    flagged = (
        ratio is not None
        and r_high is not None
        and not RATIO_LOW <= ratio <= RATIO_HIGH
        and r_high < 1.0
    )
    return Disaggregation(
        dimension, shown + suppressed, overall, ratio, r_low, r_high, bool(flagged),
        lowest=lowest, highest=highest,
    )  # fmt: skip


def _pair_ratio_interval(
    y: np.ndarray,
    g: np.ndarray,
    lowest: str,
    highest: str,
    statistic: Statistic,
    seed: int,
    n_boot: int,
) -> tuple[float | None, float | None]:
    """The 95 % bootstrap interval of lowest/highest with the two groups fixed by the point
    estimates. (The interval of MetricFrame's between-groups min/max ratio cannot reach above
    1 in any resample, so it would always "exclude 1"; a fixed pair's ratio can.) MetricFrame's
    bootstrap on the pair's rows: the metric reads which side a row is on from ``y_pred``."""
    stat = _statistic(statistic)
    pair = (g == lowest) | (g == highest)
    side = (g[pair] == lowest).astype(float)

    def ratio(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        low, high = y_true[y_pred == 1.0], y_true[y_pred == 0.0]
        if len(low) == 0 or len(high) == 0:
            return math.nan
        top, bottom = stat(low, low), stat(high, high)
        if bottom == 0.0:
            return 1.0 if top == 0.0 else math.inf
        return top / bottom

    frame = MetricFrame(
        metrics=ratio, y_true=y[pair], y_pred=side, sensitive_features=np.zeros(len(side)),
        n_boot=n_boot, ci_quantiles=[0.025, 0.975], random_state=seed,
    )  # fmt: skip
    low_ci, high_ci = frame.overall_ci
    return _num(low_ci), _num(high_ci)  # an unbounded upper end is None: not flagged


def age_band(birth_date: str | None, today: str) -> str:
    """The audit's age bands from an ISO birth date: 16-39, 40-64, 65-79, 80+ (or not recorded)."""
    if not birth_date:
        return "not recorded"
    try:
        by, bm, bd = (int(x) for x in birth_date[:10].split("-"))
        ty, tm, td = (int(x) for x in today[:10].split("-"))
    except ValueError:
        return "not recorded"
    age = ty - by - ((tm, td) < (bm, bd))
    if age < 40:
        return "16-39" if age >= 16 else "under 16"
    if age < 65:
        return "40-64"
    return "65-79" if age < 80 else "80+"


def median_or_none(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None
