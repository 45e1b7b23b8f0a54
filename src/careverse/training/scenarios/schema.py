"""What a scenario is, as data: the JSON files beside this module are validated by
:class:`Scenario` (pydantic). A scenario names the patient, the conditions at the start, states
with their entry trends, timed events, handlers (what a correct action does to the story),
learning objectives, expected actions with time limits and weights, critical errors, and how
the end is judged (stabilised, or deteriorated as written)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from careverse.training.physiology import ACTIONS, CONDITIONS, PatientProfile

# Actions a trainee takes that change nothing in the body but count in the score.
PROCEDURES: dict[str, str] = {
    "call_for_help": "calls for senior help",
    "iv_access": "gains intravenous access",
    "attach_monitor": "attaches the monitor",
    "abcde_assessment": "assesses airway, breathing, circulation, disability, exposure",
}

Seconds = Annotated[float, Field(ge=0, le=24 * 3600)]
ParamValue = float | str
VITALS = (
    "heart_rate", "systolic_bp", "diastolic_bp", "mean_bp", "respiration_rate", "spo2",
    "temperature", "etco2", "lactate", "paco2", "blood_volume",
)  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_action(name: str, params: dict[str, ParamValue]) -> None:
    """A ValueError naming the action or parameter the engine or the procedures do not know."""
    if name in PROCEDURES:
        if params:
            raise ValueError(f"{name}: takes no parameters")
        return
    if name not in ACTIONS:
        known = ", ".join([*ACTIONS, *PROCEDURES])
        raise ValueError(f"unknown action {name!r}; known: {known}")
    ACTIONS[name].validate(dict(params))


class Step(_Strict):
    """One action with its parameters."""

    action: str
    params: dict[str, ParamValue] = {}

    @model_validator(mode="after")
    def _known(self) -> Step:
        check_action(self.action, self.params)
        return self


class TimedEvent(Step):
    """Something the scenario does at a time (a deterioration, a new finding)."""

    at_s: Seconds
    note: str = ""


class Trend(_Strict):
    """On entering a state, a condition's severity moves to ``to_severity`` over ``over_s``."""

    condition: Literal[CONDITIONS]  # type: ignore[valid-type]
    to_severity: float = Field(ge=0, le=1)
    over_s: float = Field(gt=0, le=3600)


class Bound(_Strict):
    min: float | None = None
    max: float | None = None


class Criteria(_Strict):
    """Vitals within bounds (all must hold); ``arrest`` true/false if it matters."""

    vitals: dict[Literal[VITALS], Bound] = {}  # type: ignore[valid-type]
    arrest: bool | None = None


class State(_Strict):
    """A phase of the story. Entered from ``from_states`` (any if empty) once ``after_s`` has
    passed and ``when`` holds (a state with neither is reached only through a handler); on
    entry its trends start, and leaving it ends them."""

    id: str = Field(min_length=1, max_length=40)
    description: str
    from_states: list[str] = []
    after_s: Seconds | None = None
    when: Criteria | None = None
    trends: list[Trend] = []


class Match(_Strict):
    """Which applied actions count: the action, and optionally parameter values."""

    action: str
    equals: dict[str, str] = {}
    at_least: dict[str, float] = {}
    at_most: dict[str, float] = {}

    @model_validator(mode="after")
    def _known(self) -> Match:
        if self.action not in ACTIONS and self.action not in PROCEDURES:
            raise ValueError(f"unknown action {self.action!r}")
        return self


class Handler(_Strict):
    """What a correct action does to the story: more steps, and a new state."""

    on: Match
    then: list[Step] = []
    goto: str | None = None
    note: str = ""


class ExpectedAction(_Strict):
    id: str
    description: str
    match: Match
    within_s: Seconds
    weight: float = Field(gt=0, le=100)
    critical: bool = False


class CriticalError(_Strict):
    id: str
    kind: Literal["wrong_drug", "overdose", "contraindicated", "wrong_route"]
    description: str
    match: Match
    penalty: float = Field(ge=0, le=100)


class PatientSpec(_Strict):
    age_years: float = 40
    weight_kg: float = 70
    sex: Literal["female", "male"] = "male"
    history: str = ""

    def profile(self) -> PatientProfile:
        return PatientProfile(age_years=self.age_years, weight_kg=self.weight_kg, sex=self.sex)


class Scenario(_Strict):
    """A whole scenario; see the module's docstring."""

    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    title: str
    condition: Literal[CONDITIONS]  # type: ignore[valid-type]
    summary: str
    duration_s: float = Field(gt=0, le=4 * 3600)
    patient: PatientSpec = PatientSpec()
    initial: list[Step] = Field(min_length=1)
    states: list[State] = Field(min_length=1)
    events: list[TimedEvent] = []
    handlers: list[Handler] = []
    learning_objectives: list[str] = Field(min_length=1)
    expected_actions: list[ExpectedAction] = Field(min_length=1)
    critical_errors: list[CriticalError] = []
    stabilised_when: Criteria
    untreated_deteriorates_to: Criteria

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        self.patient.profile()  # the profile's own bounds
        ids = [s.id for s in self.states]
        if len(set(ids)) != len(ids):
            raise ValueError("state ids must be unique")
        for state in self.states:
            for name in state.from_states:
                if name not in ids:
                    raise ValueError(f"state {state.id}: from_states names unknown state {name!r}")
        for handler in self.handlers:
            if handler.goto is not None and handler.goto not in ids:
                raise ValueError(f"a handler goes to unknown state {handler.goto!r}")
        expected = [e.id for e in self.expected_actions]
        if len(set(expected)) != len(expected):
            raise ValueError("expected action ids must be unique")
        for event in self.events:
            if event.at_s > self.duration_s:
                raise ValueError(f"event {event.action} at {event.at_s:g} s is after the end")
        return self
