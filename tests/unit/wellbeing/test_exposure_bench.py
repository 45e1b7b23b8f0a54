"""``careverse bench exposure``'s figures from frame intervals (the browser run itself is the
bench's; docs/performance.md)."""

from __future__ import annotations

from careverse.bench.exposure import SCENES, _figures, _steps


def test_frame_figures():
    figures = _figures([16.7] * 95 + [33.4] * 5)
    assert figures["frames"] == 100
    assert figures["p50_ms"] == 16.7 and figures["p95_ms"] == 33.4 and figures["max_ms"] == 33.4
    assert figures["mean_ms"] == 17.54 and figures["fps"] == 57.0
    assert figures["holds_60_fps"] is False
    assert _figures([16.7] * 100)["holds_60_fps"] is True
    assert _figures([]) == {"frames": 0}


def test_the_hierarchy_has_a_step_per_scene_in_order():
    steps = _steps()
    assert 10 <= len(steps) <= 15
    assert [s["scene"] for s in steps[: len(SCENES)]] == list(SCENES)
    assert [s["expected_suds"] for s in steps] == sorted(s["expected_suds"] for s in steps)
