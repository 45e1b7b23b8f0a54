"""Fixtures of the FHIR tests (the privacy tests' own)."""

from tests.integration.privacy.support import cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "person"]
