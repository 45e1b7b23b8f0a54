"""The virtual patient's physiology engine: a lumped-parameter whole-body model written for
Careverse (docs/training.md has its equations, parameters, sources and limits).

    sim = Simulation(patient=PatientProfile(), seed=1)
    sim.apply("haemorrhage", severity=0.5)
    sim.advance(600)
    sim.vitals().heart_rate
"""

from __future__ import annotations

from careverse.training.physiology.actions import ACTIONS, CONDITIONS
from careverse.training.physiology.model import fio2_for_flow, severinghaus
from careverse.training.physiology.profile import PatientProfile
from careverse.training.physiology.simulation import (
    RATE_HZ,
    AppliedAction,
    Simulation,
    Vitals,
)

__all__ = [
    "ACTIONS",
    "CONDITIONS",
    "RATE_HZ",
    "AppliedAction",
    "PatientProfile",
    "Simulation",
    "Vitals",
    "fio2_for_flow",
    "severinghaus",
]
