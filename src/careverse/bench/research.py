"""``careverse bench research``: the k-anonymity report on 100,000 rows (target ≤ 10 s), and
free-text scrubbing throughput.

Rows are made at random (seeded) with five quasi-identifiers of export-like cardinality — age
band (19 five-year bands and "90+"), sex (3), ZIP3 (120 areas), ethnicity (6), language (8) —
and two sensitive columns (diagnosis: 40 codes; PHQ-9 band: 5). Timed: building the report
from a list of dicts (``research.kanon.kanon_report``: k, classes, distinct l-diversity) and
the gate at k=5 (``require_k``, which also searches the smallest QI combination below k when
it refuses). Scrubbing: ``research.deid.scrub_text`` on clinical notes with planted
identifiers and a per-patient deny list, notes per second.
"""

from __future__ import annotations

import gc
import random
import time

from careverse.research.deid import scrub_text
from careverse.research.kanon import KAnonymityError, kanon_report, require_k

TARGET_S = 10.0
QIS = ["age_band", "sex", "zip3", "ethnicity", "language"]
SENSITIVE = ["diagnosis", "phq9_band"]
_BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
_NOTE = (
    "{name} seen on {day}/03/2024 with her son Tom. Phone 07700 9{n:05d}, email "
    "{lower}@example.org. Lives at {n} Oak Street, ZIP 02139. MRN {n:08d}. BP 128/82, "
    "HR 76, SpO2 97%. Plan: review in 2 weeks; PHQ-9 score 11."
)


def _rows(rng: random.Random, n: int) -> list[dict]:
    zips = [f"{z:03d}" for z in rng.sample(range(10, 999), 120)]
    return [
        {
            "age_band": rng.choice(_BANDS),
            "sex": rng.choice("FFMMX"),
            "zip3": rng.choice(zips),
            "ethnicity": rng.choice(["a", "b", "c", "d", "e", "unknown"]),
            "language": rng.choice(["en", "es", "fr", "pl", "ar", "zh", "ur", "cy"]),
            "diagnosis": f"dx{rng.randrange(40)}",
            "phq9_band": rng.choice(["none", "mild", "moderate", "mod-severe", "severe"]),
        }
        for _ in range(n)
    ]


def run_research_bench(rows: int = 100_000, notes: int = 300, seed: int = 7) -> dict:
    rng = random.Random(seed)
    table = _rows(rng, rows)
    start = time.perf_counter()
    report = kanon_report(table, QIS, SENSITIVE)
    report_s = time.perf_counter() - start
    start = time.perf_counter()
    refused = None
    try:
        require_k(table, QIS, 5, SENSITIVE, 2)
    except KAnonymityError as err:
        refused = {"achieved_k": err.achieved_k, "culprit": list(err.culprit)}
    gate_s = time.perf_counter() - start
    coarse = QIS[:3]
    start = time.perf_counter()
    coarse_report = kanon_report(table, coarse, SENSITIVE)
    coarse_s = time.perf_counter() - start

    del table  # the 100,000 dicts would otherwise be walked by every garbage collection
    gc.collect()
    names = ["Mary Jones", "Ade Okafor", "Li Wei", "Sara Khan", "John Smith"]
    scrub_text("warm up", deny=["x"])
    start = time.perf_counter()
    leaked = 0
    for i in range(notes):
        name = names[i % len(names)]
        text = _NOTE.format(name=name, day=1 + i % 28, n=i, lower=name.split()[0].lower())
        out = scrub_text(text, deny=[name])
        leaked += name.split()[1] in out or f"{i:08d}" in out
    scrub_s = time.perf_counter() - start
    return {
        "rows": rows,
        "quasi_identifiers": QIS,
        "report_s": round(report_s, 3),
        "target_s": TARGET_S,
        "met": report_s <= TARGET_S,
        "k": report.k,
        "l": report.l,
        "classes": report.classes,
        "gate_k5_l2_s": round(gate_s, 3),
        "gate_refused": refused,
        "coarse": {
            "quasi_identifiers": coarse,
            "report_s": round(coarse_s, 3),
            "k": coarse_report.k,
            "l": coarse_report.l,
        },
        "scrub": {
            "notes": notes,
            "notes_per_s": round(notes / scrub_s, 1),
            "leaked": int(leaked),
        },
    }
