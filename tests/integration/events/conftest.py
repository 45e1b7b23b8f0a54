"""Fixtures of the events tests: people (cheap password hashing), as the privacy tests'."""

from tests.integration.privacy.support import cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "person"]
