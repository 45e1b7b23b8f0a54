"""Demo research, made through the services once (seeding again adds nothing): Dr Mei Chen's
study of blood pressure and mood, approved by Ada; Amara, Jonas and Lucía take part; a cohort of
everyone who consented and a two-arm reminder trial (nobody enrolled yet)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.fhir import PatientRecord
from careverse.kernel.policy import Actor, Role
from careverse.research.models import Study
from careverse.research.service import StudyInput, StudyService
from careverse.research.trials import Arm, TrialInput, TrialService

TITLE = "Blood pressure and mood at home"
PROTOCOL = (
    "We look at whether home blood-pressure readings and mood questionnaires move together, "
    "using de-identified data of people who agree to take part."
)


def _actor(account) -> Actor:
    patient_id = account.patient.id if account.patient else None
    return Actor(account.id, Role(account.role), patient_id=patient_id)


async def seed(session: AsyncSession, accounts: dict) -> None:
    chen, ada = _actor(accounts["dr.chen"]), _actor(accounts["admin"])
    if await session.scalar(select(Study.id).where(Study.owner_id == chen.account_id)):
        return
    # No record sections are needed to make these: counts are computed when someone looks.
    record = PatientRecord()
    studies = StudyService(session, record)
    study = await studies.create(chen, StudyInput(TITLE, PROTOCOL, ada.account_id, k=3))
    await studies.approve(ada, study.id)
    for name in ("amara", "jonas", "lucia"):
        await studies.opt_in(_actor(accounts[name]), study.id)
    counted = await studies.create_cohort(chen, study.id, "Everyone who consented", {})
    arms = [Arm("Reminders", 1, "reminder-schedule"), Arm("Usual care", 1)]
    await TrialService(session, record).create(
        chen, study.id,
        TrialInput("Reminder schedule trial", "permuted_blocks", arms, [2, 4], ["sex"], 100,
                   counted.cohort.id),
    )  # fmt: skip
