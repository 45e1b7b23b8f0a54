"""Demo data for ``careverse demo``: one account per role, so a new user can look around at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel.config import Settings
from careverse.kernel.policy import Role

DEMO_PASSWORD = "careverse-demo-2026"  # noqa: S105 - printed to the operator on purpose
DOMAIN = "careverse.example.org"  # a reserved domain that e-mail validation accepts


@dataclass(frozen=True)
class DemoPerson:
    local: str
    name: str
    role: Role
    birth_date: date | None = None
    language: str | None = "en"

    @property
    def email(self) -> str:
        return f"{self.local}@{DOMAIN}"


PEOPLE = (
    DemoPerson("admin", "Ada Admin", Role.ADMIN),
    DemoPerson("dr.rivera", "Dr. Sofia Rivera", Role.CLINICIAN),
    DemoPerson("dr.okafor", "Dr. Chidi Okafor", Role.CLINICIAN),
    DemoPerson("amara", "Amara Nwosu", Role.PATIENT, date(1958, 3, 14)),
    DemoPerson("jonas", "Jonas Berg", Role.PATIENT, date(1990, 11, 2)),
    DemoPerson("lucia", "Lucía Fernández", Role.PATIENT, date(1976, 7, 21), "es"),
    DemoPerson("maria", "Maria Santos", Role.CAREGIVER),
    DemoPerson("sam", "Sam Taylor", Role.MODERATOR),
)


async def seed(session: AsyncSession, settings: Settings) -> list[DemoPerson]:
    """Create the demo accounts that do not exist yet; answers every demo person."""
    service = IdentityService(session, settings)
    for person in PEOPLE:
        if await service.find_by_email(person.email) is None:
            await service.create_account(
                None,
                NewAccount(
                    email=person.email,
                    role=person.role,
                    display_name=person.name,
                    password=DEMO_PASSWORD,
                    preferred_language=person.language,
                    birth_date=person.birth_date,
                ),
            )
    return list(PEOPLE)
