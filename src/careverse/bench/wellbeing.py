"""``careverse bench wellbeing``: questionnaires scored per second, in-process.

A fixed pool of random complete (and some partly missing) answers for each of the five scored
instruments and the C-SSRS screener is made first; the clock then runs only over
:func:`careverse.wellbeing.instruments.score` and :func:`cssrs_risk`. The issue's target is at
least 100,000 a second.
"""

from __future__ import annotations

import random
import time

from careverse.wellbeing.catalogue import SCORED
from careverse.wellbeing.instruments import cssrs_risk, score

TARGET_PER_SECOND = 100_000


def _pool(size: int, rng: random.Random) -> list[tuple[str, list[int | None]]]:
    codes = sorted(SCORED)
    pool = []
    for i in range(size):
        inst = SCORED[codes[i % len(codes)]]
        answers: list[int | None] = [rng.randint(0, inst.max_item_score) for _ in inst.items]
        if i % 10 == 0:  # one in ten has a missing answer
            answers[rng.randrange(len(answers))] = None
        pool.append((inst.code, answers))
    return pool


def _screeners(size: int, rng: random.Random) -> list[dict[str, bool]]:
    out = []
    for _ in range(size):
        q2, q6 = rng.random() < 0.3, rng.random() < 0.1
        answers = {"q1": rng.random() < 0.3, "q2": q2, "q6": q6}
        if q2:
            answers |= {k: rng.random() < 0.3 for k in ("q3", "q4", "q5")}
        if q6:
            answers["q6_past_3_months"] = rng.random() < 0.5
        out.append(answers)
    return out


def run_wellbeing_bench(questionnaires: int = 500_000, seed: int = 7) -> dict:
    """Score ``questionnaires`` questionnaires and as many C-SSRS screeners; answers the rates."""
    rng = random.Random(seed)
    pool, screeners = _pool(10_000, rng), _screeners(10_000, rng)
    rounds = max(1, questionnaires // len(pool))
    started = time.perf_counter()
    for _ in range(rounds):
        for code, answers in pool:
            score(code, answers)
    scored_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(rounds):
        for answers in screeners:
            cssrs_risk(answers)
    triage_seconds = time.perf_counter() - started
    scored = rounds * len(pool)
    per_second = scored / scored_seconds
    return {
        "questionnaires": scored,
        "seconds": round(scored_seconds, 3),
        "questionnaires_per_second": round(per_second),
        "cssrs_per_second": round(rounds * len(screeners) / triage_seconds),
        "target_per_second": TARGET_PER_SECOND,
        "meets_target": per_second >= TARGET_PER_SECOND,
    }
