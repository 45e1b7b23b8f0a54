"""Running a scenario headless: the engine stepped second by second, the scenario's events,
states, trends and handlers applied, the trainee's actions applied at their times, and the
whole story written to an event log, judged and scored at the end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from careverse.training.physiology import ACTIONS, Simulation, Vitals
from careverse.training.scenarios.schema import (
    PROCEDURES,
    Criteria,
    ParamValue,
    Scenario,
    State,
    check_action,
)
from careverse.training.scenarios.scoring import Score, TakenAction, matches, score

STATE_CHECK_EVERY_S = 5


class ActionAt(BaseModel):
    """One line of an actions file: ``{"at": seconds, "action": name, "params": {...}}``."""

    model_config = ConfigDict(extra="forbid")
    at: float = Field(ge=0, le=24 * 3600)
    action: str
    params: dict[str, ParamValue] = {}
    by: str | None = Field(default=None, max_length=80)


ACTIONS_FILE = TypeAdapter(list[ActionAt])


@dataclass(slots=True)
class RunResult:
    scenario: str
    seed: int
    outcome: str  # "stabilised", "deteriorated" or "unresolved"
    vitals: Vitals
    log: list[dict[str, Any]]
    score: Score
    timeline: list[dict[str, Any]]

    def as_dict(self, timeline: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "seed": self.seed,
            "outcome": self.outcome,
            "vitals": self.vitals.as_dict(),
            "log": self.log,
            "score": self.score.as_dict(),
        }
        if timeline:
            out["timeline"] = self.timeline
        return out


def holds(criteria: Criteria, vitals: Vitals) -> bool:
    """Whether ``vitals`` meet ``criteria``."""
    if criteria.arrest is not None and vitals.arrest != criteria.arrest:
        return False
    for name, bound in criteria.vitals.items():
        value = vitals[name]
        if bound.min is not None and value < bound.min:
            return False
        if bound.max is not None and value > bound.max:
            return False
    return True


def parse_actions(raw: object) -> list[ActionAt]:
    """The actions file checked: its shape (pydantic) and each action and its parameters."""
    actions = ACTIONS_FILE.validate_python(raw)
    for i, a in enumerate(actions):
        try:
            check_action(a.action, a.params)
        except ValueError as exc:
            raise ValueError(f"action {i + 1} (at {a.at:g} s): {exc}") from None
    return sorted(actions, key=lambda a: a.at)


class _Run:
    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.sim = Simulation(patient=scenario.patient.profile(), seed=seed)
        self.log: list[dict[str, Any]] = []
        self.state: State = scenario.states[0]
        self.entered: set[str] = {self.state.id}
        # condition -> (from severity, to severity, start s, duration s)
        self.ramps: dict[str, tuple[float, float, float, float]] = {}

    def note(self, kind: str, name: str, **detail: Any) -> None:
        self.log.append({"t": round(self.sim.time_s, 1), "kind": kind, "name": name, **detail})

    def apply(self, kind: str, action: str, params: dict[str, ParamValue], **detail: Any) -> None:
        if action in ACTIONS:
            applied = self.sim.apply(action, **params)
            params = applied.params
            if action in self.ramps and ACTIONS[action].kind == "condition":
                del self.ramps[action]  # an explicit severity ends a trend
        self.note(kind, action, params=params, **detail)

    def enter(self, state: State) -> None:
        # A state's trends belong to it: leaving it (say, a handler after the right drug) ends them.
        self.ramps.clear()
        self.state = state
        self.entered.add(state.id)
        self.note("state", state.id, description=state.description)
        for trend in state.trends:
            now = float(getattr(self.sim.body, trend.condition))
            self.ramps[trend.condition] = (now, trend.to_severity, self.sim.time_s, trend.over_s)

    def follow_trends(self) -> None:
        for condition, (start, end, t0, span) in list(self.ramps.items()):
            f = min(1.0, (self.sim.time_s - t0) / span)
            severity = start + (end - start) * f
            if condition == "haemorrhage":
                self.sim.body.haemorrhage = severity  # a trend never restarts stopped bleeding
            else:
                ACTIONS[condition].perform(self.sim.body, {"severity": severity})
            if f >= 1.0:
                del self.ramps[condition]

    def check_states(self) -> None:
        vitals = self.sim.vitals()
        for state in self.scenario.states:
            if state.id in self.entered or (
                state.from_states and self.state.id not in state.from_states
            ):
                continue
            if state.after_s is not None and self.sim.time_s < state.after_s:
                continue
            if state.when is not None and not holds(state.when, vitals):
                continue
            if state.after_s is None and state.when is None:
                continue  # reached only through a handler
            self.enter(state)
            return

    def handle(self, action: str, params: dict[str, ParamValue]) -> None:
        for handler in self.scenario.handlers:
            if matches(handler.on, action, params):
                if handler.note:
                    self.note("handler", action, note=handler.note)
                for step in handler.then:
                    self.apply("handler", step.action, step.params)
                if handler.goto and handler.goto != self.state.id:
                    self.enter(next(s for s in self.scenario.states if s.id == handler.goto))


def run_scenario(
    scenario: Scenario, actions: list[ActionAt], seed: int = 0, sample_every_s: int = 10
) -> RunResult:
    """Run ``scenario`` with the trainee's ``actions`` (already parsed) to its end."""
    run = _Run(scenario, seed)
    run.note("state", run.state.id, description=run.state.description)
    for step in scenario.initial:
        run.apply("initial", step.action, step.params)
    events = sorted(scenario.events, key=lambda e: e.at_s)
    pending = sorted(actions, key=lambda a: a.at)
    taken: list[TakenAction] = []
    timeline: list[dict[str, Any]] = []
    arrested = False
    end = int(scenario.duration_s)
    for second in range(end + 1):
        while events and events[0].at_s <= second:
            event = events.pop(0)
            run.apply("event", event.action, event.params, note=event.note)
        while pending and pending[0].at <= second:
            a = pending.pop(0)
            run.apply("action", a.action, a.params, by=a.by)
            checked = ACTIONS[a.action].validate(a.params) if a.action not in PROCEDURES else {}
            taken.append(TakenAction(float(second), a.action, checked, a.by))
            run.handle(a.action, checked)
        if run.ramps:
            run.follow_trends()
        if second % STATE_CHECK_EVERY_S == 0:
            run.check_states()
        if second % sample_every_s == 0:
            v = run.sim.vitals()
            timeline.append(
                {k: v[k] for k in ("time_s", "heart_rate", "systolic_bp", "diastolic_bp",
                                   "mean_bp", "respiration_rate", "spo2", "etco2",
                                   "temperature", "consciousness")}
            )  # fmt: skip
        if run.sim.arrested and not arrested:
            arrested = True
            run.note("arrest", "cardiac_arrest")
        if second < end:
            run.sim.advance(1)
    vitals = run.sim.vitals()
    if holds(scenario.stabilised_when, vitals) and not vitals.arrest:
        outcome = "stabilised"
    elif holds(scenario.untreated_deteriorates_to, vitals):
        outcome = "deteriorated"
    else:
        outcome = "unresolved"
    run.note("end", outcome)
    result_score = score(scenario, taken, stabilised=outcome == "stabilised")
    return RunResult(scenario.id, seed, outcome, vitals, run.log, result_score, timeline)
