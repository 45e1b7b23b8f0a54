"""The moderation pipeline every post and reply goes through before it is stored.

``review(text, community_kind=…, trust_level=…, rules=…) -> Verdict`` is pure (no DB, no I/O):
the community core calls it, stores the post in the state the verdict says and, when
``verdict.crisis`` is flagged, publishes ``CrisisPostHeld`` (see :mod:`.moderation`),
which opens the alert and answers the writer with the message of concern.

Order: content rules (block, censor, replace, link, tag, require approval, flag) → crisis screen
(on the writer's original words) → identifiable patient details (professional communities) →
abuse and spam score. Action: ``block`` beats ``hold`` beats ``publish`` — except that a crisis post
is never blocked: it is held for a human, so the signal cannot be lost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from careverse.community import abuse, patient_details
from careverse.community.content_rules import ContentRule, apply_rules
from careverse.community.crisis import Screening, screen

Action = Literal["publish", "hold", "block"]
PROFESSIONAL = "professional"
# Links a member may post at each trust level before the post is held as likely spam.
LINKS_ALLOWED = {0: 2, 1: 5}
_LINK = re.compile(r"https?://", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    action: Action
    text: str
    reasons: list[str] = field(default_factory=list)
    crisis: Screening | None = None
    tags: list[str] = field(default_factory=list)
    requires_approval: bool = False
    flag: bool = False  # publish, but put in the moderation queue with a system flag
    abuse_score: float = 0.0


def review(
    text: str, *, community_kind: str, trust_level: int, rules: Sequence[ContentRule] = ()
) -> Verdict:
    """Decide what happens to one post (see the module doc)."""
    outcome = apply_rules(text, rules)
    reasons = list(outcome.reasons)
    tags = list(outcome.tags)
    hold = outcome.requires_approval

    crisis = screen(text)
    if crisis.flagged:
        hold = True
        reasons.extend(f"crisis:{r}" for r in crisis.reasons)
    tags.extend(t for t in crisis.tags if t not in tags)

    if community_kind == PROFESSIONAL:
        found = patient_details.detect(text)
        if found:
            hold = True
            reasons.extend(f"patient-details:{kind}" for kind in found)

    score = abuse.score(text)
    band = abuse.band(score, trust_level)
    if band == "hold":
        hold = True
        reasons.append("abuse:score-high")
    flag = outcome.flag or band == "flag"
    if band == "flag":
        reasons.append("abuse:score-medium")
    links = len(_LINK.findall(text))
    if links > LINKS_ALLOWED.get(trust_level, 1_000):
        hold = True
        reasons.append(f"spam:links-over-{LINKS_ALLOWED[trust_level]}-at-trust-{trust_level}")

    action: Action = "hold" if hold else "publish"
    if outcome.blocked and not crisis.flagged:
        action = "block"
    return Verdict(
        action=action,
        text=outcome.text,
        reasons=reasons,
        crisis=crisis if crisis.flagged else None,
        tags=tags,
        requires_approval=outcome.requires_approval,
        flag=flag,
        abuse_score=score,
    )
