"""Accounts and sessions for load generators, made straight in the database.

Hashing one password per bot with argon2 would take minutes; bots share one hash and get their
sessions opened directly, which is what a sign-in would do after checking the password.
"""

from __future__ import annotations

import uuid

from careverse.identity import passwords
from careverse.identity.models import Account
from careverse.identity.service import IdentityService, email_index
from careverse.kernel import crypto
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.policy import Role, Scope
from careverse.world.models import Space

BOT_PASSWORD = "bench-bot-password-1"  # noqa: S105 - bench accounts only


async def seed_bots(
    settings: Settings, count: int, template: str = "auditorium"
) -> tuple[str, list[str]]:
    """Create a space and ``count`` bot accounts with open sessions; answers (space id, tokens)."""
    crypto.install_keyring(crypto.load_keyring(settings))
    db = Database(settings.effective_database_url)
    try:
        await db.migrate()
        shared_hash = await passwords.hash_password(BOT_PASSWORD)
        async with db.session() as session:
            service = IdentityService(session, settings)
            owner = Account(
                email="bench-host@bench.example.org",
                email_index=email_index(f"host-{uuid.uuid4()}@bench.example.org"),
                password_hash=shared_hash,
                role=Role.CLINICIAN.value,
                display_name="Bench host",
            )
            owner.patient = None
            session.add(owner)
            await session.flush()
            space = Space(
                name="Benchmark", template=template, owner_id=owner.id, access="members",
                capacity=1000, listed=False,
            )  # fmt: skip
            session.add(space)
            bots = []
            for i in range(count):
                bot = Account(
                    email=f"bot{i}@bench.example.org",
                    email_index=email_index(f"bot{i}-{space.id}@bench.example.org"),
                    password_hash=shared_hash, role=Role.PATIENT.value, display_name=f"Bot {i}",
                )  # fmt: skip
                bot.patient = None
                bots.append(bot)
            session.add_all(bots)
            await session.commit()
            tokens = []
            for bot in bots:
                issued = await service._open_session(bot, Scope.FULL)
                tokens.append(issued.access_token)
            return str(space.id), tokens
    finally:
        await db.dispose()
