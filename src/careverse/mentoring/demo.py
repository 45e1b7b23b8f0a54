"""Demo mentoring, made through the services once (seeding again adds nothing): Lucía mentors in
the long-COVID community and Amara in the chronic-pain circle, both approved by Sam after the
training quiz; Jonas is Lucía's mentee, with a goal, a meeting in two days and a first message.
Sam also posts two volunteering opportunities; Maria signed up for one and logged hours that wait
for Sam's confirmation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.kernel.policy import Actor, Role
from careverse.mentoring import training
from careverse.mentoring.models import Mentor
from careverse.mentoring.service import MentoringService, Profile
from careverse.mentoring.volunteering import VolunteeringService
from careverse.mentoring.volunteering_models import Opportunity

RIGHT = [list(q["correct"]) for q in training.QUESTIONS]


def _actor(account) -> Actor:
    patient_id = account.patient.id if account.patient else None
    return Actor(account.id, Role(account.role), patient_id=patient_id)


async def seed(session: AsyncSession, accounts: dict) -> None:
    await seed_volunteering(session, accounts)
    await _seed_mentors(session, accounts)


async def seed_volunteering(session: AsyncSession, accounts: dict) -> None:
    """Sam posts two opportunities in the caregivers' community; Maria signed up as a lobby
    greeter and logged two hours yesterday, waiting for Sam to confirm them."""
    if await session.scalar(select(Opportunity.id).limit(1)):
        return
    sam, maria = _actor(accounts["sam"]), _actor(accounts["maria"])
    service = VolunteeringService(session)
    greeter = await service.post(sam, "caregivers", "Greeter in the clinic lobby",
                                 "Welcome visitors in the virtual lobby and show them around; "
                                 "an hour or two a week.")  # fmt: skip
    await service.post(sam, "caregivers", "Translator for the carers' circle",
                       "Help Spanish-speaking carers follow the Thursday circle.")  # fmt: skip
    await service.sign_up(maria, greeter.id)
    yesterday = clock.now().date() - timedelta(days=1)
    await service.log_hours(maria, greeter.id, yesterday, 120, "Morning in the lobby")


async def _seed_mentors(session: AsyncSession, accounts: dict) -> None:
    lucia, amara, jonas, sam = (_actor(accounts[n]) for n in ("lucia", "amara", "jonas", "sam"))
    if await session.scalar(select(Mentor.id).where(Mentor.account_id == lucia.account_id)):
        return
    service = MentoringService(session)
    mentors = (
        (lucia, "long-covid", Profile(
            "long covid", "recovery", ["es", "en"], "45-54", "woman",
            ["tue-pm", "thu-am", "sat-am"], 2, "Two years of pacing; back at work part-time.",
        )),
        (amara, "chronic-pain", Profile(
            "chronic pain", "living with it", ["en"], "65+", "woman", ["mon-am", "wed-am"], 1,
            "Thirty years with back pain; a walking group keeps me going.",
        )),
    )  # fmt: skip
    for who, slug, profile in mentors:
        row = await service.apply(who, slug, profile)
        await service.take_quiz(who, slug, RIGHT)
        await service.decide(sam, slug, row.id, True)
    need = Profile("long covid", "recovery", ["en"], "35-44", "", ["thu-am"])
    (offer,) = await service.matches(jonas, "long-covid", need, limit=1)
    rel = await service.request(jonas, "long-covid", offer.mentor.id, need,
                                ["Get back to a short daily walk"])  # fmt: skip
    soon = (clock.now() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    await service.schedule(lucia, rel.id, soon, 30)
    await service.post(lucia, rel.id, "Hola Jonas! Shall we start with what a good day looks like?")
