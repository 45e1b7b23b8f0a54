"""Pharmacokinetics and -dynamics: one compartment with first-order absorption from a depot,
first-order elimination and an effect site (Sheiner's ke0), then an Emax (Hill) effect.

    d(depot)/dt   = -ka · depot                      (one depot per absorption rate)
    d(central)/dt =  F·ka · depot - ke · central     (IV doses go straight into central)
    d(Ce)/dt      =  ke0 · (central / Vd - Ce)
    E             =  Ce^h / (Ce^h + EC50^h)          (0..1)

Rates are ln 2 / half-life. The figures below are rounded from standard references (product
characteristics, Goodman & Gilman's tables) and then set so that the usual adult dose gives the
usual clinical effect in this model; they are teaching values, not dosing advice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LN2 = math.log(2.0)


@dataclass(frozen=True, slots=True)
class Route:
    """How a dose gets in: ``bioavailability`` (F) and the absorption half-life (0: into plasma)."""

    bioavailability: float
    absorption_half_life_s: float


@dataclass(frozen=True, slots=True)
class Drug:
    """One drug's PK/PD parameters (see the module's docstring for the equations)."""

    name: str
    routes: dict[str, Route]
    half_life_s: float
    effect_half_life_s: float
    volume_l_per_kg: float
    ec50_mg_l: float
    hill: float
    max_dose_mg: float  # more in one dose is refused as implausible (a typo), not simulated
    usual_dose_mg: float


DRUGS: dict[str, Drug] = {
    d.name: d
    for d in (
        # Adrenaline: plasma half-life ~2-3 min; IM into the thigh peaks in ~8 min (Simons 1998).
        Drug(
            "adrenaline",
            {"im": Route(0.8, 240.0), "iv": Route(1.0, 0.0)},
            half_life_s=180.0, effect_half_life_s=60.0, volume_l_per_kg=0.2,
            ec50_mg_l=0.008, hill=1.0, max_dose_mg=10.0, usual_dose_mg=0.5,
        ),
        # Salbutamol by nebuliser: the effect is on the airway; onset ~5 min, lasts 4-6 h.
        Drug(
            "salbutamol",
            {"neb": Route(1.0, 120.0), "mdi": Route(0.5, 60.0)},
            half_life_s=14_400.0, effect_half_life_s=90.0, volume_l_per_kg=1.0,
            ec50_mg_l=0.025, hill=1.0, max_dose_mg=20.0, usual_dose_mg=5.0,
        ),
        # Morphine: half-life ~2.5 h; the ventilatory effect lags the plasma by ~15 min.
        Drug(
            "morphine",
            {
                "iv": Route(1.0, 0.0), "im": Route(1.0, 600.0), "sc": Route(1.0, 600.0),
                "oral": Route(0.3, 1800.0),
            },
            half_life_s=9000.0, effect_half_life_s=600.0, volume_l_per_kg=3.5,
            ec50_mg_l=0.025, hill=2.0, max_dose_mg=200.0, usual_dose_mg=5.0,
        ),
        # Naloxone: half-life ~64 min (shorter than most opioids: renarcotisation), IV onset
        # 1-2 min, intranasal about half as available. Its "EC50" is the antagonist's Ki.
        Drug(
            "naloxone",
            {"iv": Route(1.0, 0.0), "im": Route(1.0, 240.0), "in": Route(0.5, 360.0)},
            half_life_s=3840.0, effect_half_life_s=90.0, volume_l_per_kg=2.0,
            ec50_mg_l=0.0002, hill=1.0, max_dose_mg=10.0, usual_dose_mg=0.4,
        ),
        # A beta-1-selective blocker (metoprolol): half-life ~3.5 h, oral F ~0.5.
        Drug(
            "beta_blocker",
            {"iv": Route(1.0, 0.0), "oral": Route(0.5, 2400.0)},
            half_life_s=12_600.0, effect_half_life_s=600.0, volume_l_per_kg=4.0,
            ec50_mg_l=0.012, hill=1.0, max_dose_mg=200.0, usual_dose_mg=5.0,
        ),
        # A benzodiazepine sedative (midazolam): half-life ~2.5 h, effect site ~3 min.
        Drug(
            "sedative",
            {
                "iv": Route(1.0, 0.0), "im": Route(0.9, 600.0), "in": Route(0.6, 300.0),
                "buccal": Route(0.75, 600.0),
            },
            half_life_s=9000.0, effect_half_life_s=180.0, volume_l_per_kg=1.0,
            ec50_mg_l=0.05, hill=1.5, max_dose_mg=50.0, usual_dose_mg=2.0,
        ),
        # Glyceryl trinitrate: sublingual onset ~2 min, effect ~20-30 min; a venodilator.
        Drug(
            "gtn",
            {"sl": Route(0.4, 120.0), "iv": Route(1.0, 0.0)},
            half_life_s=480.0, effect_half_life_s=60.0, volume_l_per_kg=3.0,
            ec50_mg_l=0.0006, hill=1.0, max_dose_mg=5.0, usual_dose_mg=0.4,
        ),
        # Furosemide: half-life ~1.5 h; diuresis starts within ~5 min IV, peaks ~30 min.
        Drug(
            "furosemide",
            {"iv": Route(1.0, 0.0), "oral": Route(0.5, 1800.0)},
            half_life_s=5400.0, effect_half_life_s=600.0, volume_l_per_kg=0.15,
            ec50_mg_l=2.0, hill=1.0, max_dose_mg=500.0, usual_dose_mg=40.0,
        ),
    )
}  # fmt: skip


class DrugState:
    """The amounts of one drug in one patient: depots, plasma (central), effect site."""

    __slots__ = ("ce", "central_mg", "depots", "ec50", "hill", "ke", "ke0", "volume_l")

    def __init__(self, drug: Drug, weight_kg: float) -> None:
        self.depots: list[list[float]] = []  # [amount mg (bioavailable part), ka per s]
        self.central_mg = 0.0
        self.ce = 0.0  # effect-site concentration, mg/L
        self.ke = LN2 / drug.half_life_s
        self.ke0 = LN2 / drug.effect_half_life_s
        self.volume_l = drug.volume_l_per_kg * weight_kg
        self.ec50 = drug.ec50_mg_l
        self.hill = drug.hill

    def dose(self, amount_mg: float, route: Route) -> None:
        """Give ``amount_mg`` by ``route``."""
        absorbed = amount_mg * route.bioavailability
        if route.absorption_half_life_s <= 0.0:
            self.central_mg += absorbed
            return
        ka = LN2 / route.absorption_half_life_s
        for depot in self.depots:
            if depot[1] == ka:
                depot[0] += absorbed
                return
        self.depots.append([absorbed, ka])

    def at_equilibrium(self, effect: float) -> None:
        """Set plasma and effect site to the concentration that gives ``effect`` (0..1) now,
        as for a drug taken before the simulation starts."""
        effect = min(max(effect, 0.0), 0.995)
        ce = self.ec50 * (effect / (1.0 - effect)) ** (1.0 / self.hill) if effect > 0 else 0.0
        self.ce = ce
        self.central_mg = ce * self.volume_l

    def step(self, dt: float) -> None:
        """Advance ``dt`` seconds (explicit Euler: every rate here is far below 1/dt)."""
        central = self.central_mg
        for depot in self.depots:
            moved = depot[0] * depot[1] * dt
            depot[0] -= moved
            central += moved
        central -= central * self.ke * dt
        self.central_mg = central
        self.ce += (central / self.volume_l - self.ce) * self.ke0 * dt

    def effect(self, antagonist_ratio: float = 0.0) -> float:
        """The Emax effect, 0..1; a competitive antagonist at ``antagonist_ratio`` (its
        concentration over its Ki) shifts the EC50 right by (1 + ratio)."""
        if self.ce <= 0.0:
            return 0.0
        x = (self.ce / (self.ec50 * (1.0 + antagonist_ratio))) ** self.hill
        return x / (1.0 + x)

    @property
    def present(self) -> bool:
        """Anything left worth stepping."""
        return self.central_mg > 1e-9 or self.ce > 1e-12 or any(d[0] > 1e-9 for d in self.depots)
