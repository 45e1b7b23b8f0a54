"""Wellbeing as FHIR R4: each instrument a ``Questionnaire``, each response a
``QuestionnaireResponse`` (mapped both ways, checked with the fhir.resources R4B models).

The mappers and the record section; the routes are in :mod:`careverse.wellbeing.fhir_api`.
Choice answers are ``valueCoding`` (LOINC answer codes where LOINC has them, else this site's
score codes) with the score as the ``ordinalValue`` extension; ``valueInteger`` (the score) is
accepted too. C-SSRS answers are ``valueBoolean``; its skip logic is ``enableWhen``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.fhir import iso
from careverse.kernel.policy import Actor, Category, decide
from careverse.wellbeing.catalogue import ALL, CSSRS
from careverse.wellbeing.definitions import LOINC, AnswerOption, Instrument
from careverse.wellbeing.service import Result, patient_responses, result_of

SCORE_SYSTEM = "urn:careverse:wellbeing:score"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
CRISIS_EXTENSION = "urn:careverse:wellbeing:crisis-resources"
CANONICAL = re.compile(r"(?:^|/)Questionnaire/([a-z0-9]{2,16})(?:\|.*)?$")
ACCEPTED_STATUS = ("completed", "amended")
# A questionnaire response nests a few levels; refusing heavy structure early keeps the JSON
# decoder far from its recursion limit (a 500) on a hostile body.
MAX_BRACKETS = 500


class Refused(ValueError):
    """A QuestionnaireResponse that cannot be taken (the message names the problem only)."""


def canonical(base: str, code: str) -> str:
    return f"{base.rstrip('/')}/fhir/Questionnaire/{code}"


def _coding(option: AnswerOption) -> dict:
    if option.loinc:
        return {"system": LOINC, "code": option.loinc, "display": option.text}
    return {"system": SCORE_SYSTEM, "code": str(option.score), "display": option.text}


def _answer_option(option: AnswerOption) -> dict:
    return {
        "valueCoding": _coding(option),
        "extension": [{"url": ORDINAL, "valueDecimal": option.score}],
    }


def _enable_when(link_id: str) -> list[dict] | None:
    """The C-SSRS skip: q3-q5 only after a yes to q2; recency only after a yes to q6."""
    if link_id in ("q3", "q4", "q5"):
        return [{"question": "q2", "operator": "=", "answerBoolean": True}]
    if link_id == "q6_past_3_months":
        return [{"question": "q6", "operator": "=", "answerBoolean": True}]
    return None


def questionnaire(inst: Instrument, base: str) -> dict:
    """An instrument as a FHIR Questionnaire."""
    items = []
    for item in inst.items:
        out: dict = {"linkId": item.link_id, "text": item.text}
        if item.loinc:
            out["code"] = [{"system": LOINC, "code": item.loinc}]
        if inst.scoring == "cssrs-triage":
            out["type"] = "boolean"
            when = _enable_when(item.link_id)
            if when:
                out["enableWhen"] = when
            out["required"] = True
        else:
            out["type"] = "choice"
            out["answerOption"] = [_answer_option(o) for o in inst.options]
        items.append(out)
    if inst.scoring == "sum":
        total: dict = {"linkId": f"{inst.code}-total", "text": "Total score", "type": "integer",
                       "readOnly": True}  # fmt: skip
        if inst.total_loinc:
            total["code"] = [{"system": LOINC, "code": inst.total_loinc}]
        items.append(total)
    resource: dict = {
        "resourceType": "Questionnaire",
        "id": inst.code,
        "url": canonical(base, inst.code),
        "name": inst.code.upper(),
        "title": inst.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": inst.period,
        "copyright": inst.licence,
        "item": items,
    }
    if inst.loinc:
        resource["code"] = [{"system": LOINC, "code": inst.loinc, "display": inst.title}]
    return resource


def questionnaire_response(result: Result, base: str) -> dict:
    """A stored response as a FHIR QuestionnaireResponse."""
    inst = ALL[result.instrument]
    items = []
    if isinstance(result.answers, dict):
        for key, value in result.answers.items():
            if value is not None:
                items.append({"linkId": key, "answer": [{"valueBoolean": value}]})
    else:
        for item, value in zip(inst.items, result.answers, strict=True):
            if value is not None:
                items.append(
                    {
                        "linkId": item.link_id,
                        "answer": [{"valueCoding": _coding(inst.option(value))}],
                    }
                )
        if result.total is not None:
            items.append(
                {"linkId": f"{inst.code}-total", "answer": [{"valueInteger": result.total}]}
            )
    resource: dict = {
        "resourceType": "QuestionnaireResponse",
        "id": str(result.id),
        "questionnaire": canonical(base, inst.code),
        "status": "completed",
        "subject": {"reference": f"Patient/{result.patient_id}"},
        "authored": iso(result.submitted_at),
        "item": items,
    }
    if result.crisis is not None:
        c = result.crisis.resources
        text = f"{c.text} {c.phone}" + (f" {c.url}" if c.url else "")
        resource["extension"] = [{"url": CRISIS_EXTENSION, "valueString": text}]
    return resource


def _validate(resource: object) -> dict:
    if not isinstance(resource, dict) or resource.get("resourceType") != "QuestionnaireResponse":
        raise Refused("Expected a QuestionnaireResponse.")
    try:
        QuestionnaireResponse.model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
        raise Refused(f"Invalid QuestionnaireResponse at {where or 'root'}.") from None
    except (TypeError, ValueError):
        raise Refused("Invalid QuestionnaireResponse.") from None
    return resource


def _choice_score(inst: Instrument, answer: Mapping) -> int:
    if "valueInteger" in answer:
        return answer["valueInteger"]
    coding = answer.get("valueCoding")
    if isinstance(coding, Mapping):
        for option in inst.options:
            if (coding.get("system"), coding.get("code")) in (
                (LOINC, option.loinc), (SCORE_SYSTEM, str(option.score)),
            ):  # fmt: skip
                return option.score
    raise Refused(f"{inst.title}: an answer is not one of the questionnaire's options.")


def parse_response(resource: object, patient_id: uuid.UUID | None) -> tuple[str, list | dict]:
    """A QuestionnaireResponse to (instrument code, answers) for :meth:`WellbeingService.submit`.

    Raises :class:`Refused` with a message that names the problem, never the answers.
    """
    qr = _validate(resource)
    match = CANONICAL.search(str(qr.get("questionnaire") or ""))
    if match is None or match.group(1) not in ALL:
        raise Refused("questionnaire must be one of this server's Questionnaires.")
    inst = ALL[match.group(1)]
    if qr.get("status") not in ACCEPTED_STATUS:
        raise Refused("status must be completed or amended.")
    subject = (qr.get("subject") or {}).get("reference")
    if subject is not None and subject != f"Patient/{patient_id}":
        raise Refused("subject must be the signed-in patient.")
    link_ids = [item.link_id for item in inst.items]
    given: dict[str, object] = {}
    for entry in qr.get("item") or []:
        link_id = entry.get("linkId")
        if link_id == f"{inst.code}-total":
            continue  # the server scores; a sent total is ignored
        if link_id not in link_ids:
            raise Refused(f"{inst.title}: unknown linkId.")
        if link_id in given:
            raise Refused(f"{inst.title}: an item is answered twice.")
        answers = entry.get("answer") or []
        if len(answers) > 1:
            raise Refused(f"{inst.title}: an item has more than one answer.")
        if not answers:
            given[link_id] = None
        elif inst.code == CSSRS.code:
            if "valueBoolean" not in answers[0]:
                raise Refused("C-SSRS answers are valueBoolean.")
            given[link_id] = answers[0]["valueBoolean"]
        else:
            given[link_id] = _choice_score(inst, answers[0])
    if inst.code == CSSRS.code:
        return inst.code, given
    return inst.code, [given.get(link_id) for link_id in link_ids]


def record_section(base: str):
    """The patient's QuestionnaireResponses, for ``$everything`` and the patient's export; left
    out for a reader without ``wellbeing`` access (a caregiver not delegated it)."""

    async def section(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
        grant, _ = await decide(session, actor, patient_id, Category.WELLBEING, False)
        if grant is None:
            return []
        rows = await patient_responses(session, patient_id)
        return [questionnaire_response(result_of(r), base) for r in rows]

    return section
