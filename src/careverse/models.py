"""Imports every capability's tables so that Alembic and the tests see the whole schema."""

from careverse.identity import models as identity_models
from careverse.kernel import audit as kernel_audit
from careverse.privacy import models as privacy_models
from careverse.world import models as world_models

__all__ = ["identity_models", "kernel_audit", "privacy_models", "world_models"]
