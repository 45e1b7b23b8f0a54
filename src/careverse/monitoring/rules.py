"""NEWS2 from the latest readings, and care-plan rules: what each says about a patient right now.

Every evaluation answers a :class:`Finding` (firing or not, with a plain sentence of the values
that fired it); :mod:`careverse.monitoring.alerts` turns findings into alerts.

How each rule kind reads the readings (times are the readings' own measurement times):

- **threshold** — a reading of the code meets ``op value``: on ingest, any reading that arrived
  since the last evaluation (the worst is named); otherwise the newest reading.
- **sustained** — the newest reading and every reading before it in an unbroken run meet
  ``op value``, and that run spans at least ``minutes`` (from its first reading to the newest).
  One reading that does not meet it breaks the run.
- **trend** — the change from the *earliest* to the *newest* reading within ``days`` before the
  newest reading (not a fitted slope: clinical guidance such as "weight up more than 2 kg in 3 days"
  compares two weighings). ``change`` > 0 fires when the rise exceeds it, < 0 when the fall does.
- **no_data** — no reading (of ``code``, or of any code) for ``hours``, counted from the newest
  reading or from when the rule was set, whichever is later (a new rule does not fire at once for
  a device that was already off).
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, require_role
from careverse.monitoring import news2, readings, units
from careverse.monitoring.alert_models import (
    CarePlanRule,
    ClinicalObservation,
    PatientMonitoringSettings,
)
from careverse.monitoring.models import Reading

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
OP_WORDS = {"<": "below", "<=": "at or below", ">": "above", ">=": "at or above"}

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

SHORT_LABELS = {
    units.HEART_RATE: "Heart rate",
    units.SPO2: "SpO2",
    units.SYSTOLIC: "Systolic BP",
    units.DIASTOLIC: "Diastolic BP",
    units.TEMPERATURE: "Temperature",
    units.RESPIRATORY_RATE: "Respiratory rate",
    units.WEIGHT: "Weight",
    units.GLUCOSE: "Glucose",
    units.STEPS: "Steps",
    units.O2_FLOW: "Oxygen flow",
}
DISPLAY_UNITS = {"mm[Hg]": "mmHg", "Cel": "°C", "{steps}": "steps", "/min": "/min"}
PARAMETER_WORDS = {
    "respiration_rate": "respiration",
    "spo2": "SpO2",
    "on_oxygen": "oxygen",
    "systolic_bp": "systolic BP",
    "pulse": "pulse",
    "consciousness": "consciousness",
    "temperature": "temperature",
}


def label_of(code: str) -> str:
    known = units.CODES.get(code)
    return SHORT_LABELS.get(code) or (known.label if known else code)


def unit_of(code: str) -> str:
    known = units.CODES.get(code)
    unit = known.unit if known else ""
    return DISPLAY_UNITS.get(unit, unit)


def amount(code: str, value: float) -> str:
    """'89 %', '38.4 °C', '120 /min': a value as a clinician reads it."""
    unit = unit_of(code)
    number = f"{round(value, 1):g}"
    return f"{number} {unit}".strip()


def hhmm(at: datetime) -> str:
    return clock.as_utc(at).strftime("%H:%M UTC")


def day_hhmm(at: datetime) -> str:
    return clock.as_utc(at).strftime("%d %b %H:%M UTC")


@dataclass(frozen=True, slots=True)
class Finding:
    """What one check says now; ``key`` names the condition (one live alert per key)."""

    key: str
    source: str  # news2 | rule
    firing: bool
    rule_id: uuid.UUID | None = None
    severity: str = "low"
    title: str = ""
    why: str = ""


# ---- NEWS2 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class News2Now:
    """A patient's current NEWS2: the score (None when nothing was observed) and its inputs."""

    result: news2.News2 | None
    at: datetime | None
    spo2_scale: int
    values: dict[str, float | bool | str] = field(default_factory=dict)

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
    values: dict[str, float | bool | str] = {
        p: latest[c].value for p, c in NEWS2_CODES.items() if c in latest
    }
    times = [clock.as_utc(r.effective_at) for r in latest.values()]

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
    consciousness = next((o for o in observations if o.consciousness is not None), None)
    if consciousness is not None:
        values["consciousness"] = consciousness.consciousness
        times.append(consciousness.observed_at)
    oxygen_obs = next((o for o in observations if o.on_oxygen is not None), None)
    flow = latest.get(units.O2_FLOW)
    oxygen_at: datetime | None = None
    if flow is not None:
        values["on_oxygen"], oxygen_at = flow.value > 0, clock.as_utc(flow.effective_at)
    if oxygen_obs is not None and (oxygen_at is None or oxygen_obs.observed_at > oxygen_at):
        values["on_oxygen"], oxygen_at = bool(oxygen_obs.on_oxygen), oxygen_obs.observed_at
    if oxygen_at is not None:
        times.append(oxygen_at)

    if not values:
        return News2Now(None, None, scale)
    result = news2.score(
        respiration_rate=values.get("respiration_rate"),
        spo2=values.get("spo2"),
        on_oxygen=values.get("on_oxygen"),
        systolic_bp=values.get("systolic_bp"),
        pulse=values.get("pulse"),
        consciousness=values.get("consciousness"),
        temperature=values.get("temperature"),
        spo2_scale=scale,
    )
    return News2Now(result, max(times), scale, values)


def _news2_part(parameter: str, value: float | bool | str, points: int) -> str:
    if parameter == "on_oxygen":
        return f"on oxygen ({points})"
    if parameter == "consciousness":
        return f"consciousness {value} ({points})"
    code = NEWS2_CODES[parameter]
    return f"{PARAMETER_WORDS[parameter]} {amount(code, float(value))} ({points})"


def news2_finding(now: News2Now) -> Finding:
    """An alert-worthy NEWS2 is low-medium, medium or high; severity low, medium, high."""
    result = now.result
    if result is None or result.risk == "low":
        return Finding(key="news2", source="news2", firing=False)
    parts = [
        _news2_part(p, now.values[p], s) for p, s in result.scores.items() if s > 0
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


# ---- care-plan rules --------------------------------------------------------------------------


def rule_title(rule: CarePlanRule) -> str:
    if rule.label:
        return rule.label
    if rule.kind == "no_data":
        what = f"{label_of(rule.code).lower()} readings" if rule.code else "readings"
        return f"No {what} for {rule.hours:g} h"
    label = label_of(rule.code or "")
    if rule.kind == "trend":
        direction = "up" if (rule.change or 0) > 0 else "down"
        size = amount(rule.code, abs(rule.change))
        return f"{label} {direction} more than {size} in {rule.days:g} days"
    condition = f"{label} {OP_WORDS[rule.op]} {amount(rule.code, rule.value)}"
    if rule.kind == "sustained":
        return f"{condition} for {rule.minutes} min"
    return condition


def _quiet(rule: CarePlanRule) -> Finding:
    return Finding(key=f"rule:{rule.id}", source="rule", rule_id=rule.id, firing=False)


def _fired(rule: CarePlanRule, why: str) -> Finding:
    return Finding(
        key=f"rule:{rule.id}",
        source="rule",
        rule_id=rule.id,
        firing=True,
        severity=rule.severity,
        title=rule_title(rule),
        why=why,
    )


async def evaluate_rule(
    session: AsyncSession,
    rule: CarePlanRule,
    now: datetime | None = None,
    fresh: list[Reading] | None = None,
    newest: Reading | None = None,
) -> Finding:
    """What one care-plan rule says about its patient now (``newest``: its code's newest reading,
    when the caller has it).

    ``fresh``: readings of the rule's code that arrived since the last evaluation (when known);
    a threshold then fires on the worst of them, so a breach followed at once by a normal value
    is not missed.
    """
    now = now or clock.now()
    if rule.kind == "no_data":
        return await _no_data(session, rule, now)
    if newest is None:
        newest = (await readings.latest(session, rule.patient_id, [rule.code])).get(rule.code)
    if newest is None:
        return _quiet(rule)
    at = clock.as_utc(newest.effective_at)
    if rule.kind == "threshold":
        meets = OPS[rule.op]
        breaches = [r for r in (fresh or [newest]) if meets(r.value, rule.value)]
        if not breaches:
            return _quiet(rule)
        low = rule.op in ("<", "<=")
        worst = min(breaches, key=lambda r: r.value if low else -r.value)
        why = (
            f"{label_of(rule.code)} {amount(rule.code, worst.value)} "
            f"{OP_WORDS[rule.op]} {amount(rule.code, rule.value)} at {hhmm(worst.effective_at)}"
        )
        return _fired(rule, why + ".")
    if rule.kind == "sustained":
        return await _sustained(session, rule, at)
    if rule.kind == "trend":
        return await _trend(session, rule, newest.value, at)
    return _quiet(rule)


FRESH_LOOKBACK = timedelta(days=1)


async def fresh_readings(session: AsyncSession, newest: Reading, after_id: int) -> list[Reading]:
    """Readings of the newest reading's code stored after the reading ``after_id`` (measured
    within a day of the newest: a back-filled week of data is judged by the rules over time, not
    one by one)."""
    rows = await session.scalars(
        select(Reading).where(
            Reading.patient_id == newest.patient_id,
            Reading.code == newest.code,
            Reading.effective_at >= clock.as_utc(newest.effective_at) - FRESH_LOOKBACK,
            Reading.id > after_id,
        )
    )
    return list(rows.all())


async def _sustained(session: AsyncSession, rule: CarePlanRule, newest_at: datetime) -> Finding:
    span = timedelta(minutes=rule.minutes)
    points = await readings.series(
        session, rule.patient_id, rule.code, newest_at - 2 * span, newest_at + timedelta(seconds=1)
    )
    meets = OPS[rule.op]
    run: list[tuple[datetime, float]] = []
    for at, value in reversed(points):
        if not meets(value, rule.value):
            break
        run.append((clock.as_utc(at), value))
    if not run or run[0][0] - run[-1][0] < span:
        return _quiet(rule)
    low, high = min(v for _, v in run), max(v for _, v in run)
    lasted = int((run[0][0] - run[-1][0]).total_seconds() // 60)
    why = (
        f"{label_of(rule.code)} {OP_WORDS[rule.op]} {amount(rule.code, rule.value)} for "
        f"{lasted} min: {len(run)} readings from {amount(rule.code, low)} to "
        f"{amount(rule.code, high)}, {hhmm(run[-1][0])} to {hhmm(run[0][0])}."
    )
    return _fired(rule, why)


async def _trend(
    session: AsyncSession, rule: CarePlanRule, newest: float, newest_at: datetime
) -> Finding:
    start = newest_at - timedelta(days=rule.days)
    points = await readings.series(session, rule.patient_id, rule.code, start, newest_at)
    if not points:
        return _quiet(rule)
    first_at, first = clock.as_utc(points[0][0]), points[0][1]
    change = newest - first
    fires = change > rule.change if rule.change > 0 else change < rule.change
    if not fires:
        return _quiet(rule)
    direction = "up" if change > 0 else "down"
    why = (
        f"{label_of(rule.code)} {direction} {amount(rule.code, abs(change))} in "
        f"{(newest_at - first_at).total_seconds() / 86400:.1f} days: "
        f"{amount(rule.code, first)} on {day_hhmm(first_at)}, "
        f"{amount(rule.code, newest)} on {day_hhmm(newest_at)}."
    )
    return _fired(rule, why)


async def _no_data(session: AsyncSession, rule: CarePlanRule, now: datetime) -> Finding:
    last = await readings.last_reading_at(session, rule.patient_id, rule.code)
    since = max(last, rule.created_at) if last else rule.created_at
    if now - since < timedelta(hours=rule.hours):
        return _quiet(rule)
    what = f"{label_of(rule.code).lower()} reading" if rule.code else "reading"
    hours = (now - since).total_seconds() / 3600
    if last is None or last < rule.created_at:
        why = f"No {what} in the {hours:.1f} h since this rule was set ({day_hhmm(since)})."
    else:
        why = f"No {what} for {hours:.1f} h; the last was at {day_hhmm(last)}."
    return _fired(rule, why)


async def active_rules(
    session: AsyncSession, patient_id: uuid.UUID | None = None, kind: str | None = None
) -> list[CarePlanRule]:
    query = select(CarePlanRule).where(CarePlanRule.deleted_at.is_(None))
    if patient_id is not None:
        query = query.where(CarePlanRule.patient_id == patient_id)
    if kind is not None:
        query = query.where(CarePlanRule.kind == kind)
    return list((await session.scalars(query.order_by(CarePlanRule.created_at))).all())


async def findings_for(
    session: AsyncSession,
    patient_id: uuid.UUID,
    settings: Settings,
    codes: frozenset[str] | None = None,
    marks: dict[str, int] | None = None,
) -> list[Finding]:
    """Every check of a patient that new readings of ``codes`` (None: any) could change.

    ``marks`` (code → id of the newest reading already judged) lets threshold rules look at every
    reading that arrived since; it is updated in place.
    """
    found: list[Finding] = []
    if codes is None or codes & NEWS2_INPUT_CODES:
        found.append(news2_finding(await current_news2(session, patient_id, settings)))
    rules = [
        r for r in await active_rules(session, patient_id)
        if codes is None or r.kind == "no_data" or r.code in codes
    ]  # fmt: skip
    wanted = {r.code for r in rules if r.kind != "no_data"}
    newest = await readings.latest(session, patient_id, wanted) if wanted else {}
    fresh: dict[str, list[Reading]] = {}
    if marks is not None:
        for code in {r.code for r in rules if r.kind == "threshold"} & set(newest):
            mark = marks.get(code)
            rows = await fresh_readings(session, newest[code], mark) if mark else []
            fresh[code] = rows
            marks[code] = max([r.id for r in rows] + [newest[code].id, mark or 0])
    for rule in rules:
        found.append(
            await evaluate_rule(
                session, rule, fresh=fresh.get(rule.code) or None, newest=newest.get(rule.code)
            )
        )
    return found


# ---- what clinicians set: rules, NEWS2 settings and bedside observations ------------------------


@dataclass(frozen=True)
class RuleInput:
    kind: str
    severity: str
    code: str | None = None
    op: str | None = None
    value: float | None = None
    minutes: int | None = None
    change: float | None = None
    days: float | None = None
    hours: float | None = None
    label: str | None = None


class RuleService:
    """Care-plan rules (targets), the SpO2 scale and ACVPU/oxygen observations of a patient."""

    def __init__(self, session: AsyncSession, settings: Settings, notifier=None):
        self.session = session
        self.settings = settings
        self.notifier = notifier  # alerts.Notifier: announces alerts a deleted rule resolves

    async def rules(self, actor: Actor, patient_id: uuid.UUID) -> list[CarePlanRule]:
        """A patient's active rules: clinicians, and the patient or a caregiver ("targets")."""
        await authorize(self.session, actor, patient_id, Category.VITALS, resource_type="Rule")
        found = await active_rules(self.session, patient_id)
        await self.session.commit()
        return found

    async def add_rule(self, actor: Actor, patient_id: uuid.UUID, rule: RuleInput) -> CarePlanRule:
        require_role(actor, Role.CLINICIAN)
        await authorize(
            self.session, actor, patient_id, Category.VITALS, write=True, resource_type="Rule"
        )
        if rule.code is not None and rule.code not in units.CODES:
            raise InvalidInput("That code is not one monitoring stores.", field="code")
        row = CarePlanRule(patient_id=patient_id, created_by=actor.account_id, **vars(rule))
        self.session.add(row)
        await self.session.flush()
        audit.record(
            self.session, "monitoring.rule.create", actor=actor, patient_id=patient_id,
            resource_type="Rule", resource_id=row.id, detail={"kind": rule.kind},
        )  # fmt: skip
        await self.session.commit()
        return row

    async def delete_rule(self, actor: Actor, rule_id: uuid.UUID) -> CarePlanRule:
        require_role(actor, Role.CLINICIAN)
        rule = await self.session.get(CarePlanRule, rule_id)
        if rule is None or rule.deleted_at is not None:
            raise NotFound("Not found.")
        await authorize(
            self.session, actor, rule.patient_id, Category.VITALS, write=True,
            resource_type="Rule", resource_id=rule.id,
        )  # fmt: skip
        from careverse.monitoring.alerts import resolve_rule_alerts  # alerts imports this module

        rule.deleted_at = clock.now()
        audit.record(
            self.session, "monitoring.rule.delete", actor=actor, patient_id=rule.patient_id,
            resource_type="Rule", resource_id=rule.id,
        )  # fmt: skip
        changes = await resolve_rule_alerts(self.session, rule.id, actor)
        await self.session.commit()
        if self.notifier is not None:
            for change in changes:
                await self.notifier.announce(self.session, change)
            await self.session.commit()
        return rule

    async def set_spo2_scale(self, actor: Actor, patient_id: uuid.UUID, scale: int) -> int:
        require_role(actor, Role.CLINICIAN)
        await authorize(
            self.session, actor, patient_id, Category.VITALS, write=True,
            resource_type="MonitoringSettings",
        )  # fmt: skip
        if scale not in (1, 2):
            raise InvalidInput("The SpO2 scale is 1 or 2.", field="spo2_scale")
        row = await self.session.get(PatientMonitoringSettings, patient_id)
        if row is None:
            row = PatientMonitoringSettings(patient_id=patient_id)
            self.session.add(row)
        row.spo2_scale, row.updated_at, row.updated_by = scale, clock.now(), actor.account_id
        audit.record(
            self.session, "monitoring.news2-settings.update", actor=actor, patient_id=patient_id,
            resource_type="MonitoringSettings", resource_id=patient_id,
        )  # fmt: skip
        await self.session.commit()
        return scale

    async def observe(
        self,
        actor: Actor,
        patient_id: uuid.UUID,
        consciousness: str | None,
        on_oxygen: bool | None,
        observed_at: datetime | None = None,
    ) -> ClinicalObservation:
        require_role(actor, Role.CLINICIAN)
        await authorize(
            self.session, actor, patient_id, Category.VITALS, write=True,
            resource_type="Observation",
        )  # fmt: skip
        if consciousness is None and on_oxygen is None:
            raise InvalidInput("Give the level of consciousness, air or oxygen, or both.")
        level = news2.consciousness_level(consciousness) if consciousness is not None else None
        when = observed_at or clock.now()
        if when > clock.now() + timedelta(minutes=5):
            raise InvalidInput("An observation cannot be in the future.", field="observed_at")
        row = ClinicalObservation(
            patient_id=patient_id, consciousness=level, on_oxygen=on_oxygen, observed_at=when,
            recorded_by=actor.account_id,
        )  # fmt: skip
        self.session.add(row)
        await self.session.flush()
        audit.record(
            self.session, "monitoring.observation.create", actor=actor, patient_id=patient_id,
            resource_type="Observation", resource_id=row.id,
        )  # fmt: skip
        await self.session.commit()
        return row
