"""One live run of a scenario in the simulation lab: the headless runner's story (events, states,
trends, handlers, arrest) advanced second by second as the lab's clock runs, with the trainees'
actions and the instructor's injections applied when they happen and written to the event log.

Pure: no I/O, no clock of its own. The world's lab (world/lab.py) advances it from the space's
tick and tells everyone; at the end :meth:`LiveRun.finish` judges the outcome and scores the
team (every action) and each trainee (their own actions) with the scenario's scoring.
"""

from __future__ import annotations

from typing import Any

from careverse.training.physiology import ACTIONS
from careverse.training.scenarios import load
from careverse.training.scenarios.runner import STATE_CHECK_EVERY_S, _Run, holds
from careverse.training.scenarios.schema import PROCEDURES, ParamValue, Scenario
from careverse.training.scenarios.scoring import TakenAction, score

# What a trainee may do beyond the engine's interventions: the scenarios' procedures, and
# bedside acts the engine does not model yet (logged and scored by scenarios that ask).
BEDSIDE: dict[str, str] = {**PROCEDURES, "defibrillation": "delivers a shock (not modelled)"}
MONITOR = (
    "heart_rate", "systolic_bp", "diastolic_bp", "mean_bp", "respiration_rate", "spo2",
    "etco2", "temperature", "consciousness", "arrest", "on_oxygen",
)  # fmt: skip
SAMPLE_EVERY_S = 5  # the debrief's timeline


def interventions() -> list[dict[str, Any]]:
    """What the trainees' panel offers: each intervention with its parameters, then the
    bedside procedures (no parameters)."""
    out: list[dict[str, Any]] = []
    for action in ACTIONS.values():
        if action.kind != "intervention":
            continue
        params = [
            {
                "name": p.name, "low": p.low, "high": p.high, "choices": list(p.choices),
                "default": p.default,
            }
            for p in action.params
        ]  # fmt: skip
        out.append({"name": action.name, "summary": action.summary, "params": params})
    out += [{"name": k, "summary": v, "params": []} for k, v in BEDSIDE.items()]
    return out


def check_trainee_action(name: str, params: dict[str, ParamValue]) -> dict[str, ParamValue]:
    """A trainee's action checked (a ValueError says what is wrong): interventions and bedside
    procedures only; conditions are the instructor's."""
    if name in BEDSIDE:
        if params:
            raise ValueError(f"{name}: takes no parameters")
        return {}
    action = ACTIONS.get(name)
    if action is None or action.kind != "intervention":
        known = ", ".join(i["name"] for i in interventions())
        raise ValueError(f"unknown action {name!r}; known: {known}")
    return action.validate(dict(params))


def check_injection(name: str, params: dict[str, ParamValue]) -> dict[str, ParamValue]:
    """An instructor's injection: any engine action (a condition's new severity, a drug)."""
    action = ACTIONS.get(name)
    if action is None:
        raise ValueError(f"unknown action {name!r}; known: {', '.join(ACTIONS)}")
    return action.validate(dict(params))


class LiveRun:
    """A scenario running live; ``advance`` moves it on whole seconds of scenario time."""

    def __init__(self, scenario: Scenario | str, seed: int = 0) -> None:
        self.scenario = load(scenario) if isinstance(scenario, str) else scenario
        self._run = _Run(self.scenario, seed)
        self._run.note("state", self._run.state.id, description=self._run.state.description)
        for step in self.scenario.initial:
            self._run.apply("initial", step.action, step.params)
        self._events = sorted(self.scenario.events, key=lambda e: e.at_s)
        self.taken: list[TakenAction] = []
        self.timeline: list[dict[str, Any]] = []
        self.second = 0
        self.arrested = False
        self.outcome: str | None = None
        self._sample()

    @property
    def log(self) -> list[dict[str, Any]]:
        return self._run.log

    @property
    def time_s(self) -> float:
        return self._run.sim.time_s

    @property
    def over(self) -> bool:
        """The scenario's time is up (the lab then finishes it)."""
        return self.second >= int(self.scenario.duration_s)

    def vitals(self) -> dict[str, Any]:
        """What the bedside monitor shows."""
        v = self._run.sim.vitals()
        return {k: v[k] for k in MONITOR}

    def advance(self, seconds: int) -> int:
        """Move on up to ``seconds`` whole seconds (not past the end); answers how many."""
        done = 0
        while done < seconds and not self.over:
            self._run.sim.advance(1)
            self.second += 1
            done += 1
            run = self._run
            while self._events and self._events[0].at_s <= self.second:
                event = self._events.pop(0)
                run.apply("event", event.action, event.params, note=event.note)
            if run.ramps:
                run.follow_trends()
            if self.second % STATE_CHECK_EVERY_S == 0:
                run.check_states()
            if run.sim.arrested and not self.arrested:
                self.arrested = True
                run.note("arrest", "cardiac_arrest")
            if self.second % SAMPLE_EVERY_S == 0:
                self._sample()
        return done

    def act(
        self, name: str, params: dict[str, ParamValue], by: str, **detail: Any
    ) -> dict[str, Any]:
        """A trainee's action (already checked) now: applied, logged, kept for the score."""
        run = self._run
        if name in ACTIONS:
            run.apply("action", name, params, by=by, **detail)
        else:
            run.note("action", name, params=params, by=by, **detail)
        entry = run.log[-1]
        self.taken.append(TakenAction(float(self.second), name, dict(params), by))
        run.handle(name, params)
        return entry

    def inject(self, name: str, params: dict[str, ParamValue], by: str, **detail: Any) -> None:
        """The instructor's change (already checked): an event in the log, not in the score."""
        self._run.apply("event", name, params, note="instructor", by=by, **detail)

    def note(self, kind: str, name: str, **detail: Any) -> None:
        self._run.note(kind, name, **detail)

    def finish(self, reason: str) -> dict[str, Any]:
        """Judge the end now: the outcome, the team's score and each trainee's own."""
        vitals = self._run.sim.vitals()
        if holds(self.scenario.stabilised_when, vitals) and not vitals.arrest:
            outcome = "stabilised"
        elif holds(self.scenario.untreated_deteriorates_to, vitals):
            outcome = "deteriorated"
        else:
            outcome = "unresolved"
        self.outcome = outcome
        self._sample()
        self._run.note("end", outcome, reason=reason)
        stabilised = outcome == "stabilised"
        team = score(self.scenario, self.taken, stabilised=stabilised).as_dict()
        people = sorted({t.by for t in self.taken if t.by})
        individual = {
            who: score(
                self.scenario, [t for t in self.taken if t.by == who], stabilised=stabilised
            ).as_dict()
            for who in people
        }
        return {"outcome": outcome, "score": team, "individual": individual}

    def _sample(self) -> None:
        v = self._run.sim.vitals()
        row = {k: v[k] for k in MONITOR if k not in ("arrest", "on_oxygen")}
        row["time_s"] = round(v.time_s, 1)
        if self.timeline and self.timeline[-1]["time_s"] == row["time_s"]:
            self.timeline[-1] = row
        else:
            self.timeline.append(row)
