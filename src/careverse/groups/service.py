"""Support groups and their membership: create, list and search, join (open, on request, by a
clinician's referral), ground rules, the waitlist and its promotion, leaving.

A group's capacity counts its active members (not its facilitators). Joining a full group puts
one on the waitlist, in order; when a member leaves (or is removed) the first waiting person is
promoted and told. Ground rules are accepted on joining, with the version shown; a changed version
asks them again before the next session (sessions.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import members as community_members
from careverse.groups import access
from careverse.groups.events import GroupMemberPromoted
from careverse.groups.models import GroupMember, SupportGroup
from careverse.groups.recurrence import Recurrence, valid_time, valid_zone
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, Category, Role, authorize, require_full_scope
from careverse.kernel.uow import unit_of_work
from careverse.world.templates import TEMPLATES

DEFAULT_TEMPLATE = "support-circle"
ADMISSIONS = ("open", "request", "referral")
GROUP_NOTICE = "News about a group you joined"


@dataclass(frozen=True)
class GroupSpec:
    slug: str
    name: str
    description: str
    timezone: str
    first_date: date
    start_time: str
    duration_minutes: int
    every_weeks: int
    capacity: int
    admission: str
    ground_rules: str
    caregiver: bool = False
    template: str = DEFAULT_TEMPLATE


@dataclass(frozen=True)
class GroupView:
    group: SupportGroup
    mine: GroupMember | None
    members: int
    waitlisted: int
    next_start: datetime | None
    facilitator: bool


def recurrence_of(group: SupportGroup) -> Recurrence:
    return Recurrence(
        group.timezone,
        group.first_date,
        group.start_time,
        group.every_weeks,
        group.duration_minutes,
    )


def check_spec(spec: GroupSpec) -> None:
    if not valid_zone(spec.timezone):
        raise InvalidInput(
            "Unknown time zone; use an IANA name like Europe/London.", field="timezone"
        )
    if not valid_time(spec.start_time):
        raise InvalidInput("Start time must be HH:MM (24-hour).", field="start_time")
    if spec.every_weeks not in (1, 2):
        raise InvalidInput("Groups meet every 1 or 2 weeks.", field="every_weeks")
    if spec.admission not in ADMISSIONS:
        raise InvalidInput("Admission is open, request or referral.", field="admission")
    template = TEMPLATES.get(spec.template)
    if template is None:
        raise InvalidInput(
            f"Unknown template; choose one of {', '.join(TEMPLATES)}.", field="template"
        )
    if not 2 <= spec.capacity <= template.capacity - 1:
        raise InvalidInput(
            f"Capacity is 2 to {template.capacity - 1} members in this space.", field="capacity"
        )


class GroupService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def _counts(self, group_id: uuid.UUID) -> tuple[int, int]:
        rows = dict(
            (
                await self.session.execute(
                    select(GroupMember.status, func.count())
                    .where(GroupMember.group_id == group_id, GroupMember.role == "member")
                    .group_by(GroupMember.status)
                )
            ).all()
        )
        return int(rows.get("active", 0)), int(rows.get("waitlisted", 0))

    async def _view(self, group: SupportGroup, mine: GroupMember | None) -> GroupView:
        active, waiting = await self._counts(group.id)
        (next_start,) = recurrence_of(group).upcoming(clock.now(), 1)
        return GroupView(group, mine, active, waiting, next_start, access.is_facilitator(mine))

    async def create(
        self,
        actor: Actor,
        community_slug: str,
        spec: GroupSpec,
        facilitators: list[uuid.UUID] | None = None,
    ) -> GroupView:
        async with unit_of_work(self.session):
            community, _ = await community_members.community_for(
                self.session, actor, community_slug
            )
            if not await access.community_staff(self.session, actor, community.id):
                raise Forbidden(
                    "Only the community's facilitators and moderators create groups.",
                    code="not_community_staff",
                )
            check_spec(spec)
            if await self.session.scalar(
                select(SupportGroup.id).where(SupportGroup.slug == spec.slug)
            ):
                raise Conflict("A group with this address exists.", code="slug_taken")
            group = SupportGroup(
                community_id=community.id,
                created_by=actor.account_id,
                **{k: getattr(spec, k) for k in spec.__dataclass_fields__},
            )
            self.session.add(group)
            await self.session.flush()
            now = clock.now()
            people: list[uuid.UUID] = [actor.account_id, *(facilitators or [])]
            for account in list(dict.fromkeys(people)):
                if await directory.account_role(self.session, account) is None:
                    raise NotFound("No such person.")
                self.session.add(
                    GroupMember(
                        group_id=group.id,
                        account_id=account,
                        role="facilitator",
                        status="active",
                        rules_version=group.ground_rules_version,
                        rules_accepted_at=now,
                        since=now,
                    )
                )
            audit.record(
                self.session,
                "groups.create",
                actor=actor,
                resource_type="SupportGroup",
                resource_id=group.id,
            )
            await self.session.flush()
            mine = await access.member_row(self.session, group.id, actor.account_id)
        return await self._view(group, mine)

    async def list(
        self, actor: Actor, q: str | None = None, caregiver: bool | None = None
    ) -> list[GroupView]:
        require_full_scope(actor)
        query = select(SupportGroup).order_by(SupportGroup.name)
        if q:
            like = f"%{q.lower()}%"
            query = query.where(
                or_(
                    func.lower(SupportGroup.name).like(like),
                    func.lower(SupportGroup.description).like(like),
                )
            )
        if caregiver is not None:
            query = query.where(SupportGroup.caregiver.is_(caregiver))
        out = []
        readable: dict[uuid.UUID, bool] = {}
        for group in (await self.session.scalars(query)).all():
            mine = await access.member_row(self.session, group.id, actor.account_id)
            if group.community_id not in readable:
                readable[group.community_id] = await access.may_read_community(
                    self.session, actor, group.community_id
                )
            if readable[group.community_id] or (mine is not None and mine.status != "left"):
                out.append(await self._view(group, mine))
        return out

    async def get(self, actor: Actor, slug: str) -> GroupView:
        group, mine = await access.visible_group(self.session, actor, slug)
        return await self._view(group, mine)

    async def join(
        self, actor: Actor, slug: str, accept_rules: bool, rules_version: int
    ) -> GroupView:
        async with unit_of_work(self.session):
            group, mine = await access.visible_group(self.session, actor, slug)
            if actor.role not in (Role.PATIENT, Role.CAREGIVER, Role.CLINICIAN):
                raise Forbidden("Only patients, caregivers and clinicians join groups.")
            if mine is not None and mine.status in ("active", "waitlisted", "requested"):
                raise Conflict("You have already joined or asked to join.", code="already_joined")
            self._accept(group, accept_rules, rules_version)
            referred = mine is not None and mine.status == "referred"
            if group.admission == "referral" and not referred:
                raise Forbidden(
                    "This group takes members referred by their clinician.", code="referral_only"
                )
            if mine is None:
                mine = GroupMember(
                    group_id=group.id,
                    account_id=actor.account_id,
                    role="member",
                    status="requested",
                )
                self.session.add(mine)
            mine.rules_version, mine.rules_accepted_at = group.ground_rules_version, clock.now()
            mine.since = clock.now()
            if group.admission == "request" and not referred:
                mine.status = "requested"
            else:
                mine.status = await self._place(group)
            audit.record(
                self.session,
                "groups.join",
                actor=actor,
                resource_type="SupportGroup",
                resource_id=group.id,
                detail={"status": mine.status},
            )
            await self.session.flush()
        return await self._view(group, mine)

    def _accept(self, group: SupportGroup, accept: bool, version: int) -> None:
        if not accept:
            raise InvalidInput("Accept the group's ground rules to join.", field="accept_rules")
        if version != group.ground_rules_version:
            raise Conflict("The ground rules changed; read them again.", code="rules_changed")

    async def accept_rules(self, actor: Actor, slug: str, version: int) -> GroupView:
        """Accept the current ground rules again (after they changed)."""
        async with unit_of_work(self.session):
            group, mine = await access.visible_group(self.session, actor, slug)
            if mine is None or mine.status == "left":
                raise Forbidden("Join the group first.", code="not_a_member")
            self._accept(group, True, version)
            mine.rules_version, mine.rules_accepted_at = version, clock.now()
        return await self._view(group, mine)

    async def _place(self, group: SupportGroup) -> str:
        active, _ = await self._counts(group.id)
        return "active" if active < group.capacity else "waitlisted"

    async def approve(self, actor: Actor, slug: str, member_id: uuid.UUID) -> GroupMember:
        async with unit_of_work(self.session) as uow:
            group, mine = await access.visible_group(self.session, actor, slug)
            await access.require_runner(self.session, actor, group, mine)
            row = await self.session.get(GroupMember, member_id)
            if row is None or row.group_id != group.id or row.status != "requested":
                raise NotFound("No such request.")
            row.status, row.since = await self._place(group), clock.now()
            await uow.publish(
                NotificationRequested(
                    account_id=row.account_id,
                    kind="groups.approved",
                    title=GROUP_NOTICE,
                    body=f"You can join {group.name}.",
                    link=f"/groups/{group.slug}",
                )
            )
            audit.record(
                self.session,
                "groups.approve",
                actor=actor,
                resource_type="GroupMember",
                resource_id=row.id,
                detail={"status": row.status},
            )
        return row

    async def refer(self, actor: Actor, slug: str, patient_id: uuid.UUID) -> GroupMember:
        """A clinician refers a patient in their care: the patient may then join."""
        async with unit_of_work(self.session) as uow:
            if actor.role is not Role.CLINICIAN:
                raise Forbidden("Only clinicians refer patients to groups.")
            await authorize(
                self.session,
                actor,
                patient_id,
                Category.RECORD,
                write=True,
                resource_type="SupportGroup",
            )
            group, _ = await access.visible_group(self.session, actor, slug)
            patient = await directory.patient(self.session, patient_id)
            if patient is None or patient.account_id is None:
                raise NotFound("Not found.")
            row = await access.member_row(self.session, group.id, patient.account_id)
            if row is not None and row.status in ("active", "waitlisted"):
                raise Conflict("They are already in this group.", code="already_joined")
            if row is None:
                row = GroupMember(
                    group_id=group.id,
                    account_id=patient.account_id,
                    role="member",
                    status="referred",
                )
                self.session.add(row)
            row.status, row.referred_by = "referred", actor.account_id
            await uow.publish(
                NotificationRequested(
                    account_id=patient.account_id,
                    kind="groups.referred",
                    title=GROUP_NOTICE,
                    body=f"Your clinician suggested {group.name}.",
                    link=f"/groups/{group.slug}",
                    patient_id=patient_id,
                )
            )
            await self.session.flush()
        return row

    async def leave(self, actor: Actor, slug: str) -> None:
        async with unit_of_work(self.session):
            group, mine = await access.visible_group(self.session, actor, slug)
            if mine is None or mine.status == "left":
                raise NotFound("Not found.")
            was_active = mine.status == "active" and mine.role == "member"
            mine.status = "left"
            audit.record(
                self.session,
                "groups.leave",
                actor=actor,
                resource_type="SupportGroup",
                resource_id=group.id,
            )
            await self.session.flush()
            if was_active:
                await self.promote(group)

    async def promote(self, group: SupportGroup) -> GroupMember | None:
        """A place freed: the first on the waitlist becomes a member and is told."""
        active, _ = await self._counts(group.id)
        if active >= group.capacity:
            return None
        first = await self.session.scalar(
            select(GroupMember)
            .where(GroupMember.group_id == group.id, GroupMember.status == "waitlisted")
            .order_by(GroupMember.since, GroupMember.id)
            .limit(1)
        )
        if first is None:
            return None
        first.status = "active"
        uow = unit_of_work(self.session)
        await uow.publish(
            NotificationRequested(
                account_id=first.account_id,
                kind="groups.promoted",
                title=GROUP_NOTICE,
                body=f"A place opened in {group.name}: you are in.",
                link=f"/groups/{group.slug}",
            )
        )
        await uow.publish(GroupMemberPromoted(group_id=group.id, account_id=first.account_id))
        return first

    async def requests(self, actor: Actor, slug: str) -> list[GroupMember]:
        group, mine = await access.visible_group(self.session, actor, slug)
        await access.require_runner(self.session, actor, group, mine)
        return list(
            (
                await self.session.scalars(
                    select(GroupMember)
                    .where(
                        GroupMember.group_id == group.id,
                        GroupMember.status.in_(("requested", "waitlisted")),
                    )
                    .order_by(GroupMember.since)
                )
            ).all()
        )
