"""Scenarios as data: the six shipped ones validate, stabilise with their model answers and
deteriorate as written without them; the schema refuses bad scenarios; scoring; the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from careverse.cli import app
from careverse.training.scenarios import DATA, load, scenario_ids
from careverse.training.scenarios.runner import holds, parse_actions, run_scenario
from careverse.training.scenarios.schema import Scenario
from careverse.training.scenarios.scoring import TakenAction, score

EXAMPLES = DATA.parent / "examples"
IDS = ["anaphylaxis", "asthma", "haemorrhage", "heart_failure", "opioid_overdose", "sepsis"]


def model_answer(scenario_id: str) -> list:
    return parse_actions(json.loads((EXAMPLES / f"{scenario_id}.json").read_text()))


def test_six_scenarios_ship_one_per_condition() -> None:
    assert scenario_ids() == IDS
    assert sorted(load(i).condition for i in IDS) == IDS
    for i in IDS:
        s = load(i)
        assert s.learning_objectives and any(e.critical for e in s.expected_actions)
        assert s.critical_errors and len(s.states) >= 2


@pytest.mark.parametrize("scenario_id", IDS)
def test_the_model_answer_stabilises_and_scores_full_marks(scenario_id: str) -> None:
    scenario = load(scenario_id)
    result = run_scenario(scenario, model_answer(scenario_id), seed=4)
    assert result.outcome == "stabilised" and not result.vitals.arrest
    assert result.score.passed and result.score.total == 100
    assert all(t is not None for t in result.score.time_to_critical_s.values())
    kinds = [e["kind"] for e in result.log]
    assert kinds.count("action") == len(model_answer(scenario_id)) and kinds[-1] == "end"


@pytest.mark.parametrize("scenario_id", IDS)
def test_untreated_the_patient_deteriorates_as_written(scenario_id: str) -> None:
    scenario = load(scenario_id)
    result = run_scenario(scenario, [], seed=4)
    assert result.outcome == "deteriorated"
    assert holds(scenario.untreated_deteriorates_to, result.vitals)
    assert not result.score.passed and result.score.checklist_percent == 0
    assert {e["kind"] for e in result.score.critical_errors} == {"delay"}
    states = [e["name"] for e in result.log if e["kind"] == "state"]
    assert len(states) >= 2  # it moved on from the presenting state
    if scenario.untreated_deteriorates_to.arrest:
        assert any(e["kind"] == "arrest" for e in result.log)


def test_scoring_late_actions_critical_errors_and_people() -> None:
    scenario = load("anaphylaxis")
    taken = [
        TakenAction(30, "call_for_help", {}, by="amira"),
        TakenAction(50, "adrenaline", {"dose_mg": 1.0, "route": "iv"}, by="ben"),
        TakenAction(400, "adrenaline", {"dose_mg": 0.5, "route": "im"}, by="ben"),
        TakenAction(420, "oxygen", {"flow_l_min": 15.0}, by="amira"),
    ]
    result = score(scenario, taken, stabilised=True)
    items = {i["id"]: i for i in result.items}
    assert items["adrenaline_im"]["done_at_s"] == 400 and not items["adrenaline_im"]["in_time"]
    assert items["adrenaline_im"]["earned"] == items["adrenaline_im"]["weight"] / 2
    assert items["iv_access"]["earned"] == 0
    kinds = sorted(e["id"] for e in result.critical_errors)
    assert kinds == ["adrenaline_overdose", "delay:adrenaline_im", "iv_adrenaline"]
    assert result.time_to_critical_s == {"adrenaline_im": 400}
    assert result.by_person == {"amira": ["call_for_help", "oxygen"], "ben": ["adrenaline_im"]}
    assert not result.passed and result.total == max(0, result.checklist_percent - 65)


def _edited(**changes: object) -> dict:
    raw = json.loads((DATA / "sepsis.json").read_text())
    raw.update(changes)
    return raw


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"initial": [{"action": "cpr"}]}, "unknown action 'cpr'"),
        ({"initial": [{"action": "sepsis", "params": {"severity": 2}}]}, "severity must be"),
        ({"handlers": [{"on": {"action": "antibiotics"}, "goto": "nowhere"}]}, "unknown state"),
        ({"events": [{"at_s": 9999, "action": "call_for_help"}]}, "after the end"),
        ({"condition": "gout"}, "condition"),
        ({"learning_objectives": []}, "learning_objectives"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_the_schema_refuses_bad_scenarios(changes: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Scenario.model_validate(_edited(**changes))


def test_bad_actions_files_are_refused_naming_the_problem() -> None:
    with pytest.raises(ValueError, match=r"action 2 \(at 20 s\): oxygen: flow_l_min must be"):
        parse_actions(
            [
                {"at": 10, "action": "iv_access"},
                {"at": 20, "action": "oxygen", "params": {"flow_l_min": 99}},
            ]
        )
    with pytest.raises(ValidationError, match="at"):
        parse_actions([{"action": "iv_access"}])
    with pytest.raises(ValueError, match="call_for_help: takes no parameters"):
        parse_actions([{"at": 0, "action": "call_for_help", "params": {"loud": 1}}])


runner = CliRunner()


def test_the_cli_runs_a_scenario_headless(tmp_path: Path) -> None:
    actions = tmp_path / "actions.json"
    actions.write_text((EXAMPLES / "opioid_overdose.json").read_text())
    out = runner.invoke(app, ["training", "run", "opioid_overdose", "--actions", str(actions),
                              "--json", "--timeline"])  # fmt: skip
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["outcome"] == "stabilised" and result["score"]["passed"]
    assert result["vitals"]["respiration_rate"] >= 10
    assert [e["name"] for e in result["log"] if e["kind"] == "action"][:2] == [
        "call_for_help", "oxygen",
    ]  # fmt: skip
    assert result["timeline"][0]["time_s"] == 0 and len(result["timeline"]) > 100


def _said(output: str) -> str:
    """The error panel's text without its frame and line breaks."""
    return " ".join(output.replace("│", " ").split())


def test_the_cli_refuses_bad_input_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"at": 5, "action": "adrenaline", "params": {"dose_mg": 0.5, "route": "po"}}]')
    out = runner.invoke(app, ["training", "run", "anaphylaxis", "--actions", str(bad), "--json"])
    assert out.exit_code == 2 and "route must be one of" in _said(out.output)
    out = runner.invoke(app, ["training", "run", "nosuch", "--json"])
    assert out.exit_code == 2 and "no scenario 'nosuch'" in _said(out.output)
    bad.write_text("not json")
    out = runner.invoke(app, ["training", "run", "sepsis", "--actions", str(bad)])
    assert out.exit_code == 2


def test_a_trend_ends_when_its_state_is_left_and_never_restarts_stopped_bleeding() -> None:
    scenario = load("haemorrhage")
    # Enter "decompensating" (after 480 s), then stop the bleeding during its ramp.
    actions = parse_actions([{"at": 500, "action": "stop_bleeding"}])
    result = run_scenario(scenario, actions, seed=1)
    states = [e["name"] for e in result.log if e["kind"] == "state"]
    assert states == ["compensating", "decompensating", "haemostasis"]
    late = [p for p in result.timeline if p["time_s"] >= 900]
    assert late[-1]["mean_bp"] >= late[0]["mean_bp"] - 2  # no more blood lost after 500 s
