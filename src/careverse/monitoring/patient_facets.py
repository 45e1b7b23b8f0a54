"""Monitoring's facets of a clinician's patient list: the latest NEWS2 and the open alerts.

Batched for the whole list (see :class:`careverse.kernel.runtime.PatientFacets`): NEWS2 in three
queries (each input's latest reading per patient by a window function, the clinician's recent
observations, the SpO2 scales), the alerts in one grouped count. The figures are the same as the
patient's own chart shows (:func:`early_warning.news2_of` on the same inputs).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.monitoring.alert_models import (
    Alert,
    ClinicalObservation,
    PatientMonitoringSettings,
)
from careverse.monitoring.alerts import LIVE, SEVERITY_RANK
from careverse.monitoring.early_warning import NEWS2_INPUT_CODES, news2_of
from careverse.monitoring.models import Reading


def news2_facet(settings: Settings):
    """The facet ``news2``: {patient_id: {"total", "risk", "partial", "at"}} for each patient with
    a NEWS2 now (within the NEWS2 window); patients with none are left out."""

    async def facet(session: AsyncSession, patient_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
        if not patient_ids:
            return {}
        now = clock.now()
        since = now - timedelta(minutes=settings.news2_window_minutes)
        newest_first = (Reading.effective_at.desc(), Reading.id.desc())
        ranked = (
            select(
                Reading.id,
                func.row_number()
                .over(partition_by=(Reading.patient_id, Reading.code), order_by=newest_first)
                .label("rank"),
            )
            .where(
                Reading.patient_id.in_(patient_ids),
                Reading.code.in_(sorted(NEWS2_INPUT_CODES)),
                Reading.effective_at >= since,
                Reading.effective_at <= now,
            )
            .subquery()
        )
        latest: dict[uuid.UUID, dict[str, Reading]] = defaultdict(dict)
        rows = await session.scalars(
            select(Reading).join(ranked, Reading.id == ranked.c.id).where(ranked.c.rank == 1)
        )
        for reading in rows.all():
            latest[reading.patient_id][reading.code] = reading

        obs_since = now - timedelta(hours=settings.news2_observation_hours)
        observations: dict[uuid.UUID, list[ClinicalObservation]] = defaultdict(list)
        rows_obs = await session.scalars(
            select(ClinicalObservation)
            .where(
                ClinicalObservation.patient_id.in_(patient_ids),
                ClinicalObservation.observed_at >= obs_since,
                ClinicalObservation.observed_at <= now,
            )
            .order_by(ClinicalObservation.observed_at.desc())
        )
        for obs in rows_obs.all():
            observations[obs.patient_id].append(obs)

        scales = dict(
            (
                await session.execute(
                    select(
                        PatientMonitoringSettings.patient_id, PatientMonitoringSettings.spo2_scale
                    ).where(PatientMonitoringSettings.patient_id.in_(patient_ids))
                )
            ).all()
        )
        out: dict[uuid.UUID, dict] = {}
        for patient_id in set(latest) | set(observations):
            score = news2_of(
                latest[patient_id], observations[patient_id], scales.get(patient_id, 1)
            )
            if score.result is None:
                continue
            out[patient_id] = {
                "total": score.result.total,
                "risk": score.result.risk,
                "partial": score.result.partial,
                "at": score.at,
            }
        return out

    return facet


async def alerts_facet(
    session: AsyncSession, patient_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict]:
    """The facet ``alerts``: {patient_id: {"open": count, "highest": severity}} of the live (open
    or acknowledged) alerts; patients with none are left out."""
    if not patient_ids:
        return {}
    rows = await session.execute(
        select(Alert.patient_id, Alert.severity, func.count())
        .where(Alert.patient_id.in_(patient_ids), Alert.status.in_(LIVE))
        .group_by(Alert.patient_id, Alert.severity)
    )
    out: dict[uuid.UUID, dict] = {}
    for patient_id, severity, count in rows.all():
        seen = out.setdefault(patient_id, {"open": 0, "highest": severity})
        seen["open"] += count
        if SEVERITY_RANK[severity] > SEVERITY_RANK[seen["highest"]]:
            seen["highest"] = severity
    return out
