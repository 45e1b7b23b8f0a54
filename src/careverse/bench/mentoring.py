"""``careverse bench mentoring``: matching a mentee against 10,000 mentors (target ≤ 200 ms).

Candidates are made at random (seeded) over 40 conditions, 6 treatment stages, 8 languages, the
age bands, genders and availability slots, with loads up to their capacity (some full). Each run
scores every candidate for one random mentee's need and keeps the best five
(``mentoring.matching.best``, the function the API calls); the wall time of each run, p50/p99/max,
against the target. This is the matching itself: loading the candidates from the database (one
query of the approved mentors of a community, decrypting condition and stage) is not timed here.
"""

from __future__ import annotations

import random
import time

from careverse.mentoring.matching import AGE_BANDS, GENDERS, SLOTS, Candidate, Need, best

TARGET_MS = 200.0
CONDITIONS = [f"condition {i}" for i in range(40)]
STAGES = ["diagnosed", "treatment", "chemotherapy", "surgery", "recovery", "remission"]
LANGUAGES = ["en", "es", "fr", "de", "pl", "ar", "ur", "zh"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _candidates(rng: random.Random, n: int) -> list[Candidate]:
    out = []
    for i in range(n):
        capacity = rng.randint(1, 5)
        out.append(Candidate(
            key=f"{i:08d}", condition=rng.choice(CONDITIONS), stage=rng.choice(STAGES),
            languages=frozenset(rng.sample(LANGUAGES, rng.randint(1, 3))),
            age_band=rng.choice(AGE_BANDS), gender=rng.choice(GENDERS),
            availability=frozenset(rng.sample(SLOTS, rng.randint(1, 8))),
            capacity=capacity, load=rng.randint(0, capacity),
        ))  # fmt: skip
    return out


def _need(rng: random.Random) -> Need:
    return Need(
        condition=rng.choice(CONDITIONS), stage=rng.choice(STAGES),
        languages=frozenset(rng.sample(LANGUAGES, rng.randint(1, 2))),
        age_band=rng.choice(AGE_BANDS),
        gender_preference=rng.choice([None, None, None, "woman", "man"]),
        availability=frozenset(rng.sample(SLOTS, rng.randint(0, 6))),
    )  # fmt: skip


def run_mentoring_bench(candidates: int = 10_000, runs: int = 200, seed: int = 7) -> dict:
    rng = random.Random(seed)
    pool = _candidates(rng, candidates)
    best(_need(rng), pool)  # warm up
    times, offered = [], 0
    for _ in range(runs):
        need = _need(rng)
        start = time.perf_counter()
        found = best(need, pool, 5)
        times.append((time.perf_counter() - start) * 1000)
        offered += len(found)
    p99 = _percentile(times, 0.99)
    return {
        "benchmark": "mentoring",
        "candidates": candidates,
        "runs": runs,
        "mean_offered": round(offered / runs, 2),
        "match_ms_p50": round(_percentile(times, 0.5), 2),
        "match_ms_p99": round(p99, 2),
        "match_ms_max": round(max(times), 2),
        "target_ms": TARGET_MS,
        "met": p99 <= TARGET_MS,
    }
