"""Wellbeing's section of a patient's FHIR record: their QuestionnaireResponses
(wellbeing/fhir.py), each last changed when it was submitted (a response is never edited)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.fhir import RecordQuery
from careverse.kernel.policy import Actor
from careverse.wellbeing.fhir import record_section


def questionnaire_responses_section(base: str):
    """The patient's QuestionnaireResponses; none for a reader without ``wellbeing`` access."""
    read = record_section(base)

    async def section(
        session: AsyncSession, actor: Actor, patient_id: uuid.UUID, query: RecordQuery
    ) -> list[dict]:
        if not query.wants("QuestionnaireResponse"):
            return []
        return [
            {**r, "meta": {**r.get("meta", {}), "lastUpdated": r["authored"]}}
            for r in await read(session, actor, patient_id)
        ]

    return section
