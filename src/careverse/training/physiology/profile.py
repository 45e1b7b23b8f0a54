"""The patient a simulation starts from: a healthy adult unless told otherwise."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Sex = Literal["female", "male"]


@dataclass(frozen=True, slots=True)
class PatientProfile:
    """Who the virtual patient is. ``PatientProfile()`` is a healthy 40-year-old 70-kg adult.

    Baselines scale with weight (blood volume 70 mL/kg, metabolism 3.5 mL O2/kg/min) and age
    (resting heart rate, arterial stiffness); the rest of the model is in docs/training.md.
    """

    age_years: float = 40.0
    weight_kg: float = 70.0
    height_cm: float = 175.0
    sex: Sex = "male"
    heart_rate: float = 72.0  # resting, beats/min
    temperature: float = 37.0  # °C
    haemoglobin: float = 14.0  # g/dL

    def __post_init__(self) -> None:
        checks = (
            ("age_years", self.age_years, 16.0, 100.0),
            ("weight_kg", self.weight_kg, 35.0, 200.0),
            ("height_cm", self.height_cm, 130.0, 220.0),
            ("heart_rate", self.heart_rate, 45.0, 110.0),
            ("temperature", self.temperature, 35.5, 37.8),
            ("haemoglobin", self.haemoglobin, 7.0, 19.0),
        )
        for name, value, low, high in checks:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"PatientProfile.{name} must be a number")
            if not math.isfinite(value) or not low <= value <= high:
                raise ValueError(f"PatientProfile.{name} must be between {low:g} and {high:g}")
        if self.sex not in ("female", "male"):
            raise ValueError("PatientProfile.sex must be 'female' or 'male'")

    @property
    def blood_volume_ml(self) -> float:
        """Normal circulating volume: 70 mL/kg for men, 65 mL/kg for women."""
        return self.weight_kg * (70.0 if self.sex == "male" else 65.0)
