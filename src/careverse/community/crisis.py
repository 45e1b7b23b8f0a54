"""The crisis screen, re-exported: it lives in :mod:`careverse.kernel.crisis_screen` so that
wellbeing (a patient's self-help text) screens with the very same rules without importing
community. Community's code and tests keep importing it from here."""

from __future__ import annotations

from careverse.kernel.crisis_screen import (
    LIVED_EXPERIENCE_TAG,
    METHOD_WARNING_TAG,
    RULES,
    Screening,
    lexicon,
    screen,
)

__all__ = ["LIVED_EXPERIENCE_TAG", "METHOD_WARNING_TAG", "RULES", "Screening", "lexicon", "screen"]
