"""``careverse bench training --labs``: live labs on a server of the bench's own are started by
their instructors and every trainee's action reaches the other trainee (the figure itself is
the bench's, not this test's)."""

from __future__ import annotations

import os

from careverse.bench.training_lab import run_lab_bench


def test_lab_bench_times_the_actions_of_every_lab(monkeypatch):
    for key in [k for k in os.environ if k.startswith("CAREVERSE_")]:
        monkeypatch.delenv(key)
    result = run_lab_bench(labs=2, seconds=5)
    assert result["errors"] == []
    assert result["clients"] == 6
    # Both labs ran: about one action a second each, all of them seen by the other trainee.
    assert result["actions_timed"] >= 6
    assert result["room_event_ms_p99"] >= result["room_event_ms_p50"] > 0
