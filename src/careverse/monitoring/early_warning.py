"""A patient's NEWS2 now: each parameter's latest reading, the clinician's bedside observations,
the patient's SpO2 scale, and the finding it makes (low-medium, medium or high risk fires).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.monitoring import news2, units
from careverse.monitoring.alert_models import ClinicalObservation, PatientMonitoringSettings
from careverse.monitoring.findings import Finding, amount, hhmm
from careverse.monitoring.models import Reading

# NEWS2 parameter → LOINC code of the reading it comes from.
NEWS2_CODES = {
    "respiration_rate": units.RESPIRATORY_RATE,
    "spo2": units.SPO2,
    "systolic_bp": units.SYSTOLIC,
    "pulse": units.HEART_RATE,
    "temperature": units.TEMPERATURE,
}
NEWS2_INPUT_CODES = frozenset({*NEWS2_CODES.values(), units.O2_FLOW})
NEWS2_SEVERITY = {"low-medium": "low", "medium": "medium", "high": "high"}
RISK_RANK = {None: 0, "low": 1, "low-medium": 2, "medium": 3, "high": 4}

PARAMETER_WORDS = {
    "respiration_rate": "respiration",
    "spo2": "SpO2",
    "on_oxygen": "oxygen",
    "systolic_bp": "systolic BP",
    "pulse": "pulse",
    "consciousness": "consciousness",
    "temperature": "temperature",
}


@dataclass(frozen=True)
class News2Now:
    """A patient's current NEWS2: the score (None when nothing was observed) and its inputs.

    ``measured``: NEWS2 parameter (respiration_rate, spo2, systolic_bp, pulse, temperature) →
    the value of its latest reading; ``consciousness`` (ACVPU) and ``on_oxygen``: None when not
    observed.
    """

    result: news2.News2 | None
    at: datetime | None
    spo2_scale: int
    measured: dict[str, float] = field(default_factory=dict)
    consciousness: str | None = None
    on_oxygen: bool | None = None

    def as_json(self) -> dict:
        if self.result is None:
            return {
                "total": None, "risk": None, "partial": True, "missing": list(news2.PARAMETERS),
                "at": None, "scores": {}, "spo2_scale": self.spo2_scale,
            }  # fmt: skip
        return {
            "total": self.result.total,
            "risk": self.result.risk,
            "partial": self.result.partial,
            "missing": list(self.result.missing),
            "at": self.at.isoformat() if self.at else None,
            "scores": dict(self.result.scores),
            "spo2_scale": self.spo2_scale,
        }


async def latest_readings(
    session: AsyncSession,
    patient_id: uuid.UUID,
    codes: Iterable[str],
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Reading]:
    """The newest reading of each code measured in [since, until], in one round trip (one
    indexed newest-first lookup per code, as subqueries)."""

    def newest_of(code: str):
        query = select(Reading.id).where(Reading.patient_id == patient_id, Reading.code == code)
        if since is not None:
            query = query.where(Reading.effective_at >= since)
        if until is not None:
            query = query.where(Reading.effective_at <= until)
        order = (Reading.effective_at.desc(), Reading.id.desc())
        return query.order_by(*order).limit(1).scalar_subquery()

    newest = [newest_of(code) for code in sorted(codes)]
    if not newest:
        return {}
    rows = await session.scalars(select(Reading).where(or_(*(Reading.id == n for n in newest))))
    return {r.code: r for r in rows.all()}


async def spo2_scale_of(session: AsyncSession, patient_id: uuid.UUID) -> int:
    row = await session.get(PatientMonitoringSettings, patient_id)
    return row.spo2_scale if row else 1


async def current_news2(
    session: AsyncSession, patient_id: uuid.UUID, settings: Settings, now: datetime | None = None
) -> News2Now:
    """NEWS2 from each parameter's latest reading within the window, plus the clinician's
    latest ACVPU and air/oxygen observation (oxygen also from an O2 flow reading above 0)."""
    now = now or clock.now()
    scale = await spo2_scale_of(session, patient_id)
    since = now - timedelta(minutes=settings.news2_window_minutes)
    latest = await latest_readings(session, patient_id, NEWS2_INPUT_CODES, since, now)

    obs_since = now - timedelta(hours=settings.news2_observation_hours)
    # One query for both: a clinician's recent observations, newest first (there are few).
    observations = (
        await session.scalars(
            select(ClinicalObservation)
            .where(
                ClinicalObservation.patient_id == patient_id,
                ClinicalObservation.observed_at >= obs_since,
                ClinicalObservation.observed_at <= now,
            )
            .order_by(ClinicalObservation.observed_at.desc())
            .limit(50)
        )
    ).all()
    return news2_of(latest, list(observations), scale)


def news2_of(
    latest: dict[str, Reading], observations: list[ClinicalObservation], scale: int
) -> News2Now:
    """NEWS2 from each input code's latest reading and the clinician's observations (newest
    first), on SpO2 scale ``scale``: the pure part of :func:`current_news2`."""
    measured = {p: latest[c].value for p, c in NEWS2_CODES.items() if c in latest}
    times = [clock.as_utc(r.effective_at) for r in latest.values()]
    consciousness: str | None = None
    consciousness_obs = next((o for o in observations if o.consciousness is not None), None)
    if consciousness_obs is not None:
        consciousness = consciousness_obs.consciousness
        times.append(consciousness_obs.observed_at)
    oxygen_obs = next((o for o in observations if o.on_oxygen is not None), None)
    flow = latest.get(units.O2_FLOW)
    on_oxygen: bool | None = None
    oxygen_at: datetime | None = None
    if flow is not None:
        on_oxygen, oxygen_at = flow.value > 0, clock.as_utc(flow.effective_at)
    if oxygen_obs is not None and (oxygen_at is None or oxygen_obs.observed_at > oxygen_at):
        on_oxygen, oxygen_at = bool(oxygen_obs.on_oxygen), oxygen_obs.observed_at
    if oxygen_at is not None:
        times.append(oxygen_at)

    if not measured and consciousness is None and on_oxygen is None:
        return News2Now(None, None, scale)
    result = news2.score(
        respiration_rate=measured.get("respiration_rate"),
        spo2=measured.get("spo2"),
        on_oxygen=on_oxygen,
        systolic_bp=measured.get("systolic_bp"),
        pulse=measured.get("pulse"),
        consciousness=consciousness,
        temperature=measured.get("temperature"),
        spo2_scale=scale,
    )
    return News2Now(result, max(times), scale, measured, consciousness, on_oxygen)


def _news2_part(now: News2Now, parameter: str, points: int) -> str:
    if parameter == "on_oxygen":
        return f"on oxygen ({points})"
    if parameter == "consciousness":
        return f"consciousness {now.consciousness} ({points})"
    code = NEWS2_CODES[parameter]
    return f"{PARAMETER_WORDS[parameter]} {amount(code, float(now.measured[parameter]))} ({points})"


def news2_finding(now: News2Now) -> Finding:
    """An alert-worthy NEWS2 is low-medium, medium or high; severity low, medium, high."""
    result = now.result
    if result is None or result.risk == "low":
        return Finding(key="news2", source="news2", firing=False)
    parts = [
        _news2_part(now, p, s) for p, s in result.scores.items() if s > 0
    ]  # fmt: skip
    why = f"NEWS2 {result.total}: " + ", ".join(parts)
    if now.at is not None:
        why += f"; latest at {hhmm(now.at)}"
    if result.partial:
        missing = ", ".join(PARAMETER_WORDS[m] for m in result.missing)
        why += f" (partial: no {missing})"
    if now.spo2_scale == 2:
        why += " (SpO2 scale 2)"
    title = f"NEWS2 {result.total} — {result.risk} risk"
    if result.risk == "low-medium":
        title += " (a single parameter scored 3)"
    return Finding(
        key="news2",
        source="news2",
        firing=True,
        severity=NEWS2_SEVERITY[result.risk],
        title=title,
        why=why + ".",
    )
