"""Veiled crisis language and sentence windows, re-exported from
:mod:`careverse.kernel.crisis_veiled` (where the screen lives, see
:mod:`careverse.community.crisis`)."""

from __future__ import annotations

from careverse.kernel.crisis_veiled import NEGATIVE_FORM, VEILED, WINDOWS

__all__ = ["NEGATIVE_FORM", "VEILED", "WINDOWS"]
