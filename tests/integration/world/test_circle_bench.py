"""``careverse bench circle``: the circles on the bench's own server all get their calls
signalled (every offer answered) and their facilitator panel's events timed (the figure itself
is the bench's, not this test's)."""

from __future__ import annotations

import os

from careverse.bench.circle import run_circle_bench


def test_circle_bench_signals_the_calls_and_times_the_panel(monkeypatch):
    for key in [k for k in os.environ if k.startswith("CAREVERSE_")]:
        monkeypatch.delenv(key)
    result = run_circle_bench(circles=2, people=4, seconds=5)
    assert result["errors"] == []
    assert result["clients"] == 8
    # Each circle: 6 pairs, each an offer, its ICE candidate and the answer sent back.
    assert result["signals_timed"] >= 2 * 6 * 3
    # About ten panel actions a circle over five seconds, every one seen.
    assert result["room_events_timed"] >= 2 * 8
    assert result["room_event_ms_p99"] >= result["room_event_ms_p50"] > 0
