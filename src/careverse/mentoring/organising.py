"""What mentors and organisers do around the matching: a mentor pauses, resumes or withdraws
their approval and changes their capacity; the site's moderators and admins list the reports
they were told about (docs/mentoring.md, "Organisers").

A paused mentor is never offered (matching takes approved mentors only) and keeps the mentees
they have; withdrawing is final for that application (apply again to come back). Reports are
seen by those a report notifies — the site's moderators and admins — and reading them is
audited; nobody else may list them (403), and the relationship itself stays its two sides'.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import members as community_members
from careverse.identity import directory
from careverse.kernel import audit
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.policy import Actor, require_full_scope
from careverse.kernel.uow import unit_of_work
from careverse.mentoring.models import Mentor, Relationship, Report

STANDINGS = ("approved", "paused", "withdrawn")
MAX_CAPACITY = 5


async def set_standing(
    session: AsyncSession, actor: Actor, mentor_id: uuid.UUID, status: str, capacity: int
) -> Mentor:
    """The mentor's own application: pause (``paused``), resume (``approved``) or withdraw it, and
    set its capacity (1 to 5; fewer than the current mentees only stops new matches)."""
    require_full_scope(actor)
    if status not in STANDINGS:
        raise InvalidInput(f"status must be one of {', '.join(STANDINGS)}.", field="status")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(f"Capacity is 1 to {MAX_CAPACITY}.", field="capacity")
    async with unit_of_work(session):
        row = await session.get(Mentor, mentor_id)
        if row is None or row.account_id != actor.account_id:
            raise NotFound("Not found.")
        may_leave = ("applied", "approved", "paused")
        if status == "withdrawn" and row.status not in may_leave:
            raise Conflict("This application cannot be withdrawn.", code="not_active")
        if status != "withdrawn" and row.status not in ("approved", "paused"):
            raise Conflict("Only an approved mentor may pause or resume.", code="not_approved")
        row.status, row.capacity = status, capacity
        audit.record(session, f"mentoring.{status}", actor=actor,
                     resource_type="Mentor", resource_id=row.id)  # fmt: skip
        return row


@dataclass(frozen=True)
class ReportView:
    id: uuid.UUID
    created_at: datetime
    reason: str
    reporter: str
    reported: str
    kind: str
    relationship_status: str


async def reports(session: AsyncSession, actor: Actor, limit: int = 100) -> list[ReportView]:
    """The latest reports, newest first, for the site's moderators and admins (who are told)."""
    require_full_scope(actor)
    if not community_members.is_site_staff(actor):
        raise Forbidden("Only the site's moderators may list reports.", code="not_moderator")
    async with unit_of_work(session):
        found = (
            await session.execute(
                select(Report, Relationship)
                .join(Relationship, Relationship.id == Report.relationship_id)
                .order_by(Report.created_at.desc())
                .limit(limit)
            )
        ).all()
        people = {r.reporter_id for r, _ in found if r.reporter_id}
        people |= {x.mentor_id for _, x in found} | {x.mentee_id for _, x in found}
        names = await directory.display_names(session, people)
        out = []
        for report, rel in found:
            other = rel.mentee_id if report.reporter_id == rel.mentor_id else rel.mentor_id
            out.append(ReportView(
                report.id, report.created_at, report.reason,
                names.get(report.reporter_id, "") if report.reporter_id else "",
                names.get(other, ""), rel.kind, rel.status,
            ))  # fmt: skip
        audit.record(session, "mentoring.reports", actor=actor, resource_type="MentoringReport")
    return out
