"""Imports every capability's tables so that Alembic and the tests see the whole schema."""

from careverse.identity import models as identity_models

__all__ = ["identity_models"]
