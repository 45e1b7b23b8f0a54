"""Exposure therapy's rules: the SSQ scored exactly as Kennedy et al. 1993, the "SUDS halves"
progression rule at its edges, the hierarchy's size and the scene parameters."""

from __future__ import annotations

import pytest

from careverse.wellbeing.exposure import (
    SSQ_ITEMS,
    check_steps,
    progression_suggested,
    scene_parameters,
    ssq_score,
)

# Kennedy et al. 1993, table 3: the subscales each symptom counts in.
LOADINGS = {
    "general_discomfort": "NO", "fatigue": "O", "headache": "O", "eyestrain": "O",
    "difficulty_focusing": "OD", "increased_salivation": "N", "sweating": "N", "nausea": "ND",
    "difficulty_concentrating": "NO", "fullness_of_head": "D", "blurred_vision": "OD",
    "dizzy_eyes_open": "D", "dizzy_eyes_closed": "D", "vertigo": "D",
    "stomach_awareness": "N", "burping": "N",
}  # fmt: skip


def test_ssq_lists_the_sixteen_symptoms_in_order_with_their_subscales():
    assert [name for name, _ in SSQ_ITEMS] == list(LOADINGS)
    assert dict(SSQ_ITEMS) == LOADINGS
    for scale in "NOD":  # seven items on each subscale
        assert sum(scale in loads for loads in LOADINGS.values()) == 7


@pytest.mark.parametrize("index", range(16))
def test_each_ssq_item_counts_on_its_subscales_only(index):
    answers = [0] * 16
    answers[index] = 2
    loads = SSQ_ITEMS[index][1]
    s = ssq_score(answers)
    assert s.nausea_raw == (2 if "N" in loads else 0)
    assert s.oculomotor_raw == (2 if "O" in loads else 0)
    assert s.disorientation_raw == (2 if "D" in loads else 0)
    assert s.nausea == pytest.approx(s.nausea_raw * 9.54)
    assert s.oculomotor == pytest.approx(s.oculomotor_raw * 7.58)
    assert s.disorientation == pytest.approx(s.disorientation_raw * 13.92)
    assert s.total == pytest.approx(2 * len(loads) * 3.74)


def test_ssq_none_and_maximum():
    none = ssq_score([0] * 16)
    assert (none.nausea, none.oculomotor, none.disorientation, none.total) == (0, 0, 0, 0)
    worst = ssq_score([3] * 16)
    assert (worst.nausea_raw, worst.oculomotor_raw, worst.disorientation_raw) == (21, 21, 21)
    assert (worst.nausea, worst.oculomotor, worst.disorientation) == (200.34, 159.18, 292.32)
    assert worst.total == 235.62


def test_ssq_a_worked_example():
    # general discomfort slight, fatigue moderate, nausea slight, dizzy (eyes open) severe
    answers = [1, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0]
    s = ssq_score(answers)
    assert (s.nausea_raw, s.oculomotor_raw, s.disorientation_raw) == (2, 3, 4)
    assert (s.nausea, s.oculomotor, s.disorientation) == (19.08, 22.74, 55.68)
    assert s.total == 33.66  # (2 + 3 + 4) x 3.74


@pytest.mark.parametrize(
    "answers",
    [[0] * 15, [0] * 17, [0] * 15 + [4], [0] * 15 + [-1], [0] * 15 + [True], [0] * 15 + [1.5],
     [0] * 15 + [None], "0" * 16],
)  # fmt: skip
def test_ssq_refuses_bad_answers_without_repeating_them(answers):
    with pytest.raises(ValueError) as raised:
        ssq_score(answers)
    assert "4" not in str(raised.value).replace("16", "")


@pytest.mark.parametrize(
    ("suds", "suggested"),
    [
        ([], False),
        ([0], False),
        ([0, 0, 0], False),  # no distress: nothing to habituate
        ([60], False),
        ([60, 30], True),  # exactly half of the peak
        ([60, 31], False),  # just above half
        ([55, 27], True),  # odd peak: 27 is below 27.5
        ([55, 28], False),
        ([20, 60, 40, 30], True),  # the peak is the session's highest, not its first
        ([20, 60, 40, 31], False),
        ([80, 20, 70], False),  # the latest rating counts, not the lowest
        ([10, 0], True),
    ],
)
def test_progression_is_suggested_when_suds_falls_by_half_from_the_peak(suds, suggested):
    assert progression_suggested(suds) is suggested


def test_hierarchy_size():
    for count in (1, 9, 15):
        check_steps(count, ready=False)
    for count in (10, 15):
        check_steps(count, ready=True)
    with pytest.raises(ValueError, match="10 to 15"):
        check_steps(9, ready=True)
    with pytest.raises(ValueError, match="at most 15"):
        check_steps(16, ready=False)
    with pytest.raises(ValueError, match="at most 15"):
        check_steps(16, ready=True)


def test_scene_parameters_follow_the_intensity():
    step = {"scene": "heights", "height_m": 10.0, "expected_suds": 40, "noise": 0.4}
    assert scene_parameters(step, 50)["height_m"] == 10.0
    assert scene_parameters(step, 100)["height_m"] == 15.0
    assert scene_parameters(step, 0)["height_m"] == 5.0
    assert scene_parameters(step, 100)["noise"] == 0.6
    spider = {"scene": "spider", "proximity_m": 1.5, "expected_suds": 60}
    assert scene_parameters(spider, 50)["proximity_m"] == 1.5
    assert scene_parameters(spider, 100)["proximity_m"] == 1.0  # harder is closer
    crowd = {"scene": "crowd", "crowd_density": 3.0, "expected_suds": 60}
    assert scene_parameters(crowd, 100)["crowd_density"] == 4.0  # capped
    assert "height_m" not in scene_parameters(crowd, 50)
