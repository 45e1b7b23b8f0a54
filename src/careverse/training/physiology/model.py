"""The lumped-parameter model: state and one fixed step (docs/training.md has the equations
with their sources; the numbers here are the same).

Time constants are seconds; volumes mL unless named ``_l``; pressures mmHg. Every quantity is a
plain float on one object and the step reads them into locals: one step is a few hundred float
operations, so a simulation runs hundreds of times faster than real time.
"""

from __future__ import annotations

import math

from careverse.training.physiology.pharmacology import DRUGS, DrugState
from careverse.training.physiology.profile import PatientProfile

ATMOSPHERE = 760.0  # mmHg at sea level
WATER_VAPOUR = 47.0  # mmHg at 37 °C
RQ = 0.8  # respiratory quotient
MAP_SET = 93.0  # the baroreflex's set point
STRESSED_FRACTION = 0.30  # of the blood volume, at rest (Guyton; Rothe 1983)
ARTERIAL_COMPLIANCE = 1.5  # mL/mmHg at 40 years: pulse pressure = SV / Ca
CO2_STORE_L = 15.0  # effective CO2 capacitance: apnoea raises PaCO2 ~12 mmHg/min
O2_STORE_L = 4.0  # lung O2 store (FRC and blood): apnoea on air desaturates within ~1-2 min
DEAD_SPACE_ML_PER_KG = 2.2
RR_BASE = 14.0
ARREST_MAP = 20.0  # below this for ARREST_AFTER_S: no output (pulseless)
ARREST_HR = 20.0
ARREST_PAO2 = 26.0  # profound hypoxaemia (SaO2 < ~45 %): the heart stops
ARREST_AFTER_S = 5.0
LOW_FLOW_MAP = 30.0  # below this for LOW_FLOW_AFTER_S the heart fails (pulseless activity)
LOW_FLOW_AFTER_S = 60.0
HYPOXIC_ARREST_AFTER_S = 60.0


def severinghaus(po2: float) -> float:
    """Haemoglobin O2 saturation (0..1) at a PO2 in mmHg: Severinghaus JW, J Appl Physiol 1979;
    46:599-602, for standard pH, PCO2 and temperature."""
    if po2 <= 0.0:
        return 0.0
    return 1.0 / (23_400.0 / (po2 * po2 * po2 + 150.0 * po2) + 1.0)


def fio2_for_flow(flow_l_min: float) -> float:
    """Inspired O2 fraction for an O2 flow: nasal cannula ~ +4 % per L/min up to 6 L/min, then a
    simple face mask / reservoir mask up to ~0.85 at 15 L/min (the usual ward rule of thumb)."""
    if flow_l_min <= 0.0:
        return 0.21
    if flow_l_min <= 6.0:
        return 0.21 + 0.04 * flow_l_min
    return min(0.85, 0.45 + (flow_l_min - 6.0) * (0.40 / 9.0))


_EFFECTS = ("adrenaline", "beta_blocker", "sedative", "gtn", "furosemide", "salbutamol")


def _clamp(x: float, low: float, high: float) -> float:
    return low if x < low else high if x > high else x


class Physiology:
    """The patient's state. :class:`~careverse.training.physiology.Simulation` drives it."""

    def __init__(self, profile: PatientProfile) -> None:
        p = profile
        self.profile = p
        w = p.weight_kg
        # --- fixed baselines for this patient ---
        self.v_norm = p.blood_volume_ml
        self.vs_base = self.v_norm * STRESSED_FRACTION
        self.v0_base = self.v_norm - self.vs_base
        self.hr_base = p.heart_rate
        self.sv_base = 70.0 * (w / 70.0) ** 0.75 * 72.0 / p.heart_rate
        self.compliance = (
            ARTERIAL_COMPLIANCE * (w / 70.0) ** 0.5 * (1.0 - 0.006 * (p.age_years - 40))
        )
        self.cvp_base = 6.0
        self.svr_base = (MAP_SET - 0.5 * self.cvp_base) / (self.hr_base * self.sv_base / 1000.0)
        self.vo2_base = 3.5 * w  # mL/min
        self.dead_space = DEAD_SPACE_ML_PER_KG * w
        va_base = 0.863 * RQ * self.vo2_base / 40.0  # L/min for PaCO2 40
        self.vt_base = va_base * 1000.0 / RR_BASE + self.dead_space
        self.ve_base = RR_BASE * self.vt_base / 1000.0
        self.do2_critical = 5.5 * w  # mL/min
        self.t_base = p.temperature
        # --- state ---
        self.volume = self.v_norm  # circulating blood volume
        self.red_cells = self.v_norm * p.haemoglobin / 33.0  # Hct = Hb / MCHC
        self.refill_reserve = 10.0 * w  # interstitial fluid that can refill the vessels
        self.pending_fluid = 0.0  # of boluses, still to run in
        self.sympathetic = 0.5  # baroreflex efferent tone, 0..1 (0.5 at the set point)
        self.map_sensed = MAP_SET
        self.paco2 = 40.0
        self.pao2_alv = 0.21 * (ATMOSPHERE - WATER_VAPOUR) - 0.863 * self.vo2_base / va_base
        self.sao2_shown = severinghaus(self.pao2_alv - 4.0)
        self.temperature = p.temperature
        self.lactate = 1.0
        self.fatigue = 0.0  # respiratory muscle fatigue 0..1
        self.oedema = 0.0  # pulmonary oedema 0..1
        self.mediators = 0.0  # anaphylaxis mediators 0..1
        self.cerebral = 1.0  # smoothed cerebral function index 0..1
        self.fio2 = 0.21
        self.oxygen_flow = 0.0
        self.antibiotics = False
        self.bleeding = True
        self.arrest = False
        self.low_map_s = 0.0
        self.low_flow_s = 0.0
        self.hypoxic_s = 0.0
        # conditions, severity 0..1
        self.haemorrhage = 0.0
        self.sepsis = 0.0
        self.anaphylaxis = 0.0
        self.asthma = 0.0
        self.heart_failure = 0.0
        self.opioid_overdose = 0.0
        self.drugs = {name: DrugState(drug, w) for name, drug in DRUGS.items()}
        # noise (Ornstein-Uhlenbeck, set by the simulation's seeded generator)
        self.noise_hr = 0.0
        self.noise_svr = 0.0
        self.noise_rr = 0.0
        # --- outputs of the last step ---
        self.hr = self.hr_base
        self.sv = self.sv_base
        self.co = self.hr * self.sv / 1000.0
        self.svr = self.svr_base
        self.map = MAP_SET
        self.sbp = MAP_SET + 2.0 / 3.0 * self.sv / self.compliance
        self.dbp = MAP_SET - 1.0 / 3.0 * self.sv / self.compliance
        self.rr = RR_BASE
        self.vt = self.vt_base
        self.ve = self.ve_base
        self.va = va_base
        self.pao2 = self.pao2_alv - 4.0
        self.etco2 = 37.0
        self.lap = 8.0

    # --- the step ---
    def step(self, dt: float) -> None:
        """Advance the whole body by ``dt`` seconds."""
        if self.arrest:
            self._step_arrest(dt)
            return
        drugs = self.drugs
        for state in drugs.values():
            if state.ce > 0.0 or state.central_mg > 0.0 or state.depots:
                state.step(dt)
        naloxone_ratio = drugs["naloxone"].ce / drugs["naloxone"].ec50
        e_op = drugs["morphine"].effect(naloxone_ratio)
        e_adr, e_bb, e_sed, e_gtn, e_furo, e_salb = (drugs[name].effect() for name in _EFFECTS)
        beta1 = e_adr * (1.0 - 0.7 * e_bb)
        beta2 = 1.0 - (1.0 - e_salb) * (1.0 - e_adr * (1.0 - 0.2 * e_bb))

        # --- conditions that evolve ---
        sepsis = self.sepsis
        if sepsis > 0.0:
            # Untreated sepsis worsens (+0.1 per 5 min); antibiotics stop it and it recedes slowly.
            rate = -1.0 / 10_800.0 if self.antibiotics else 1.0 / 3000.0
            sepsis = self.sepsis = _clamp(sepsis + rate * dt, 0.0, 1.0)
        # Anaphylaxis: mediators follow the allergen's severity; adrenaline stabilises mast cells.
        if e_adr > 0.0:  # and, stabilised, the reaction burns out over ~30 min
            self.anaphylaxis -= self.anaphylaxis * e_adr * dt / 1800.0
        target = self.anaphylaxis * (1.0 - 0.85 * e_adr)
        tau = 90.0 if target > self.mediators else 240.0
        mediators = self.mediators = self.mediators + (target - self.mediators) * dt / tau
        spasm = _clamp(self.asthma + 0.8 * mediators, 0.0, 1.0) * (1.0 - 0.85 * beta2)
        hf = self.heart_failure

        # --- blood volume: bleeding, leak, fluids, diuresis, transcapillary exchange ---
        mean_bp = self.map
        volume = self.volume
        bleed = (
            self.haemorrhage * 2.5 * _clamp(mean_bp / MAP_SET, 0.0, 1.5) if self.bleeding else 0.0
        )  # mL/s: severity 1 loses ~150 mL/min at a normal pressure
        leak = 0.15 * sepsis + 1.5 * mediators  # capillary leak, mL/s
        infusion = min(self.pending_fluid, 1.0 * dt) / dt if self.pending_fluid > 0.0 else 0.0
        self.pending_fluid -= infusion * dt
        renal = _clamp((mean_bp - 50.0) / 30.0, 0.0, 1.0)
        diuresis = 0.35 * e_furo * renal  # mL/s, up to ~20 mL/min
        v_set = self.v_norm * (1.0 + 0.15 * hf)  # a failing heart retains salt and water
        if volume > v_set:
            exchange = -(volume - v_set) / 2400.0 * (1.0 + 3.0 * sepsis + 3.0 * mediators)
        else:
            exchange = min((v_set - volume) / 3600.0, self.refill_reserve / 60.0)
            self.refill_reserve -= exchange * dt
        hct = self.red_cells / volume
        self.red_cells -= bleed * hct * dt
        volume = self.volume = max(
            0.25 * self.v_norm, volume + (infusion + exchange - bleed - leak - diuresis) * dt
        )
        haemoglobin = 33.0 * self.red_cells / volume

        # --- baroreflex: sensed MAP → sympathetic tone (Ursino 1998, reduced to one effector) ---
        self.map_sensed += (mean_bp - self.map_sensed) * dt / 2.0
        sao2 = severinghaus(self.pao2)
        hypoxic_push = _clamp((0.90 - sao2) / 0.30, 0.0, 1.0) * 0.25
        s_target = 1.0 / (1.0 + math.exp((self.map_sensed - MAP_SET) / 9.0)) + hypoxic_push
        s_target = _clamp(s_target, 0.0, 1.0)
        sym = self.sympathetic = self.sympathetic + (s_target - self.sympathetic) * dt / 6.0

        # --- heart: Frank-Starling preload, contractility, rate, filling time, afterload ---
        venous_pool = 300.0 * sepsis + 500.0 * mediators + 600.0 * e_gtn + 150.0 * e_sed
        unstressed = self.v0_base * (1.0 - 0.2 * (sym - 0.5)) + venous_pool
        preload = max(0.0, volume - unstressed) / self.vs_base
        starling = preload * 1.6 / (preload + 0.6)
        lactate = self.lactate
        acidosis = _clamp(1.0 - 0.06 * (lactate - 4.0), 0.3, 1.0) if lactate > 4.0 else 1.0
        myocardial_o2 = _clamp((sao2 - 0.35) / 0.35, 0.0, 1.0) if sao2 < 0.7 else 1.0
        contractility = (
            (1.0 + 0.6 * (sym - 0.5) * (1.0 - 0.6 * e_bb))
            * (1.0 + 0.6 * beta1)
            * (1.0 - 0.65 * hf)
            * (1.0 - 0.25 * sepsis)
            * acidosis
            * myocardial_o2
        )
        chrono = 0.5 + (sym - 0.5) * (1.0 - 0.6 * e_bb)
        hr = self.hr_base * math.exp(1.4 * (chrono - 0.5)) * (1.0 + 0.5 * beta1)
        hr *= (1.0 - 0.15 * e_op) * (1.0 - 0.25 * e_bb)
        if self.temperature > 37.0:
            hr += 10.0 * (self.temperature - 37.0)
        if sao2 < 0.6:
            hr *= _clamp((sao2 - 0.3) / 0.3, 0.0, 1.0)  # hypoxic bradycardia
        hr = _clamp(hr + self.noise_hr, 0.0, 220.0)
        if hr > 1.0:
            systole = max(0.2, 0.33 - 0.0008 * (hr - 72.0))
            diastole = max(0.02, 60.0 / hr - systole)
            fill = (1.0 - math.exp(-diastole / 0.22)) / (1.0 - math.exp(-0.503 / 0.22))
        else:
            fill = 0.0
        alpha = e_adr
        svr = (
            self.svr_base
            * math.exp(0.9 * (sym - 0.5))
            * (1.0 - 0.55 * sepsis)
            * (1.0 - 0.65 * mediators)
            * (1.0 + 1.2 * alpha)
            * (1.0 - 0.25 * e_gtn)
            * (1.0 - 0.15 * e_sed)
            * (_clamp(1.0 - 0.04 * (lactate - 6.0), 0.5, 1.0) if lactate > 6.0 else 1.0)
            * (1.0 + self.noise_svr)
        )
        afterload = (self.svr_base / svr) ** (0.15 + 0.6 * hf)
        sv = self.sv_base * contractility * starling * fill * afterload
        co = hr * sv / 1000.0
        cvp = 2.0 + 4.0 * preload
        mean_bp = co * svr + cvp * 0.5
        pulse = sv / self.compliance
        self.hr, self.sv, self.co, self.svr, self.map = hr, sv, co, svr, mean_bp
        self.sbp = mean_bp + 2.0 / 3.0 * pulse
        self.dbp = max(0.0, mean_bp - 1.0 / 3.0 * pulse)
        # Left atrial pressure rises with preload and a failing ventricle: over 18 mmHg the lungs
        # fill with oedema; below it they clear (over ~20 min).
        lap = self.lap = 8.0 * preload**1.5 / (1.0 - 0.7 * hf)
        d_oedema = max(0.0, lap - 18.0) / 6000.0 - (self.oedema / 1200.0 if lap < 16.0 else 0.0)
        self.oedema = _clamp(self.oedema + d_oedema * dt, 0.0, 1.0)

        # --- metabolism: O2 delivery and consumption, lactate, temperature ---
        fever = self.temperature - 37.0
        vo2_demand = self.vo2_base * (1.0 + 0.1 * fever + 0.3 * sepsis + 0.2 * spasm)
        cao2 = 1.34 * haemoglobin * sao2 + 0.003 * self.pao2  # mL O2/dL
        do2 = co * cao2 * 10.0  # mL/min
        vo2 = min(vo2_demand, 0.75 * do2)
        deficit = _clamp((self.do2_critical - do2) / self.do2_critical, 0.0, 1.0)
        production = (deficit * 1.2 + sepsis * 0.06) / 60.0
        clearance = (lactate - 1.0) / 1800.0 * _clamp(co / 5.0, 0.1, 1.0)
        self.lactate = max(0.5, lactate + (production - clearance) * dt)
        t_set = self.t_base + 2.2 * sepsis
        self.temperature += (t_set - self.temperature) * dt / 1200.0

        # --- breathing: chemoreflex drive, mechanics, gas exchange ---
        paco2 = self.paco2
        pao2 = self.pao2
        central = 1.0 + 0.25 * (1.0 - 0.8 * e_op) * (paco2 - 40.0)  # hypocapnia damps the rest
        peripheral = max(-0.2, 15.0 * (1.0 / max(3.0, pao2 - 32.0) - 1.0 / 68.0)) * (
            1.0 - 0.6 * e_op
        )
        metabolic = 0.2 * (lactate - 2.0) if lactate > 2.0 else 0.0
        irritant = 0.6 * spasm + 0.6 * sepsis + 0.4 * self.oedema + 0.2 * fever * (fever > 0)
        brainstem = _clamp((mean_bp - 25.0) / 25.0, 0.0, 1.0)
        narcosis = _clamp(1.0 - (paco2 - 80.0) / 40.0, 0.0, 1.0) if paco2 > 80.0 else 1.0
        drive = (
            max(0.0, central + peripheral + metabolic + irritant)
            * (1.0 - 0.95 * e_op)
            * (1.0 - 0.35 * e_sed)
            * narcosis
            * brainstem
        )
        d_fatigue = (spasm * drive - 0.9) / 900.0 if spasm * drive > 0.9 else -self.fatigue / 1800.0
        fatigue = self.fatigue = _clamp(self.fatigue + d_fatigue * dt, 0.0, 1.0)
        ve_max = self.ve_base * 8.0 * (1.0 - 0.8 * spasm) * (1.0 - 0.8 * fatigue)
        ve = min(self.ve_base * drive, ve_max)
        rr = RR_BASE * max(drive, 0.0) ** 0.55 * (1.0 - 0.55 * e_op) * (1.0 + 0.5 * spasm)
        rr = rr * (1.0 - 0.6 * fatigue) + self.noise_rr
        if rr < 2.0 or ve < 0.2:
            rr = ve = vt = va = 0.0
        else:
            rr = min(rr, 60.0)
            vt = min(ve * 1000.0 / rr, 3000.0)
            va = rr * max(0.0, vt - self.dead_space * (1.0 + 0.6 * spasm)) / 1000.0
        self.rr, self.ve, self.vt, self.va = rr, ve, vt, va
        vco2 = RQ * vo2
        # CO2 mass balance: at steady state PaCO2 = 0.863 VCO2 / VA.
        paco2 += (0.863 * vco2 - va * paco2) / CO2_STORE_L * dt / 60.0
        self.paco2 = paco2 = _clamp(paco2, 10.0, 150.0)
        # O2 mass balance: at steady state PAO2 = PIO2 - 0.863 VO2 / VA, which is the alveolar
        # gas equation PAO2 = PIO2 - PaCO2 / R (with VCO2 = R VO2).
        pio2 = self.fio2 * (ATMOSPHERE - WATER_VAPOUR)
        alv = self.pao2_alv
        alv += (va * (pio2 - alv) - 0.863 * vo2) / O2_STORE_L * dt / 60.0
        alv = self.pao2_alv = _clamp(alv, 15.0, pio2)
        mismatch = min(0.85, 0.35 * spasm + 0.25 * sepsis + 0.7 * self.oedema)
        pao2 = self.pao2 = max(15.0, (alv - 4.0) * (1.0 - mismatch))
        # The oximeter shows arterial saturation with ~8 s of circulation and averaging delay.
        self.sao2_shown += (severinghaus(pao2) - self.sao2_shown) * dt / 8.0
        perfusion = _clamp(co / 3.5, 0.0, 1.0)
        self.etco2 = max(0.0, paco2 - 3.0 - 8.0 * spasm) * perfusion if rr > 0.0 else 0.0

        # --- consciousness: perfusion, oxygen, CO2 narcosis, drugs, sepsis ---
        index = (
            _clamp((mean_bp - 35.0) / 25.0, 0.0, 1.0)
            * _clamp((sao2 - 0.6) / 0.22, 0.0, 1.0)
            * (_clamp((115.0 - paco2) / 45.0, 0.0, 1.0) if paco2 > 70.0 else 1.0)
            * (1.0 - 0.9 * e_sed)
            * (1.0 - 0.7 * e_op)
            * (1.0 - 0.25 * sepsis)
        )
        self.cerebral += (index - self.cerebral) * dt / 10.0

        # --- arrest: no output, or the heart stops for want of oxygen ---
        self.low_map_s = self.low_map_s + dt if (mean_bp < ARREST_MAP or hr < ARREST_HR) else 0.0
        self.low_flow_s = self.low_flow_s + dt if mean_bp < LOW_FLOW_MAP else 0.0
        self.hypoxic_s = self.hypoxic_s + dt if pao2 < ARREST_PAO2 + 0.5 else 0.0
        if (
            self.low_map_s >= ARREST_AFTER_S
            or self.low_flow_s >= LOW_FLOW_AFTER_S
            or self.hypoxic_s >= HYPOXIC_ARREST_AFTER_S
        ):
            self.arrest = True

    def _step_arrest(self, dt: float) -> None:
        """Cardiac arrest: no output, no breathing; nothing here restarts the heart (CPR and
        defibrillation are not modelled)."""
        self.hr = self.sv = self.co = self.rr = self.ve = self.vt = self.va = 0.0
        self.map = self.sbp = self.dbp = 0.0
        self.etco2 = 0.0
        self.cerebral = 0.0
        self.sao2_shown += (0.0 - self.sao2_shown) * dt / 30.0
        self.temperature += (self.t_base - 1.0 - self.temperature) * dt / 3600.0
        for state in self.drugs.values():
            state.step(dt)

    @property
    def consciousness(self) -> str:
        """ACVPU from the cerebral function index."""
        c = self.cerebral
        if self.arrest or c < 0.2:
            return "U"
        if c < 0.4:
            return "P"
        if c < 0.6:
            return "V"
        if c < 0.8:
            return "C"
        return "A"
