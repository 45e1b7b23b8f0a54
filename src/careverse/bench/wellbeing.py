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


# ---- biofeedback: a new beat to the breathing stream's RMSSD ---------------------------------

BIOFEEDBACK_TARGET_SECONDS = 1.0  # the issue: RMSSD updates within one second of a new beat
WARM_UP = 5


def _rr_point(index: int, value: float, at) -> dict:
    return {
        "header": {
            "id": f"bench-rr-{index + WARM_UP}",
            "schema_id": {"namespace": "omh", "name": "rr-interval", "version": "1.0"},
        },
        "body": {
            "rr_interval": {"value": value, "unit": "ms"},
            "effective_time_frame": {"date_time": at.isoformat()},
        },
    }


async def _biofeedback_latency(beats: int) -> dict:
    """A node started in-process (SQLite in a temporary directory); a patient's wearable posts
    one RR interval at a time through ``POST /api/monitoring/readings`` (httpx's ASGI
    transport); the clock runs from just before each post to the moment the patient's breathing
    stream on this node has the beat and has computed the new RMSSD (what the page is sent next)."""
    import math
    import statistics
    import tempfile
    import uuid
    from datetime import timedelta
    from pathlib import Path

    import httpx

    from careverse.app import create_app
    from careverse.identity.service import IdentityService, NewAccount
    from careverse.kernel import clock
    from careverse.kernel.config import Settings
    from careverse.kernel.policy import Role
    from careverse.wellbeing.biofeedback import BeatStreams

    password = uuid.uuid4().hex + "Aa1!"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), migrate_on_start=True, log_json=False,
                            log_level="WARNING")  # fmt: skip
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            runtime = app.state.runtime
            async with runtime.db.session() as session:
                account = await IdentityService(session, settings).create_account(
                    None,
                    NewAccount(email="breather@bench.example.org", role=Role.PATIENT,
                               display_name="Bench Breather", password=password),
                )  # fmt: skip
            assert account.patient is not None
            patient_id = account.patient.id
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                r = await http.post(
                    "/api/auth/token",
                    data={"username": "breather@bench.example.org", "password": password},
                )
                r.raise_for_status()
                headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
                latencies = []
                at = clock.now() - timedelta(seconds=beats + WARM_UP)
                async with runtime.get(BeatStreams).subscribe(patient_id) as stream:
                    for i in range(-WARM_UP, beats):  # the first few warm the node: not timed
                        rr = round(850 + 60 * math.sin(i / 3))
                        at += timedelta(milliseconds=rr)
                        point = _rr_point(i, rr, at)
                        started = time.perf_counter()
                        r = await http.post(
                            "/api/monitoring/readings", headers=headers,
                            json={"patient_id": str(patient_id), "data_points": [point]},
                        )  # fmt: skip
                        r.raise_for_status()
                        stream.update(await stream.queue.get())
                        if i >= 0:
                            latencies.append(time.perf_counter() - started)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, math.ceil(0.99 * len(latencies)) - 1)]
    return {
        "beats": beats,
        "database": "sqlite",
        "median_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(p99 * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2),
        "target_ms": BIOFEEDBACK_TARGET_SECONDS * 1000,
        "meets_target": p99 <= BIOFEEDBACK_TARGET_SECONDS,
    }


def run_biofeedback_bench(beats: int = 300) -> dict:
    """RMSSD update latency from ingest to the breathing stream (see _biofeedback_latency)."""
    import asyncio
    import contextlib
    import logging
    import sys

    import structlog

    # The node's request logs would bury the figures: warnings and errors only, on stderr.
    saved = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    try:
        with contextlib.redirect_stdout(sys.stderr):
            return asyncio.run(_biofeedback_latency(beats))
    finally:
        structlog.configure(**saved)
