"""Fixtures of the privacy tests (shared with the FHIR tests)."""

from tests.integration.privacy.support import cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "person"]
