"""What community moderation publishes, and its own part of an erasure.

- :class:`CrisisPostHeld` — the crisis screen (or a member's "I'm worried about this person"
  flag) held a post. TRANSACTION phase: monitoring (``monitoring.community_alerts``) opens the
  author's urgent alert when the author is a patient (care team, acknowledgement deadline,
  escalation to the on-call clinician) and tells every ``recipient`` (the community's facilitators
  and moderators and the on-call clinician, see
  :func:`careverse.community.moderation_review.crisis_recipients`) in the same transaction,
  so a held crisis post never lacks its alert.
- :class:`CrisisPostEscalated` — nobody acknowledged the case by its deadline: the wider
  on-call group (``recipients``) is told.

Events carry ids and rule names only, never the post's words: :meth:`CrisisPostHeld.why` puts
the rule names in the alert's words (stored encrypted by monitoring, never logged).
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.moderation_models import (
    Appeal,
    CrisisCase,
    Flag,
    ModAction,
    Penalty,
)
from careverse.kernel.events import DomainEvent
from careverse.privacy.events import AccountErasureDue

RULE_WORDS = {
    "suicide": "suicidal language",
    "self-harm": "self-harm language",
    "harm-others": "language about harming others",
    "lexicon": "Suicide Risk Lexicon entry",
    "flag": "a member's crisis flag",
    "veiled": "veiled crisis language",
    "window": "crisis language across neighbouring sentences",
}


def describe(reason: str) -> str:
    """A rule name in words: ``rule:suicide.intent`` → "suicidal language (suicide.intent)"."""
    kind, _, name = reason.partition(":")
    if kind == "rule":
        family = name.split(".", 1)[0]
        return f"{RULE_WORDS.get(family, family)} ({name})"
    if kind in ("veiled", "window"):  # careverse.community.crisis_veiled: "veiled:burden"
        return f"{RULE_WORDS[kind]} ({name})"
    if kind == "lexicon":
        construct, _, entry = name.partition(":")
        return f"{RULE_WORDS['lexicon']} ({construct}: '{entry}')"
    return RULE_WORDS.get(kind, reason)


class CrisisPostHeld(DomainEvent, frozen=True):
    """A community post was held for crisis language; a human must take it on."""

    case_id: uuid.UUID
    post_id: uuid.UUID
    community_id: uuid.UUID
    author_account_id: uuid.UUID
    author_patient_id: uuid.UUID | None  # when the author is a patient: their care team's alert
    reasons: tuple[str, ...]  # rule and lexicon names (careverse.community.crisis)
    recipients: tuple[uuid.UUID, ...]  # facilitators, moderators, the on-call clinician
    acknowledge_by: str  # ISO time

    def why(self) -> str:
        return "Held community post: " + "; ".join(describe(r) for r in self.reasons)


class CrisisPostEscalated(DomainEvent, frozen=True):
    """A crisis case passed its acknowledgement deadline unacknowledged."""

    case_id: uuid.UUID
    post_id: uuid.UUID
    community_id: uuid.UUID
    recipients: tuple[uuid.UUID, ...]


async def erase_moderation_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """Moderation's part of an erasure (TRANSACTION phase): the member's flags, penalties,
    appeals and crisis cases go; actions about them forget whom they were about (the action
    and its reason stay in the community's log)."""
    account = event.account_id
    await session.execute(delete(Appeal).where(Appeal.account_id == account))
    await session.execute(delete(Penalty).where(Penalty.account_id == account))
    await session.execute(delete(Flag).where(Flag.flagger_id == account))
    await session.execute(delete(CrisisCase).where(CrisisCase.author_account_id == account))
    await session.execute(
        update(ModAction).where(ModAction.subject_account_id == account)
        .values(subject_account_id=None)
    )  # fmt: skip
