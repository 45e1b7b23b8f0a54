"""Wellbeing's domain: answer a questionnaire, read results over time.

A patient answers their own questionnaires; a clinician with a care relationship (or
break-glass) reads them; a caregiver only with a ``wellbeing`` delegation. Every access goes
through :func:`careverse.kernel.policy.authorize` (category ``wellbeing``) and is audited.

The crisis path is a hard rule, not a setting: a response with PHQ-9 item 9 answered 1 or more,
or any C-SSRS screener risk above none, is answered with the site's crisis resources, offers the
C-SSRS screener when it came from PHQ-9 item 9, is audited (``wellbeing.crisis``, no detail) and
publishes :class:`CrisisResponseRecorded`, on which monitoring opens an urgent alert to the
patient's care team in the same transaction (acknowledgement deadline and escalation as every
alert). Nothing about the answers is logged.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.relationships import care_team
from careverse.kernel import audit, clock
from careverse.kernel.config import CrisisResources, Settings
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, require_role
from careverse.kernel.uow import unit_of_work
from careverse.wellbeing.catalogue import ALL, CSSRS
from careverse.wellbeing.events import CrisisResponseRecorded
from careverse.wellbeing.instruments import cssrs_triage, score
from careverse.wellbeing.models import WellbeingResponse
from careverse.wellbeing.schedules import answered

FALLBACK_LANGUAGE = "en"
RESULTS_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Crisis:
    """What the patient is shown when a response takes the crisis path."""

    language: str
    resources: CrisisResources
    offer_cssrs: bool  # the crisis came from PHQ-9 item 9: offer the C-SSRS screener now
    care_team_alerted: bool  # the patient has a clinician the alert went to


@dataclass(frozen=True, slots=True)
class Result:
    """One stored response and what was scored from it."""

    id: uuid.UUID
    patient_id: uuid.UUID
    instrument: str
    submitted_at: datetime
    answers: list | dict
    total: int | None = None
    band: str | None = None
    percentage: int | None = None
    missing: int = 0
    flags: list[str] = field(default_factory=list)
    risk: str | None = None  # C-SSRS screener only
    crisis: Crisis | None = None


def crisis_resources(settings: Settings, language: str | None) -> tuple[str, CrisisResources]:
    """The site's crisis resources in ``language`` (its primary subtag), else the fallback."""
    configured = settings.wellbeing_crisis_resources
    wanted = (language or "").split(",")[0].split(";")[0].split("-")[0].strip().lower()
    for choice in (wanted, FALLBACK_LANGUAGE):
        if choice in configured:
            return choice, configured[choice]
    first = next(iter(configured))
    return first, configured[first]


def _scored(code: str, answers: Sequence | Mapping) -> tuple[dict, tuple[str, ...]]:
    """Score the answers; answers the stored result and its crisis reason codes."""
    try:
        if code == CSSRS.code:
            if not isinstance(answers, Mapping):
                raise ValueError("C-SSRS answers must be an object of q1..q6 and q6_past_3_months.")
            risk, reason = cssrs_triage(answers)
            stored = {key: answers.get(key) for key in (i.link_id for i in CSSRS.items)}
            return {"answers": stored, "risk": risk, "flags": []}, (reason,) if reason else ()
        if code not in ALL:
            raise ValueError("Unknown instrument.")
        if isinstance(answers, Mapping):
            raise ValueError("Answers must be a list of item scores.")
        result = score(code, answers)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="answers") from None
    return {
        "answers": list(answers),
        "total": result.total,
        "band": result.band,
        "percentage": result.percentage,
        "missing": result.missing,
        "flags": sorted(result.flags),
    }, result.crisis


def result_of(row: WellbeingResponse, crisis: Crisis | None = None) -> Result:
    """A stored response, decrypted and decoded."""
    stored = json.loads(row.result)
    return Result(
        id=row.id, patient_id=row.patient_id, instrument=row.instrument,
        submitted_at=row.submitted_at, answers=stored["answers"], total=stored.get("total"),
        band=stored.get("band"), percentage=stored.get("percentage"),
        missing=stored.get("missing", 0), flags=stored.get("flags", []), risk=stored.get("risk"),
        crisis=crisis,
    )  # fmt: skip


async def patient_responses(
    session: AsyncSession, patient_id: uuid.UUID, instrument: str | None = None
) -> list[WellbeingResponse]:
    """The patient's latest responses, oldest first (the caller has authorized the read)."""
    query = select(WellbeingResponse).where(WellbeingResponse.patient_id == patient_id)
    if instrument is not None:
        query = query.where(WellbeingResponse.instrument == instrument)
    query = query.order_by(WellbeingResponse.submitted_at.desc()).limit(RESULTS_LIMIT)
    return list(reversed((await session.scalars(query)).all()))


class WellbeingService:
    """Questionnaire responses: submit (patients), read over time (patient, clinician)."""

    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    async def submit(
        self, actor: Actor, code: str, answers: Sequence | Mapping, language: str | None = None
    ) -> Result:
        """Store, score and audit the patient's own response; take the crisis path if it must."""
        require_role(actor, Role.PATIENT)
        patient_id = actor.patient_id
        if patient_id is None:
            raise Conflict("Your account has no patient record.", code="no_patient_record")
        stored, reasons = _scored(code, answers)
        async with unit_of_work(self.session) as uow:
            row = WellbeingResponse(
                id=uuid.uuid4(), patient_id=patient_id, instrument=code,
                submitted_at=clock.now(), submitted_by=actor.account_id,
                result=json.dumps({**stored, "crisis": bool(reasons)}),
            )  # fmt: skip
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, write=True,
                resource_type="QuestionnaireResponse", resource_id=row.id,
            )  # fmt: skip
            self.session.add(row)
            await answered(self.session, patient_id, code, row.submitted_at)
            await self.session.flush()
            crisis = None
            if reasons:
                audit.record(
                    self.session, "wellbeing.crisis", actor=actor, patient_id=patient_id,
                    resource_type="QuestionnaireResponse", resource_id=row.id,
                )  # fmt: skip
                await uow.publish(
                    CrisisResponseRecorded(
                        patient_id=patient_id, response_id=row.id, instrument=code,
                        reasons=reasons,
                    )
                )  # fmt: skip
                chosen, resources = crisis_resources(self.settings, language)
                team = await care_team(self.session, patient_id)
                crisis = Crisis(chosen, resources, code != CSSRS.code, bool(team))
        return result_of(row, crisis)

    async def results(
        self, actor: Actor, patient_id: uuid.UUID | None = None, instrument: str | None = None
    ) -> list[Result]:
        """A patient's results over time, oldest first (the caller's own when a patient)."""
        if patient_id is None:
            require_role(actor, Role.PATIENT)
            patient_id = actor.patient_id
            if patient_id is None:
                raise Conflict("Your account has no patient record.", code="no_patient_record")
        if instrument is not None and instrument not in ALL:
            raise InvalidInput("Unknown instrument.", field="instrument")
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING,
                resource_type="QuestionnaireResponse",
            )  # fmt: skip
            rows = await patient_responses(self.session, patient_id, instrument)
        return [result_of(r) for r in rows]

    async def response(self, actor: Actor, response_id: uuid.UUID) -> Result:
        """One response, read through the policy (404 when it is not the caller's to see)."""
        async with unit_of_work(self.session):
            row = await self.session.get(WellbeingResponse, response_id)
            if row is None:
                raise NotFound("Not found.")
            await authorize(
                self.session, actor, row.patient_id, Category.WELLBEING,
                resource_type="QuestionnaireResponse", resource_id=row.id,
            )  # fmt: skip
        return result_of(row)
