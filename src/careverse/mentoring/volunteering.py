"""Volunteering: organisers (a community's staff, the one rule of ``access.is_organiser``) post
opportunities; members who may read the community sign up and log their hours; the organiser
confirms or declines them; a volunteer's confirmed hours are exported as a certificate PDF.

The certificate is written with fpdf2 (pure Python, small, no system libraries): the
volunteer's name, each opportunity's title and confirmed hours, and the date issued; no health
data (a community's name can reveal a condition, so the certificate names none).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import members as community_members
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.policy import Actor, require_full_scope
from careverse.kernel.uow import unit_of_work
from careverse.mentoring import access
from careverse.mentoring.volunteering_models import HoursLog, Opportunity, SignUp


@dataclass(frozen=True)
class Line:
    title: str
    minutes: int


@dataclass(frozen=True)
class BoardEntry:
    """An opportunity as the caller sees it: its community, and whether they run it or signed up."""

    opportunity: Opportunity
    community_slug: str
    community_name: str
    organiser: bool
    signed_up: bool


class VolunteeringService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def post(self, actor: Actor, slug: str, title: str, description: str) -> Opportunity:
        async with unit_of_work(self.session):
            community = await access.community(self.session, actor, slug)
            await access.require_organiser(self.session, actor, community.id)
            row = Opportunity(
                community_id=community.id,
                title=title.strip(),
                description=description.strip(),
                organiser_id=actor.account_id,
            )
            self.session.add(row)
            await self.session.flush()
            audit.record(
                self.session,
                "volunteering.post",
                actor=actor,
                resource_type="Opportunity",
                resource_id=row.id,
            )
            return row

    async def listing(self, actor: Actor, slug: str) -> list[Opportunity]:
        community = await access.community(self.session, actor, slug)
        rows = await self.session.scalars(
            select(Opportunity)
            .where(Opportunity.community_id == community.id)
            .order_by(Opportunity.created_at)
        )
        return list(rows.all())

    async def board(self, actor: Actor, q: str = "") -> list[BoardEntry]:
        """Every opportunity in the communities the caller may read, newest first, searched by
        ``q`` in the title and description (case-folded)."""
        require_full_scope(actor)
        rows = (
            await self.session.scalars(select(Opportunity).order_by(Opportunity.created_at.desc()))
        ).all()
        mine = set(
            (
                await self.session.scalars(
                    select(SignUp.opportunity_id).where(SignUp.account_id == actor.account_id)
                )
            ).all()
        )
        needle = q.strip().casefold()
        seen: dict[uuid.UUID, tuple[str, str, bool] | None] = {}
        out = []
        for row in rows:
            if needle and needle not in f"{row.title} {row.description}".casefold():
                continue
            if row.community_id not in seen:
                seen[row.community_id] = await self._community_facts(actor, row.community_id)
            facts = seen[row.community_id]
            if facts is not None:
                out.append(BoardEntry(row, *facts, signed_up=row.id in mine))
        return out

    async def _community_facts(
        self, actor: Actor, community_id: uuid.UUID
    ) -> tuple[str, str, bool] | None:
        """The community's slug and name and whether the caller organises it; None if unreadable."""
        try:
            found, _m = await community_members.readable(self.session, actor, community_id)
        except NotFound:
            return None
        return found.slug, found.name, await access.is_organiser(self.session, actor, found.id)

    async def detail(self, actor: Actor, opportunity_id: uuid.UUID):
        """One opportunity as the caller sees it, with the hours they logged on it (all states)."""
        row = await self._opportunity(actor, opportunity_id)
        facts = await self._community_facts(actor, row.community_id)
        assert facts is not None  # _opportunity checked the community is readable
        mine = await self._signup(row.id, actor.account_id)
        hours: list[HoursLog] = []
        if mine is not None:
            hours = list(
                (
                    await self.session.scalars(
                        select(HoursLog)
                        .where(HoursLog.signup_id == mine.id)
                        .order_by(HoursLog.day.desc())
                    )
                ).all()
            )
        return BoardEntry(row, *facts, signed_up=mine is not None), hours

    async def _opportunity(self, actor: Actor, opportunity_id: uuid.UUID) -> Opportunity:
        require_full_scope(actor)
        row = await self.session.get(Opportunity, opportunity_id)
        if row is None:
            raise NotFound("Not found.")
        try:
            await community_members.readable(self.session, actor, row.community_id)
        except NotFound:
            raise NotFound("Not found.") from None
        return row

    async def sign_up(self, actor: Actor, opportunity_id: uuid.UUID) -> SignUp:
        async with unit_of_work(self.session):
            row = await self._opportunity(actor, opportunity_id)
            mine = await self._signup(row.id, actor.account_id)
            if mine is not None:
                raise Conflict("You have already signed up.", code="already_signed_up")
            mine = SignUp(opportunity_id=row.id, account_id=actor.account_id)
            self.session.add(mine)
            await self.session.flush()
            audit.record(
                self.session,
                "volunteering.sign_up",
                actor=actor,
                resource_type="Opportunity",
                resource_id=row.id,
            )
            return mine

    async def _signup(self, opportunity_id: uuid.UUID, account_id: uuid.UUID) -> SignUp | None:
        return await self.session.scalar(
            select(SignUp).where(
                SignUp.opportunity_id == opportunity_id, SignUp.account_id == account_id
            )
        )

    async def log_hours(
        self, actor: Actor, opportunity_id: uuid.UUID, day: date, minutes: int, note: str
    ) -> HoursLog:
        async with unit_of_work(self.session):
            row = await self._opportunity(actor, opportunity_id)
            mine = await self._signup(row.id, actor.account_id)
            if mine is None:
                raise Conflict("Sign up for this opportunity first.", code="not_signed_up")
            if day > clock.now().date():
                raise InvalidInput("Hours are logged for a day that has passed.", field="day")
            log = HoursLog(signup_id=mine.id, day=day, minutes=minutes, note=note.strip())
            self.session.add(log)
            await self.session.flush()
            audit.record(
                self.session,
                "volunteering.log",
                actor=actor,
                resource_type="Opportunity",
                resource_id=row.id,
            )
            return log

    async def pending(self, actor: Actor, opportunity_id: uuid.UUID):
        """Hours waiting for the organiser, with the volunteer's name."""
        row = await self._opportunity(actor, opportunity_id)
        await access.require_organiser(self.session, actor, row.community_id)
        found = (
            await self.session.execute(
                select(HoursLog, SignUp.account_id)
                .join(SignUp, SignUp.id == HoursLog.signup_id)
                .where(SignUp.opportunity_id == row.id, HoursLog.status == "logged")
                .order_by(HoursLog.day)
            )
        ).all()
        names = await directory.display_names(self.session, {a for _l, a in found})
        return [(log, names.get(account, "")) for log, account in found]

    async def confirm(
        self, actor: Actor, opportunity_id: uuid.UUID, log_id: uuid.UUID, confirm: bool
    ) -> HoursLog:
        async with unit_of_work(self.session):
            row = await self._opportunity(actor, opportunity_id)
            await access.require_organiser(self.session, actor, row.community_id)
            log = await self.session.get(HoursLog, log_id)
            signup = await self.session.get(SignUp, log.signup_id) if log else None
            if log is None or signup is None or signup.opportunity_id != row.id:
                raise NotFound("Not found.")
            if log.status != "logged":
                raise Conflict("These hours were already decided.", code="decided")
            log.status = "confirmed" if confirm else "declined"
            log.confirmed_by, log.confirmed_at = actor.account_id, clock.now()
            audit.record(
                self.session,
                f"volunteering.{log.status}",
                actor=actor,
                resource_type="Opportunity",
                resource_id=row.id,
            )
            return log

    async def record(self, actor: Actor) -> list[Line]:
        """The caller's confirmed minutes per opportunity."""
        require_full_scope(actor)
        found = (
            await self.session.execute(
                select(Opportunity.title, HoursLog.minutes)
                .join(SignUp, SignUp.opportunity_id == Opportunity.id)
                .join(HoursLog, HoursLog.signup_id == SignUp.id)
                .where(SignUp.account_id == actor.account_id, HoursLog.status == "confirmed")
                .order_by(Opportunity.title)
            )
        ).all()
        totals: dict[str, int] = {}
        for title, minutes in found:
            totals[title] = totals.get(title, 0) + minutes
        return [Line(t, m) for t, m in totals.items()]

    async def certificate(self, actor: Actor) -> bytes:
        async with unit_of_work(self.session):
            lines = await self.record(actor)
            if not lines:
                raise Conflict("No confirmed hours yet.", code="no_hours")
            me = await directory.account(self.session, actor.account_id)
            audit.record(self.session, "volunteering.certificate", actor=actor)
        return certificate_pdf(me.display_name if me else "", lines, clock.now().date())


def certificate_pdf(name: str, lines: list[Line], issued: date) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 14, "Certificate of volunteering", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    safe = name.encode("latin-1", "replace").decode("latin-1")
    pdf.multi_cell(0, 8, f"This certifies that {safe} volunteered with Careverse:")
    total = 0
    for line in lines:
        title = line.title.encode("latin-1", "replace").decode("latin-1")
        pdf.cell(0, 8, f"- {title}: {line.minutes / 60:.1f} hours", new_x="LMARGIN", new_y="NEXT")
        total += line.minutes
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 10, f"Total confirmed: {total / 60:.1f} hours", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 8, f"Issued {issued.isoformat()}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
