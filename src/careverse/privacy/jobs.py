"""Background work of the privacy capability: carrying out erasures whose grace period ended."""

from __future__ import annotations

import structlog

from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.privacy.service import PrivacyService

log = structlog.get_logger(__name__)


async def erase_due_once(db: Database, settings: Settings) -> int:
    """Carry out the due erasures now; each is its own unit of work on this session."""
    async with db.session() as session:
        return await PrivacyService(session, settings).erase_due()


async def erase_due_forever(db: Database, settings: Settings) -> None:
    """Check for due erasures now and then (every node may run it; each erasure is idempotent)."""
    while True:
        try:
            erased = await erase_due_once(db, settings)
            if erased:
                log.info("privacy.erased", count=erased)
        except Exception as exc:
            log.error("privacy.erase_failed", error=type(exc).__name__)
        await clock.sleep(settings.erasure_check_seconds)
