"""Care-plan rules: what each says about a patient right now, and every check of a patient.

Every evaluation answers a :class:`~careverse.monitoring.findings.Finding` (firing or not, with a
plain sentence of the values that fired it); :func:`findings_for` gathers NEWS2's and the rules'
for the evaluator. What clinicians set (rules, NEWS2 settings, observations) is in
:mod:`careverse.monitoring.care_plan`; each rule is read through its kind's typed view
(:mod:`careverse.monitoring.rule_kinds`).

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

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.monitoring import readings
from careverse.monitoring.alert_models import CarePlanRule
from careverse.monitoring.early_warning import NEWS2_INPUT_CODES, current_news2, news2_finding
from careverse.monitoring.findings import (
    OP_WORDS,
    OPS,
    Finding,
    amount,
    day_hhmm,
    hhmm,
    label_of,
)
from careverse.monitoring.models import Reading
from careverse.monitoring.rule_kinds import (
    NoData,
    RuleView,
    Sustained,
    Threshold,
    Trend,
    known_kind,
    rule_view,
)


def rule_title(rule: CarePlanRule) -> str:
    """The rule in words ("SpO2 below 92 %"), or the clinician's label for it."""
    return rule.label or _describe(rule_view(rule))


def _describe(view: RuleView) -> str:
    if isinstance(view, NoData):
        what = f"{label_of(view.code).lower()} readings" if view.code else "readings"
        return f"No {what} for {view.hours:g} h"
    label = label_of(view.code)
    if isinstance(view, Trend):
        direction = "up" if view.change > 0 else "down"
        size = amount(view.code, abs(view.change))
        return f"{label} {direction} more than {size} in {view.days:g} days"
    condition = f"{label} {OP_WORDS[view.op]} {amount(view.code, view.value)}"
    if isinstance(view, Sustained):
        return f"{condition} for {view.minutes} min"
    return condition


def _quiet(rule: CarePlanRule) -> Finding:
    return Finding(key=f"rule:{rule.id}", source="rule", rule_id=rule.id, firing=False)


def _fired(rule: CarePlanRule, view: RuleView, why: str) -> Finding:
    return Finding(
        key=f"rule:{rule.id}",
        source="rule",
        rule_id=rule.id,
        firing=True,
        severity=rule.severity,
        title=rule.label or _describe(view),
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
    is not missed. A rule of a kind this version does not know is quiet; a known kind without a
    field it needs raises :class:`~careverse.monitoring.rule_kinds.InconsistentRule`.
    """
    if not known_kind(rule):
        return _quiet(rule)
    return await _evaluate(session, rule, rule_view(rule), now, fresh, newest)


async def _evaluate(
    session: AsyncSession,
    rule: CarePlanRule,
    view: RuleView,
    now: datetime | None,
    fresh: list[Reading] | None,
    newest: Reading | None,
) -> Finding:
    now = now or clock.now()
    if isinstance(view, NoData):
        return await _no_data(session, rule, view, now)
    if newest is None:
        newest = (await readings.latest(session, rule.patient_id, [view.code])).get(view.code)
    if newest is None:
        return _quiet(rule)
    at = clock.as_utc(newest.effective_at)
    if isinstance(view, Threshold):
        meets = OPS[view.op]
        breaches = [r for r in (fresh or [newest]) if meets(r.value, view.value)]
        if not breaches:
            return _quiet(rule)
        low = view.op in ("<", "<=")
        worst = min(breaches, key=lambda r: r.value if low else -r.value)
        why = (
            f"{label_of(view.code)} {amount(view.code, worst.value)} "
            f"{OP_WORDS[view.op]} {amount(view.code, view.value)} at {hhmm(worst.effective_at)}"
        )
        return _fired(rule, view, why + ".")
    if isinstance(view, Sustained):
        return await _sustained(session, rule, view, at)
    return await _trend(session, rule, view, newest.value, at)


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


async def _sustained(
    session: AsyncSession, rule: CarePlanRule, view: Sustained, newest_at: datetime
) -> Finding:
    span = timedelta(minutes=view.minutes)
    points = await readings.series(
        session, rule.patient_id, view.code, newest_at - 2 * span, newest_at + timedelta(seconds=1)
    )
    meets = OPS[view.op]
    run: list[tuple[datetime, float]] = []
    for at, value in reversed(points):
        if not meets(value, view.value):
            break
        run.append((clock.as_utc(at), value))
    if not run or run[0][0] - run[-1][0] < span:
        return _quiet(rule)
    low, high = min(v for _, v in run), max(v for _, v in run)
    lasted = int((run[0][0] - run[-1][0]).total_seconds() // 60)
    why = (
        f"{label_of(view.code)} {OP_WORDS[view.op]} {amount(view.code, view.value)} for "
        f"{lasted} min: {len(run)} readings from {amount(view.code, low)} to "
        f"{amount(view.code, high)}, {hhmm(run[-1][0])} to {hhmm(run[0][0])}."
    )
    return _fired(rule, view, why)


async def _trend(
    session: AsyncSession, rule: CarePlanRule, view: Trend, newest: float, newest_at: datetime
) -> Finding:
    start = newest_at - timedelta(days=view.days)
    points = await readings.series(session, rule.patient_id, view.code, start, newest_at)
    if not points:
        return _quiet(rule)
    first_at, first = clock.as_utc(points[0][0]), points[0][1]
    change = newest - first
    fires = change > view.change if view.change > 0 else change < view.change
    if not fires:
        return _quiet(rule)
    direction = "up" if change > 0 else "down"
    why = (
        f"{label_of(view.code)} {direction} {amount(view.code, abs(change))} in "
        f"{(newest_at - first_at).total_seconds() / 86400:.1f} days: "
        f"{amount(view.code, first)} on {day_hhmm(first_at)}, "
        f"{amount(view.code, newest)} on {day_hhmm(newest_at)}."
    )
    return _fired(rule, view, why)


async def _no_data(
    session: AsyncSession, rule: CarePlanRule, view: NoData, now: datetime
) -> Finding:
    last = await readings.last_reading_at(session, rule.patient_id, view.code)
    since = max(last, rule.created_at) if last else rule.created_at
    if now - since < timedelta(hours=view.hours):
        return _quiet(rule)
    what = f"{label_of(view.code).lower()} reading" if view.code else "reading"
    hours = (now - since).total_seconds() / 3600
    if last is None or last < rule.created_at:
        why = f"No {what} in the {hours:.1f} h since this rule was set ({day_hhmm(since)})."
    else:
        why = f"No {what} for {hours:.1f} h; the last was at {day_hhmm(last)}."
    return _fired(rule, view, why)


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
    views = {r.id: rule_view(r) for r in rules if known_kind(r)}
    wanted = {v.code for v in views.values() if not isinstance(v, NoData)}
    newest = await readings.latest(session, patient_id, wanted) if wanted else {}
    fresh: dict[str, list[Reading]] = {}
    if marks is not None:
        for code in {v.code for v in views.values() if isinstance(v, Threshold)} & set(newest):
            mark = marks.get(code)
            rows = await fresh_readings(session, newest[code], mark) if mark else []
            fresh[code] = rows
            marks[code] = max([r.id for r in rows] + [newest[code].id, mark or 0])
    for rule in rules:
        view = views.get(rule.id)
        if view is None:  # a kind this version does not know: it cannot fire
            found.append(_quiet(rule))
            continue
        if isinstance(view, NoData):  # counts the time since a reading: needs no newest one
            found.append(await _evaluate(session, rule, view, None, None, None))
            continue
        found.append(
            await _evaluate(
                session, rule, view, None, fresh.get(view.code) or None, newest.get(view.code)
            )
        )
    return found
