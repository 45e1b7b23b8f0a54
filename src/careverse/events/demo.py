"""Demo events, made through the services once (seeding again adds nothing): a vaccination-week
campaign in the clinic lobby in three days, hosted by Nurse Hana Kim (made by Sam), with a few
slides, Maria and Jonas registered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.events import live
from careverse.events.models import Event
from careverse.events.service import EventService, EventSpec
from careverse.kernel import clock
from careverse.kernel.policy import Actor, Role

SLUG = "vaccination-week"
SLIDES = [
    "Vaccination week: flu and COVID-19 boosters for everyone eligible",
    "Who is eligible: over-65s, long-term conditions, pregnancy, carers, health and care staff",
    "Book at the front desk or online; walk-ins welcome Monday to Friday, 9:00 to 17:00",
    "Your questions: raise them now, the host will take them in turn",
]


def _actor(account) -> Actor:
    patient_id = account.patient.id if account.patient else None
    return Actor(account.id, Role(account.role), patient_id=patient_id)


async def seed(session: AsyncSession, accounts: dict) -> None:
    if await session.scalar(select(Event.id).where(Event.slug == SLUG)):
        return
    organiser, host = _actor(accounts["sam"]), accounts["nurse.kim"]
    start = (clock.now() + timedelta(days=3)).replace(hour=12, minute=0, second=0, microsecond=0)
    spec = EventSpec(
        slug=SLUG, title="Vaccination week: ask a nurse", kind="campaign",
        description="A short talk on this year's flu and COVID-19 vaccines, then your questions.",
        starts_at=start, duration_minutes=60, capacity=50, template="clinic-lobby",
    )  # fmt: skip
    service = EventService(session)
    await service.create(organiser, None, spec, hosts=[host.id])
    await live.set_texts(session, _actor(host), SLUG, SLIDES)
    for name in ("maria", "jonas"):
        if name in accounts:
            await service.register(_actor(accounts[name]), SLUG)
