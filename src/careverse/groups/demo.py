"""Demo support groups, made through the services once (seeding again adds nothing): a weekly
caregivers' circle and a fortnightly long-COVID group led by a nurse, each with its next session
in the coming days. ``accounts`` maps the demo's local names to accounts (careverse/demo.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.groups.models import SupportGroup
from careverse.groups.recurrence import local
from careverse.groups.service import GroupService, GroupSpec
from careverse.kernel import clock
from careverse.kernel.policy import Actor, Role

RULES = (
    "- What is shared in the circle stays in the circle.\n"
    "- One voice at a time: raise your hand, and you may always pass.\n"
    "- Share your own experience; no advice in place of your clinician's.\n"
    '- If you are in danger, press "I need support" or call your local emergency number.'
)


def _actor(account) -> Actor:
    patient_id = account.patient.id if account.patient else None
    return Actor(account.id, Role(account.role), patient_id=patient_id)


async def seed(session: AsyncSession, accounts: dict) -> None:
    """Two groups (once), their facilitators and a few members."""
    today = local(clock.now(), "Europe/London").date()
    groups = (
        ("caregivers", "sam", (), GroupSpec(
            slug="carers-circle", name="Thursday carers' circle", caregiver=True,
            description="An hour for people who care for someone: share, listen, breathe.",
            timezone="Europe/London", first_date=today + timedelta(days=1), start_time="18:30",
            duration_minutes=60, every_weeks=1, capacity=10, admission="open",
            ground_rules=RULES,
        ), ("maria",)),
        ("long-covid", "sam", ("nurse.kim",), GroupSpec(
            slug="long-covid-pacing", name="Long COVID pacing group",
            description="Pacing, fatigue and brain fog, with Nurse Kim every other week.",
            timezone="Europe/London", first_date=today + timedelta(days=2), start_time="11:00",
            duration_minutes=75, every_weeks=2, capacity=12, admission="open",
            ground_rules=RULES,
        ), ("lucia", "jonas")),
    )  # fmt: skip
    service = GroupService(session)
    for community, creator, facilitators, spec, members in groups:
        if await session.scalar(select(SupportGroup.id).where(SupportGroup.slug == spec.slug)):
            continue
        helpers = [accounts[f].id for f in facilitators if f in accounts]
        await service.create(_actor(accounts[creator]), community, spec, helpers)
        for member in members:
            await service.join(_actor(accounts[member]), spec.slug, True, 1)
