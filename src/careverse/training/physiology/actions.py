"""The actions a simulation accepts, their parameters, and what each does to the body.

Conditions take ``severity`` 0..1 (0 clears the condition; applying again sets the new
severity). Interventions take the parameters a clinician would give. Anything else raises a
``ValueError`` that names the action or the parameter and says what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from careverse.training.physiology.model import Physiology, fio2_for_flow
from careverse.training.physiology.pharmacology import DRUGS

Value = float | str


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter: a number in [low, high], or one of ``choices``; no default = required."""

    name: str
    low: float = 0.0
    high: float = 0.0
    choices: tuple[str, ...] = ()
    default: Value | None = None

    def check(self, action: str, value: object) -> Value:
        if self.choices:
            if not isinstance(value, str) or value not in self.choices:
                allowed = ", ".join(repr(c) for c in self.choices)
                raise ValueError(f"{action}: {self.name} must be one of {allowed}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{action}: {self.name} must be a number")
        number = float(value)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            raise ValueError(
                f"{action}: {self.name} must be between {self.low:g} and {self.high:g}"
            )
        return number


@dataclass(frozen=True, slots=True)
class Action:
    """An action's name, kind (``condition`` or ``intervention``), parameters and effect."""

    name: str
    kind: str
    params: tuple[Param, ...]
    perform: Callable[[Physiology, dict[str, Value]], None]
    summary: str = ""
    param_names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_names", frozenset(p.name for p in self.params))

    def validate(self, given: Mapping[str, object]) -> dict[str, Value]:
        """The parameters checked, with defaults filled in."""
        unknown = sorted(set(given) - self.param_names)
        if unknown:
            allowed = ", ".join(sorted(self.param_names)) or "none"
            raise ValueError(
                f"{self.name}: unknown parameter {', '.join(unknown)} (allowed: {allowed})"
            )
        out: dict[str, Value] = {}
        for param in self.params:
            if param.name in given:
                out[param.name] = param.check(self.name, given[param.name])
            elif param.default is not None:
                out[param.name] = param.default
            else:
                raise ValueError(f"{self.name}: {param.name} is required")
        return out


SEVERITY = (Param("severity", 0.0, 1.0),)


def _condition(name: str) -> Callable[[Physiology, dict[str, Value]], None]:
    def perform(body: Physiology, params: dict[str, Value]) -> None:
        setattr(body, name, float(params["severity"]))

    return perform


def _haemorrhage(body: Physiology, params: dict[str, Value]) -> None:
    body.haemorrhage = float(params["severity"])
    body.bleeding = body.haemorrhage > 0.0


def _opioid_overdose(body: Physiology, params: dict[str, Value]) -> None:
    # The severity is the opioid's effect at presentation (taken before the scenario starts):
    # 0.5 slows breathing, 0.9 leaves a few breaths a minute, 1 stops it.
    body.opioid_overdose = float(params["severity"])
    body.drugs["morphine"].at_equilibrium(0.5 + 0.5 * body.opioid_overdose)
    if body.opioid_overdose == 0.0:
        body.drugs["morphine"].at_equilibrium(0.0)


def _drug(name: str) -> Callable[[Physiology, dict[str, Value]], None]:
    drug = DRUGS[name]

    def perform(body: Physiology, params: dict[str, Value]) -> None:
        body.drugs[name].dose(float(params["dose_mg"]), drug.routes[str(params["route"])])

    return perform


def _oxygen(body: Physiology, params: dict[str, Value]) -> None:
    body.oxygen_flow = float(params["flow_l_min"])
    body.fio2 = fio2_for_flow(body.oxygen_flow)


def _fluid_bolus(body: Physiology, params: dict[str, Value]) -> None:
    body.pending_fluid += float(params["volume_ml"])  # runs in at 60 mL/min (500 mL in ~8 min)


def _stop_bleeding(body: Physiology, params: dict[str, Value]) -> None:
    body.bleeding = False


def _antibiotics(body: Physiology, params: dict[str, Value]) -> None:
    body.antibiotics = True


def _drug_action(name: str, default_route: str, summary: str) -> Action:
    drug = DRUGS[name]
    routes = tuple(drug.routes)
    return Action(
        name,
        "intervention",
        (
            Param("dose_mg", 1e-6, drug.max_dose_mg),
            Param("route", choices=routes, default=default_route),
        ),
        _drug(name),
        summary,
    )


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("haemorrhage", "condition", SEVERITY, _haemorrhage, "bleeding, ~150 mL/min at 1"),
        Action("sepsis", "condition", SEVERITY, _condition("sepsis"),
               "vasodilation, capillary leak, fever; worsens until antibiotics"),
        Action("anaphylaxis", "condition", SEVERITY, _condition("anaphylaxis"),
               "vasodilation, capillary leak, bronchospasm"),
        Action("asthma", "condition", SEVERITY, _condition("asthma"),
               "bronchospasm; the breathing muscles tire"),
        Action("opioid_overdose", "condition", SEVERITY, _opioid_overdose,
               "ventilatory depression and sedation"),
        Action("heart_failure", "condition", SEVERITY, _condition("heart_failure"),
               "weak ventricle, fluid retention, pulmonary oedema"),
        Action("oxygen", "intervention", (Param("flow_l_min", 0.0, 15.0),), _oxygen,
               "0 stops it"),
        Action("fluid_bolus", "intervention", (Param("volume_ml", 1.0, 3000.0),), _fluid_bolus,
               "crystalloid at 60 mL/min"),
        Action("stop_bleeding", "intervention", (), _stop_bleeding, "haemostasis"),
        Action("antibiotics", "intervention", (), _antibiotics, "stops sepsis worsening"),
        _drug_action("adrenaline", "im", "alpha and beta agonist, stabilises mast cells"),
        _drug_action("naloxone", "iv", "competitive opioid antagonist"),
        _drug_action("salbutamol", "neb", "beta-2 agonist bronchodilator"),
        _drug_action("morphine", "iv", "opioid"),
        _drug_action("beta_blocker", "iv", "beta-1 selective blocker (metoprolol)"),
        _drug_action("sedative", "iv", "benzodiazepine (midazolam)"),
        _drug_action("gtn", "sl", "nitrate venodilator"),
        _drug_action("furosemide", "iv", "loop diuretic"),
    )
}  # fmt: skip

CONDITIONS = tuple(name for name, a in ACTIONS.items() if a.kind == "condition")


def action(name: object) -> Action:
    """The action called ``name``, or a ``ValueError`` naming it and listing the known ones."""
    if not isinstance(name, str) or name not in ACTIONS:
        raise ValueError(f"unknown action {name!r}; known: {', '.join(ACTIONS)}")
    return ACTIONS[name]
