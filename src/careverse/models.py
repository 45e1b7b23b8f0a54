"""Imports every capability's tables so that Alembic and the tests see the whole schema."""

from careverse.care import interpreter_models as care_interpreter_models
from careverse.care import models as care_models
from careverse.care import programme_models as care_programme_models
from careverse.community import digest_models as community_digest_models
from careverse.community import library_models as community_library_models
from careverse.community import models as community_models
from careverse.community import moderation_models as community_moderation_models
from careverse.community import quality_models as community_quality_models
from careverse.events import models as events_models
from careverse.fhir import bulk_models as fhir_bulk_models
from careverse.gallery import models as gallery_models
from careverse.groups import models as groups_models
from careverse.identity import models as identity_models
from careverse.identity import smart_models as identity_smart_models
from careverse.kernel import audit as kernel_audit
from careverse.mentoring import models as mentoring_models
from careverse.mentoring import volunteering_models as mentoring_volunteering_models
from careverse.messaging import models as messaging_models
from careverse.monitoring import alert_models as monitoring_alert_models
from careverse.monitoring import models as monitoring_models
from careverse.privacy import models as privacy_models
from careverse.research import models as research_models
from careverse.training import models as training_models
from careverse.wellbeing import breathing_models as wellbeing_breathing_models
from careverse.wellbeing import exposure_models as wellbeing_exposure_models
from careverse.wellbeing import models as wellbeing_models
from careverse.wellbeing import schedule_models as wellbeing_schedule_models
from careverse.wellbeing import selfhelp_models as wellbeing_selfhelp_models
from careverse.world import models as world_models

__all__ = [
    "care_interpreter_models",
    "care_models",
    "care_programme_models",
    "community_digest_models",
    "community_library_models",
    "community_models",
    "community_moderation_models",
    "community_quality_models",
    "events_models",
    "fhir_bulk_models",
    "gallery_models",
    "groups_models",
    "identity_models",
    "identity_smart_models",
    "kernel_audit",
    "mentoring_models",
    "mentoring_volunteering_models",
    "messaging_models",
    "monitoring_alert_models",
    "monitoring_models",
    "privacy_models",
    "research_models",
    "training_models",
    "wellbeing_breathing_models",
    "wellbeing_exposure_models",
    "wellbeing_models",
    "wellbeing_schedule_models",
    "wellbeing_selfhelp_models",
    "world_models",
]
