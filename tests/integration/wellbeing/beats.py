"""A simulated wearable for the biofeedback tests: RR intervals as Open mHealth data points."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

import numpy as np

from careverse.kernel import clock


def rr_series(n: int = 60, mean: float = 880.0, seed: int = 4) -> list[float]:
    """Whole-millisecond RR intervals that swing with slow breathing, with some noise."""
    rng = np.random.default_rng(seed)
    out, t = [], 0.0
    for _ in range(n):
        value = round(mean + 70 * math.sin(2 * math.pi * 0.1 * t) + rng.normal(0, 10))
        out.append(float(value))
        t += value / 1000.0
    return out


def rr_points(rr: list[float], end: datetime | None = None, tag: str | None = None) -> list[dict]:
    """One ``omh:rr-interval`` data point per beat, each timed at its own end beat; the last
    beat ends at ``end`` (now by default)."""
    end = end or clock.now()
    tag = tag or uuid.uuid4().hex[:8]
    total = sum(rr) / 1000.0
    at = end - timedelta(seconds=total)
    points = []
    for i, value in enumerate(rr):
        at += timedelta(milliseconds=value)
        points.append(
            {
                "header": {
                    "id": f"rr-{tag}-{i}",
                    "schema_id": {"namespace": "omh", "name": "rr-interval", "version": "1.0"},
                },
                "body": {
                    "rr_interval": {"value": value, "unit": "ms"},
                    "effective_time_frame": {"date_time": at.isoformat()},
                },
            }
        )
    return points
