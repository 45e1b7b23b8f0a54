"""Trust levels as data (after Discourse): what earns each level and what each level may post.

A member's level is the highest whose thresholds they meet: posts read, days visited and good
standing (no penalty in force; the moderation side clears it). Clinicians start at "member" in
every community: their role is verified by the site. The limits are per account across all
communities, so a new account cannot flood many communities at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TrustLevel:
    level: int
    name: str
    posts_read: int  # thresholds to reach this level
    days_visited: int
    topics_per_day: int  # limits at this level
    posts_per_hour: int


LEVELS: tuple[TrustLevel, ...] = (
    TrustLevel(0, "new", 0, 0, topics_per_day=3, posts_per_hour=10),
    TrustLevel(1, "basic", 30, 2, topics_per_day=10, posts_per_hour=30),
    TrustLevel(2, "member", 100, 10, topics_per_day=20, posts_per_hour=60),
    TrustLevel(3, "regular", 500, 50, topics_per_day=50, posts_per_hour=120),
)

CLINICIAN_FLOOR = 2


def earned(posts_read: int, days_visited: int, good_standing: bool, *, clinician: bool) -> int:
    """The level earned by these statistics (never above "new" without good standing)."""
    if not good_standing:
        return 0
    level = 0
    for candidate in LEVELS:
        if posts_read >= candidate.posts_read and days_visited >= candidate.days_visited:
            level = candidate.level
    return max(level, CLINICIAN_FLOOR) if clinician else level


def limits(level: int) -> TrustLevel:
    return LEVELS[max(0, min(level, len(LEVELS) - 1))]
