"""The fairness audit: every audited algorithm's metrics disaggregated by age band, sex,
ethnicity and language (docs/research.md, "Fairness and transparency").

Data comes only through other capabilities' narrow read functions
(``identity.patients.demographics_for_audit``, ``monitoring.audit_facts``); only aggregates
leave this module, small cells suppressed. Researchers and admins may run it; the run is audited.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import threading
import uuid
from collections import OrderedDict
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.patients import demographics_for_audit
from careverse.kernel import audit, clock
from careverse.kernel.actor import Actor, Role, require_role
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.audit_facts import AlertFact, alert_facts, monitored_patients
from careverse.research.fairness import (
    N_BOOT,
    RATIO_HIGH,
    RATIO_LOW,
    SMALL_CELL,
    Disaggregation,
    age_band,
    disaggregate,
)
from careverse.research.fairness_algorithms import ALGORITHMS

AUDIT_ROLES = (Role.RESEARCHER, Role.ADMIN)
AUDIT_N_BOOT = N_BOOT
CACHE_SIZE = 8
_CACHE: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
# The bootstrap takes from seconds to a minute on a busy machine: a request waits this long for
# it, then answers "computing" (the API's 202) while it goes on; the next request for the same
# inputs waits on the same computation instead of starting another.
WAIT_SECONDS = 2.0
_RUNNING: dict[str, asyncio.Future[list[dict[str, Any]]]] = {}
DIMENSIONS = ("age_band", "sex", "ethnicity", "language")
NOT_RECORDED = {"ethnicity": "Ethnicity is not recorded in Careverse."}
ALERT_SOURCE = {"news2": "news2", "care_plan": "rule"}
RULE_TEXT = (
    f"Groups with fewer than {SMALL_CELL} are shown as '< {SMALL_CELL}'. A disparity is flagged "
    f"when the ratio of the lowest to the highest group is outside {RATIO_LOW:g}-{RATIO_HIGH:g} "
    "and its 95 % bootstrap interval excludes 1."
)


async def fairness_audit(
    session: AsyncSession,
    actor: Actor,
    *,
    days: int = 90,
    seed: int = 0,
    n_boot: int | None = None,
) -> dict[str, Any] | None:
    """Run the audit over the last ``days`` days and answer it (JSON-ready); ``n_boot``
    bootstrap resamples (default ``AUDIT_N_BOOT``). None when the computation has not finished
    within ``WAIT_SECONDS`` (None: wait for it): it goes on, and a later call gets it."""
    require_role(actor, *AUDIT_ROLES)
    n_boot = n_boot or AUDIT_N_BOOT
    now = clock.now()
    since = now - timedelta(days=days)
    async with unit_of_work(session):
        people = await demographics_for_audit(session)
        monitored = await monitored_patients(session, since)
        alerts = await alert_facts(session, since)
        audit.record(
            session, "research.fairness_audit", actor=actor, purpose="research",
            detail={"days": days, "patients": len(monitored | {a.patient_id for a in alerts})},
        )  # fmt: skip
    today = now.date().isoformat()
    groups = {
        p.patient_id: {
            "age_band": age_band(p.birth_date, today),
            "sex": p.sex or "unknown",
            "language": (p.preferred_language or "not recorded").split("-")[0].lower(),
        }
        for p in people
    }
    key = _key(groups, monitored, alerts, seed, n_boot)
    running = _RUNNING.get(key)
    if running is None:
        running = asyncio.ensure_future(
            asyncio.to_thread(_cached_compute, key, groups, monitored, alerts, seed, n_boot)
        )
        _RUNNING[key] = running
        running.add_done_callback(lambda _done: _RUNNING.pop(key, None))
    try:
        result = await asyncio.wait_for(asyncio.shield(running), WAIT_SECONDS)
    except TimeoutError:
        return None
    return {
        "generated_at": now.isoformat(), "window_days": days, "seed": seed, "n_boot": n_boot,
        "small_cell": SMALL_CELL, "rule": RULE_TEXT, "algorithms": result,
    }  # fmt: skip


def _key(
    groups: dict[uuid.UUID, dict[str, str]],
    monitored: set[uuid.UUID],
    alerts: list[AlertFact],
    seed: int,
    n_boot: int,
) -> str:
    """The inputs, hashed exactly."""
    return hashlib.sha256(
        repr(
            (
                sorted((str(k), sorted(v.items())) for k, v in groups.items()),
                sorted(str(p) for p in monitored),
                sorted((str(a.patient_id), a.source, str(a.opened_at), str(a.acknowledged_at))
                       for a in alerts),
                seed, n_boot,
            )
        ).encode()
    ).hexdigest()  # fmt: skip


def _cached_compute(
    key: str,
    groups: dict[uuid.UUID, dict[str, str]],
    monitored: set[uuid.UUID],
    alerts: list[AlertFact],
    seed: int,
    n_boot: int,
) -> list[dict[str, Any]]:
    """The bootstrap takes seconds; the same inputs (``key``) answer from memory."""
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return copy.deepcopy(_CACHE[key])
    result = _compute(groups, monitored, alerts, seed, n_boot)
    with _CACHE_LOCK:
        _CACHE[key] = copy.deepcopy(result)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def _compute(
    groups: dict[uuid.UUID, dict[str, str]],
    monitored: set[uuid.UUID],
    alerts: list[AlertFact],
    seed: int,
    n_boot: int,
) -> list[dict[str, Any]]:
    population = sorted(p for p in monitored | {a.patient_id for a in alerts} if p in groups)
    out = []
    for algorithm in ALGORITHMS:
        entry: dict[str, Any] = {
            "id": algorithm.id, "name": algorithm.name, "audited": algorithm.audited,
            "audit_note": algorithm.audit_note, "metrics": [],
        }  # fmt: skip
        if algorithm.audited:
            source = ALERT_SOURCE[algorithm.id]
            mine = [a for a in alerts if a.source == source and a.patient_id in groups]
            alerted = {a.patient_id for a in mine}
            rate = [1.0 if p in alerted else 0.0 for p in population]
            acked = [a for a in mine if a.acknowledged_at is not None]
            minutes = [(a.acknowledged_at - a.opened_at).total_seconds() / 60.0 for a in acked]  # type: ignore[operator]
            entry["metrics"] = [
                _metric("alert_rate", "rate", rate, [groups[p] for p in population], seed, n_boot),
                _metric(
                    "minutes_to_acknowledge", "median", minutes,
                    [groups[a.patient_id] for a in acked], seed, n_boot,
                ),
                {"id": "false_alert_rate", "statistic": "rate", "available": False,
                 "note": "No outcomes are recorded against alerts, so false alerts are unknown.",
                 "n": 0, "dimensions": []},
            ]  # fmt: skip
        out.append(entry)
    return out


def _metric(
    metric_id: str,
    statistic: str,
    values: list[float],
    rows: list[dict[str, str]],
    seed: int,
    n_boot: int,
) -> dict[str, Any]:
    dimensions = []
    for dim in DIMENSIONS:
        if dim in NOT_RECORDED:
            d = Disaggregation(dim, [], None, None, None, None, False, note=NOT_RECORDED[dim])
        else:
            labels = [r[dim] for r in rows]
            d = disaggregate(dim, values, labels, statistic, seed=seed, n_boot=n_boot)  # type: ignore[arg-type]
        dimensions.append(asdict(d))
    return {
        "id": metric_id, "statistic": statistic, "available": True, "note": "",
        "n": len(values), "dimensions": dimensions,
    }  # fmt: skip
