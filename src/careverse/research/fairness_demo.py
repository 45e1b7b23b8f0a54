"""The fairness audit's demo population: 160 fictional monitored patients with a month of alert
history, so that the dashboard has intervals to show (``careverse demo`` seeds it once).

Alert rates rise with age (as NEWS2's do: older patients are sicker more often), and the
acknowledgement times are the same for everyone; two small groups show suppression.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.patients import PatientService
from careverse.kernel import clock
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.audit_facts import has_demo_history, record_demo_history

DEMO_PATIENTS = 160
# (language, share) and (birth year range, NEWS2 alert probability)
LANGUAGES = (("en", 0.62), ("es", 0.26), ("fr", 0.08), ("ar", 0.04))
AGES = (((1990, 2004), 0.15), ((1962, 1985), 0.3), ((1947, 1960), 0.5), ((1930, 1945), 0.65))


def _pick(rng: random.Random, table: tuple) -> object:
    x, total = rng.random(), 0.0
    for value, share in table:
        total += share
        if x < total:
            return value
    return table[-1][0]


async def seed_demo_audit(session: AsyncSession) -> None:
    """Seed the demo population once (idempotent)."""
    if await has_demo_history(session):
        return
    rng = random.Random(20)  # noqa: S311 - demo data, not secrets
    now = clock.now()
    patients = PatientService(session)
    for i in range(DEMO_PATIENTS):
        years, news2_p = AGES[i % len(AGES)]
        birth = f"{rng.randint(*years)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        sex = "other" if i % 40 == 39 else ("female" if i % 2 else "male")
        language = str(_pick(rng, LANGUAGES))
        patient_id = await patients.create_without_account(
            f"Audit demo patient {i + 1}", birth_date=birth, sex=sex, preferred_language=language
        )
        alerts: list[tuple[str, datetime, float | None]] = []
        if rng.random() < news2_p:
            alerts.append(("news2", now - timedelta(days=rng.uniform(1, 28)), rng.uniform(3, 40)))
        if rng.random() < 0.2:
            alerts.append(("rule", now - timedelta(days=rng.uniform(1, 28)), rng.uniform(5, 60)))
        async with unit_of_work(session):
            read_at = now - timedelta(days=rng.uniform(1, 20))
            await record_demo_history(session, patient_id, read_at, alerts)
