"""Comparing the arms of an in-silico trial: the interval methods, and the summary of runs.

- A mean: the t interval, mean ± t(0.975, n-1) · s/√n.
- A difference in means (arm - control): Welch's interval, which does not assume equal
  variances — (m1 - m0) ± t(0.975, df) · √(s1²/n1 + s0²/n0), df by Welch-Satterthwaite
  (Welch 1947). Equals scipy's ``ttest_ind(equal_var=False).confidence_interval()``.
- A proportion: Wilson's score interval (Wilson 1927), which stays inside 0..1 and behaves at
  0 and n events, unlike the Wald interval.
- A risk difference (arm - control): Newcombe's hybrid score interval, method 10 of Newcombe
  RG, Stat Med 1998;17:873-890, built from the two Wilson intervals:
  L = d - √((p1 - l1)² + (u0 - p0)²), U = d + √((u1 - p1)² + (p0 - l0)²).
  His worked example, 56/70 vs 48/80, gives 0.0524 to 0.3339 (tested).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from scipy.stats import norm
from scipy.stats import t as student_t

from careverse.research.insilico_engine import CHART_POINTS, CHART_VITALS, PatientRun

Z95 = float(norm.ppf(0.975))


def wilson(events: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for events/n (95 % by default)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = events / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe_difference(e1: int, n1: int, e0: int, n0: int) -> tuple[float, float, float]:
    """The risk difference e1/n1 - e0/n0 and Newcombe's hybrid score 95 % interval."""
    p1, p0 = e1 / n1, e0 / n0
    l1, u1 = wilson(e1, n1)
    l0, u0 = wilson(e0, n0)
    d = p1 - p0
    low = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return d, low, high


def mean_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """The mean and its t 95 % interval."""
    n = len(values)
    m = statistics.fmean(values)
    if n < 2:
        return m, math.nan, math.nan
    half = float(student_t.ppf(0.975, n - 1)) * statistics.stdev(values) / math.sqrt(n)
    return m, m - half, m + half


def welch_difference(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    """mean(a) - mean(b) and Welch's 95 % interval (unequal variances)."""
    n1, n0 = len(a), len(b)
    m1, m0 = statistics.fmean(a), statistics.fmean(b)
    v1, v0 = statistics.variance(a) / n1, statistics.variance(b) / n0
    d = m1 - m0
    se = math.sqrt(v1 + v0)
    if se == 0.0:
        return d, d, d
    df = (v1 + v0) ** 2 / (v1**2 / (n1 - 1) + v0**2 / (n0 - 1))
    half = float(student_t.ppf(0.975, df)) * se
    return d, d - half, d + half


def _r(x: float, digits: int = 4) -> float | None:
    return None if math.isnan(x) else round(x, digits)


def _arm_summary(outcome: dict[str, Any], name: str, values: list[float]) -> dict[str, Any]:
    n = len(values)
    if outcome["binary"]:
        events = int(sum(values))
        low, high = wilson(events, n)
        return {"arm": name, "n": n, "events": events, "risk": _r(events / n),
                "ci_low": _r(low), "ci_high": _r(high), "method": "wilson"}  # fmt: skip
    m, low, high = mean_interval(values)
    return {
        "arm": name, "n": n, "mean": _r(m), "sd": _r(statistics.stdev(values)),
        "median": _r(statistics.median(values)), "min": _r(min(values)),
        "max": _r(max(values)), "ci_low": _r(low), "ci_high": _r(high), "method": "t",
    }  # fmt: skip


def summarise(spec: dict[str, Any], runs: list[PatientRun]) -> dict[str, Any]:
    """The trial's result from every patient's run (``spec`` is ``TrialSpec.model_dump()``)."""
    arm_names = [a["name"] for a in spec["arms"]]
    by_arm: list[list[PatientRun]] = [[] for _ in arm_names]
    for run in sorted(runs, key=lambda r: r.index):
        by_arm[run.arm].append(run)
    outcomes = []
    for o in spec["outcomes"]:
        o = {**o, "binary": o["kind"] in ("ever_below", "ever_above", "arrest")}
        values = [[r.values[o["id"]] for r in arm] for arm in by_arm]
        estimates = []
        for i in range(1, len(arm_names)):
            if o["binary"]:
                e1, e0 = int(sum(values[i])), int(sum(values[0]))
                d, low, high = newcombe_difference(e1, len(values[i]), e0, len(values[0]))
                measure, method = "risk_difference", "newcombe_hybrid_score"
            else:
                d, low, high = welch_difference(values[i], values[0])
                measure, method = "difference_in_means", "welch"
            estimates.append(
                {"arm": arm_names[i], "versus": arm_names[0], "measure": measure,
                 "estimate": _r(d), "ci_low": _r(low), "ci_high": _r(high), "method": method}
            )  # fmt: skip
        outcomes.append(
            {
                "id": o["id"], "label": o.get("label") or o["id"], "kind": o["kind"],
                "vital": o.get("vital"), "threshold": o.get("threshold"), "binary": o["binary"],
                "by_arm": [_arm_summary(o, arm_names[i], v) for i, v in enumerate(values)],
                "estimates": estimates,
            }
        )  # fmt: skip
    step_min = spec["duration_s"] / CHART_POINTS / 60.0
    chart_arms = []
    for name, arm in zip(arm_names, by_arm, strict=True):
        series = {}
        for vital in CHART_VITALS:
            columns = zip(*(r.chart[vital] for r in arm), strict=True)
            series[vital] = [round(statistics.fmean(c), 2) for c in columns]
        chart_arms.append({"arm": name, **series})
    return {
        "trial": {
            "id": spec["id"], "title": spec["title"], "summary": spec["summary"],
            "condition": spec["condition"]["name"], "duration_s": spec["duration_s"],
            "cohort_size": spec["cohort"]["size"], "seed": spec["seed"],
        },
        "arms": [
            {"name": a["name"], "description": a["description"], "n": len(by_arm[i]),
             "actions": a["actions"]}
            for i, a in enumerate(spec["arms"])
        ],
        "outcomes": outcomes,
        "chart": {
            "minutes": [round(i * step_min, 2) for i in range(CHART_POINTS + 1)],
            "arms": chart_arms,
        },
    }  # fmt: skip
