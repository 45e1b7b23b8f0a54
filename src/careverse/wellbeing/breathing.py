"""Breathing sessions: a patient's paced breathing, with stress before and after, the heart rate
variability it produced, and the resonance-rate finder.

A patient starts a session at a chosen rate (``paced``) or runs the resonance finder first
(``resonance``: paced breathing at several rates, then
:func:`careverse.wellbeing.hrv.resonance_rate` picks the rate, which becomes the session's).
They rate their stress 0-10 before and after. On
finishing, the RR intervals the page saw (from the live stream or a Bluetooth strap) are
summarised here, on the server, with :mod:`careverse.wellbeing.hrv`: RMSSD over the whole session
and over each 30-second window (first, last, lowest, highest, mean). The intervals themselves are
not kept: the monitoring ingest already stores those that came through it.

Only the patient starts, finishes and lists their own sessions (policy category ``wellbeing``,
audited). Everything but whose and when is encrypted at rest.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, require_role
from careverse.kernel.uow import unit_of_work
from careverse.privacy.events import AccountErasureDue
from careverse.wellbeing import hrv
from careverse.wellbeing.breathing_models import BreathingSession

SESSIONS_LIMIT = 100
MODES = ("paced", "resonance")
SETTINGS = ("page", "garden")  # where the patient breathed: the breathing page, a 3D garden
RESOURCE = "BreathingSession"


@dataclass(frozen=True, slots=True)
class Session:
    id: uuid.UUID
    started_at: datetime
    finished_at: datetime | None
    mode: str
    rate: float
    stress_before: int
    stress_after: int | None = None
    duration_seconds: float | None = None
    hrv: dict | None = None
    resonance: dict | None = None
    setting: str = "page"


def hrv_summary(rr_ms: Sequence[float], window_seconds: float = hrv.WINDOW_SECONDS) -> dict:
    """What a session keeps of its beats: counts, RMSSD overall and per window, heart rate."""
    keep = hrv.accepted(rr_ms)
    kept = [float(v) for v, ok in zip(rr_ms, keep, strict=True) if ok]
    try:
        overall: float | None = round(hrv.rmssd(rr_ms), 2)
    except ValueError:
        overall = None
    windows: list[float] = []
    start, elapsed = 0, 0.0
    for i, value in enumerate(rr_ms):
        elapsed += float(value) / 1000.0
        if elapsed >= window_seconds or i == len(rr_ms) - 1:
            with contextlib.suppress(ValueError):  # too few usable beats in this window
                windows.append(hrv.rmssd(rr_ms[start : i + 1]))
            start, elapsed = i + 1, 0.0
    series = None
    if windows:
        series = {
            "windows": len(windows), "window_seconds": window_seconds,
            "first": round(windows[0], 2), "last": round(windows[-1], 2),
            "min": round(min(windows), 2), "max": round(max(windows), 2),
            "mean": round(statistics.fmean(windows), 2),
        }  # fmt: skip
    return {
        "beats": len(rr_ms),
        "artefacts": len(rr_ms) - len(kept),
        "rmssd": overall,
        "rmssd_series": series,
        "heart_rate_mean": round(60000.0 / statistics.fmean(kept), 1) if kept else None,
    }


def session_of(row: BreathingSession) -> Session:
    detail = json.loads(row.detail)
    duration = None
    if row.finished_at is not None:
        duration = round((row.finished_at - row.started_at).total_seconds(), 1)
    return Session(
        id=row.id, started_at=row.started_at, finished_at=row.finished_at, mode=detail["mode"],
        rate=detail["rate"], stress_before=detail["stress_before"],
        stress_after=detail.get("stress_after"), duration_seconds=duration,
        hrv=detail.get("hrv"), resonance=detail.get("resonance"),
        setting=detail.get("setting", "page"),
    )  # fmt: skip


class BreathingService:
    def __init__(self, session: AsyncSession):
        self.session = session

    def _patient(self, actor: Actor) -> uuid.UUID:
        require_role(actor, Role.PATIENT)
        if actor.patient_id is None:
            raise Conflict("Your account has no patient record.", code="no_patient_record")
        return actor.patient_id

    async def _own(self, actor: Actor, session_id: uuid.UUID) -> BreathingSession:
        patient_id = self._patient(actor)
        row = await self.session.get(BreathingSession, session_id)
        if row is None or row.patient_id != patient_id:
            raise NotFound("Not found.")
        await authorize(
            self.session, actor, patient_id, Category.WELLBEING, write=True,
            resource_type=RESOURCE, resource_id=row.id,
        )  # fmt: skip
        return row

    async def start(
        self, actor: Actor, mode: str, rate: float, stress_before: int, setting: str = "page"
    ) -> Session:
        """Open a session; ``rate`` is the pacer's breaths a minute (for ``resonance``, the
        rate the pacer starts at until the finder has chosen); ``setting`` where it is run (the
        breathing page or a 3D garden's lantern)."""
        patient_id = self._patient(actor)
        if mode not in MODES:
            raise InvalidInput("mode must be paced or resonance.", field="mode")
        if setting not in SETTINGS:
            raise InvalidInput("setting must be page or garden.", field="setting")
        document = {"mode": mode, "rate": rate, "stress_before": stress_before, "setting": setting}
        async with unit_of_work(self.session):
            row = BreathingSession(
                id=uuid.uuid4(), patient_id=patient_id, started_at=clock.now(),
                detail=json.dumps(document),
            )  # fmt: skip
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, write=True,
                resource_type=RESOURCE, resource_id=row.id,
            )  # fmt: skip
            self.session.add(row)
        return session_of(row)

    async def resonance(
        self, actor: Actor, session_id: uuid.UUID, trials: Mapping[float, Sequence[float]]
    ) -> Session:
        """Choose the resonance rate from the finder's paced trials; it becomes the session's."""
        async with unit_of_work(self.session):
            row = await self._own(actor, session_id)
            if row.finished_at is not None:
                raise Conflict("This session is finished.", code="session_finished")
            detail = json.loads(row.detail)
            if detail["mode"] != "resonance":
                raise Conflict("This session has a chosen rate.", code="not_resonance")
            try:
                found = hrv.resonance_rate(trials)
            except ValueError as exc:
                raise InvalidInput(str(exc), field="trials") from None
            detail["rate"] = found.rate
            detail["resonance"] = {
                "rate": found.rate,
                "amplitudes": [
                    {"rate": r, "amplitude": None if a is None else round(a, 2)}
                    for r, a in sorted(found.amplitudes.items())
                ],
            }
            row.detail = json.dumps(detail)
        return session_of(row)

    async def finish(
        self, actor: Actor, session_id: uuid.UUID, stress_after: int, rr_ms: Sequence[float]
    ) -> Session:
        """Close the session with the stress after it and a summary of the beats it saw."""
        async with unit_of_work(self.session):
            row = await self._own(actor, session_id)
            if row.finished_at is not None:
                raise Conflict("This session is already finished.", code="session_finished")
            detail = json.loads(row.detail)
            detail["stress_after"] = stress_after
            detail["hrv"] = hrv_summary(rr_ms) if rr_ms else None
            row.detail = json.dumps(detail)
            row.finished_at = clock.now()
        return session_of(row)

    async def sessions(self, actor: Actor) -> list[Session]:
        """The patient's sessions, newest first (the latest 100)."""
        patient_id = self._patient(actor)
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, resource_type=RESOURCE
            )
            rows = await self.session.scalars(
                select(BreathingSession)
                .where(BreathingSession.patient_id == patient_id)
                .order_by(BreathingSession.started_at.desc())
                .limit(SESSIONS_LIMIT)
            )
            return [session_of(r) for r in rows.all()]

    async def may_stream(self, actor: Actor) -> uuid.UUID:
        """Check (and audit) that the patient may open their own live beat stream."""
        patient_id = self._patient(actor)
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, resource_type="Observation"
            )
        return patient_id


async def erase_breathing_sessions(event: AccountErasureDue, session: AsyncSession) -> None:
    """Wellbeing's breathing part of an erasure (TRANSACTION phase): every session of the
    patient."""
    if event.patient_id is None:
        return
    await session.execute(
        delete(BreathingSession).where(BreathingSession.patient_id == event.patient_id)
    )
