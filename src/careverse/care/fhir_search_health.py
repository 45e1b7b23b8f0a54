"""FHIR search of the health record (Condition, MedicationStatement, AllergyIntolerance,
CarePlan) on the kernel's toolkit. They take the place of the ``patient``-only searches of
``care/health_fhir.py`` (:func:`~careverse.kernel.fhir_search_http.supersede` drops those routes;
its reads stay). Access as there: ``Category.RECORD``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.fhir_search import codings, goals
from careverse.care.health_fhir import router as health_router
from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.fhir_search import COMMON, DATE, REFERENCE, TOKEN, Param, Spec
from careverse.kernel.fhir_search_http import endpoint, register, supersede
from careverse.kernel.policy import Category

Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
router = APIRouter(tags=["fhir"])


CONDITION = Spec(
    type="Condition",
    category=Category.RECORD,
    params=(
        Param("clinical-status", TOKEN, "active, resolved …",
              lambda r: codings(r.get("clinicalStatus"))),
        Param("category", TOKEN, "problem-list-item", lambda r: codings(r.get("category"))),
        Param("code", TOKEN, "`system|code` (ICD-10, SNOMED CT)", lambda r: codings(r.get("code"))),
        Param("onset-date", DATE, "Onset: prefix + date", lambda r: [r.get("onsetDateTime")]),
        Param("recorded-date", DATE, "Recorded: prefix + date", lambda r: [r.get("recordedDate")]),
        Param("encounter", REFERENCE, "Encounter/<id>",
              lambda r: [r["encounter"]["reference"]] if r.get("encounter") else []),
        *COMMON,
    ),
    sorts={"recorded-date": lambda r: r.get("recordedDate")},
    default_sort="-recorded-date",
)  # fmt: skip
MEDICATION_STATEMENT = Spec(
    type="MedicationStatement",
    category=Category.RECORD,
    params=(
        Param("status", TOKEN, "active, completed, stopped …", lambda r: [(None, r.get("status"))]),
        Param("code", TOKEN, "`system|code`",
              lambda r: codings(r.get("medicationCodeableConcept"))),
        Param("effective", DATE, "Started: prefix + date",
              lambda r: [(r.get("effectivePeriod") or {}).get("start")]),
        *COMMON,
    ),
    sorts={"effective": lambda r: (r.get("effectivePeriod") or {}).get("start")},
    default_sort="-effective",
)  # fmt: skip
ALLERGY_INTOLERANCE = Spec(
    type="AllergyIntolerance",
    category=Category.RECORD,
    params=(
        Param("clinical-status", TOKEN, "active, inactive, resolved",
              lambda r: codings(r.get("clinicalStatus"))),
        Param("category", TOKEN, "food, medication, environment, biologic",
              lambda r: [(None, c) for c in r.get("category", [])]),
        Param("type", TOKEN, "allergy, intolerance", lambda r: [(None, r.get("type"))]),
        Param("criticality", TOKEN, "low, high, unable-to-assess",
              lambda r: [(None, r.get("criticality"))]),
        Param("code", TOKEN, "`system|code`", lambda r: codings(r.get("code"))),
        Param("date", DATE, "Recorded: prefix + date", lambda r: [r.get("recordedDate")]),
        *COMMON,
    ),
    sorts={"date": lambda r: r.get("recordedDate")},
    default_sort="-date",
)  # fmt: skip
CARE_PLAN = Spec(
    type="CarePlan",
    category=Category.RECORD,
    params=(
        Param("status", TOKEN, "active, completed, revoked …", lambda r: [(None, r.get("status"))]),
        Param("goal", REFERENCE, "Goal/<id>",
              lambda r: [g["reference"] for g in r.get("goal", [])]),
        *COMMON,
    ),
    sorts={"_id": lambda r: r.get("id")},
    default_sort="_id",
)  # fmt: skip
SPECS = (CONDITION, MEDICATION_STATEMENT, ALLERGY_INTOLERANCE, CARE_PLAN)


supersede(health_router, {f"/{spec.type}" for spec in SPECS})
for _spec in SPECS:
    register(router, _spec, endpoint(_spec, goals, CurrentActor))
