"""Fixtures of the messaging tests: people (cheap password hashing), as the privacy tests', and
the care tests' clinician with hours (for notices of a booking)."""

from tests.integration.care.conftest import clinician_with_hours, monday
from tests.integration.privacy.support import cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "clinician_with_hours", "monday", "person"]
