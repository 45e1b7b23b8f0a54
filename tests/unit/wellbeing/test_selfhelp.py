"""Self-help's pure rules: thought record checks, intensity change, the activation summary, and
the psychoeducation modules as data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from careverse.community import crisis
from careverse.kernel.crisis_screen import screen
from careverse.wellbeing.selfhelp import (
    activity_summary,
    check_thought_record,
    intensity_change,
)
from careverse.wellbeing.selfhelp_modules import MODULES, THINKING_TRAPS

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def record(**changes) -> dict:
    base = {
        "situation": "Friend did not reply to my message",
        "emotions": [{"name": "Sad", "intensity": 80}, {"name": "anxious", "intensity": 60}],
        "automatic_thoughts": ["She is angry with me", "Nobody likes me"],
        "hot_thought": 1,
        "evidence_for": "She has not answered for a day",
        "evidence_against": "She is often busy at work; we met last week and it went well",
        "balanced_thought": "She is probably busy; one late reply says little about me",
        "rerated": [{"name": "sad", "intensity": 40}],
        "traps": ["mind-reading"],
    }
    return {**base, **changes}


def test_a_complete_record_passes_and_shows_each_change():
    check_thought_record(record())
    assert intensity_change(record()) == [
        {"name": "Sad", "before": 80, "after": 40, "change": -40},  # names match ignoring case
        {"name": "anxious", "before": 60, "after": None, "change": None},
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rerated": [{"name": "angry", "intensity": 10}]}, "rerated"),
        (
            {"rerated": [{"name": "sad", "intensity": 1}, {"name": "Sad", "intensity": 2}]},
            "rerated",
        ),
        (
            {"emotions": [{"name": "sad", "intensity": 1}, {"name": "SAD", "intensity": 2}]},
            "emotions",
        ),
        ({"hot_thought": 2}, "hot_thought"),
        ({"balanced_thought": "   "}, "balanced_thought"),
        ({"automatic_thoughts": ["ok", " "], "hot_thought": 0}, "automatic_thoughts"),
        ({"traps": ["gloom"]}, "traps"),
    ],
)
def test_bad_records_name_the_field_and_never_repeat_the_text(changes, field):
    with pytest.raises(ValueError) as exc:
        check_thought_record(record(**changes))
    message = str(exc.value)
    assert message.startswith(f"{field}:")
    assert "gloom" not in message and "angry" not in message


def activity(category: str, hours: float, done: bool, before=None, after=None, **kw) -> dict:
    return {
        "category": category, "planned_for": NOW + timedelta(hours=hours), "done": done,
        "mood_before": before, "mood_after": after, **kw,
    }  # fmt: skip


def test_the_summary_links_activity_to_mood_change_and_counts_adherence():
    rows = [
        activity("pleasure", -30, True, 3, 7, pleasure=8, mastery=4),
        activity("pleasure", -20, True, 4, 6, pleasure=6, mastery=2),
        activity("routine", -10, True, 5, 5),
        activity("necessary", -5, False),
        activity("values", 5, False),  # not due yet: not counted against adherence
        activity("routine", -1, True, 4, None),  # rated only before: no mood change
    ]
    s = activity_summary(rows, NOW)
    assert (s["planned"], s["due"], s["done"], s["adherence"]) == (6, 5, 4, 0.8)
    assert s["mood_change_mean"] == pytest.approx((4 + 2 + 0) / 3, abs=0.05)
    by = {c["category"]: c for c in s["categories"]}
    assert by["pleasure"] == {
        "category": "pleasure", "planned": 2, "done": 2, "mood_change_mean": 3.0,
        "pleasure_mean": 7.0, "mastery_mean": 3.0,
    }  # fmt: skip
    assert by["routine"]["done"] == 2 and by["routine"]["mood_change_mean"] == 0.0
    assert by["necessary"]["done"] == 0 and by["necessary"]["mood_change_mean"] is None
    assert by["values"]["planned"] == 1


def test_nothing_due_has_no_adherence():
    assert activity_summary([], NOW)["adherence"] is None
    assert activity_summary([activity("values", 1, False)], NOW)["adherence"] is None


def test_modules_are_complete_data_with_sources():
    codes = [m.code for m in MODULES]
    assert codes == ["low-mood", "anxiety", "sleep", "breathing", "thinking-traps"]
    for m in MODULES:
        assert m.sources and m.sections and m.minutes > 0
        assert len({s.id for s in m.sections}) == len(m.sections)
        assert all(s.body and all(p.strip() for p in s.body) for s in m.sections)
        # Psychoeducation must not itself trip the crisis screen shown to the patient.
        assert not any(screen(p).flagged for s in m.sections for p in s.body), m.code
    assert len(THINKING_TRAPS) == 10


def test_the_crisis_screen_is_the_one_community_uses():
    assert crisis.screen is screen
    assert screen("I want to kill myself").flagged
    assert not screen("I went for a walk and felt a bit better").flagged
