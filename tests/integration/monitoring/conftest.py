"""Fixtures of the monitoring tests: people (cheap password hashing) and OMH data points."""

from tests.integration.privacy.support import cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "person"]
