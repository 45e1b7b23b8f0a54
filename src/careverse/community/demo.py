"""Demo communities with realistic threads, made through the services once (seeding again adds
nothing): type 2 diabetes, long COVID, chronic pain, caregivers and a professional case
discussion. ``accounts`` maps the demo's local names to accounts (careverse/demo.py)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.models import Community, Post, Thread
from careverse.community.posts import ThreadService
from careverse.community.quality_demo import seed_quality
from careverse.community.review import Draft, PostReviewer, Review
from careverse.community.service import CommunityService
from careverse.kernel import clock
from careverse.kernel.policy import Actor, Role

GUIDELINES = (
    "- Be kind: everyone here is living with something hard.\n"
    "- Share experience, not prescriptions: your clinician decides your treatment.\n"
    "- Keep others' stories here: no screenshots, no names.\n"
    "- If you are in danger, call your local emergency number now."
)
PRO_GUIDELINES = (
    "- Case discussion between clinicians only.\n"
    "- Never post identifiable patient details: names, dates of birth, record or phone numbers.\n"
    "- Cite sources for clinical claims."
)

# (slug, name, kind, visibility, description, moderator, members, threads)
# threads: (author, title, body, identity, [(author, reply, identity)])
COMMUNITIES = (
    ("type-2-diabetes", "Living with type 2 diabetes", "condition", "public",
     "Food, tablets, tests and everything in between.", "sam", ("amara", "jonas", "dr.rivera"), (
        ("amara", "Breakfast ideas that keep my sugars steady",
         "Since my diagnosis I struggle with breakfast. Porridge sends my readings up. "
         "What works for you?", "pseudonym", (
            ("jonas", "Eggs and spinach most days, and **berries** with yoghurt at weekends.",
             "pseudonym"),
            ("dr.rivera", "Pairing carbohydrate with protein and fibre slows the rise. Ask your "
             "diabetes nurse about testing two hours after meals to see what works for you.",
             "name"),
        )),
        ("jonas", "Nervous about starting metformin",
         "My GP wants me to start metformin next week. Did the stomach upset settle for you?",
         "pseudonym", (
            ("amara", "It did after about three weeks. Taking it with food helped me.",
             "pseudonym"),
        )),
    )),
    ("long-covid", "Long COVID support", "condition", "request",
     "Pacing, fatigue, brain fog and being believed.", "sam", ("lucia", "jonas"), (
        ("lucia", "Pacing on good days",
         "On good days I overdo it and crash for three days. How do you pace yourselves?",
         "pseudonym", (
            ("jonas", "I set a timer: 25 minutes of activity, then rest, even when I feel fine.",
             "pseudonym"),
        )),
    )),
    ("chronic-pain", "Chronic pain circle", "condition", "public",
     "Living well alongside persistent pain.", "sam", ("amara", "lucia"), (
        ("lucia", "Explaining pain at work",
         "How do you explain to colleagues that some days I cannot sit through a meeting?",
         "name", (
            ("amara", "I told my manager what a bad day looks like before one came. It helped.",
             "pseudonym"),
        )),
    )),
    ("caregivers", "Caregivers' corner", "caregiver", "public",
     "For everyone who cares for someone: practical help and a place to breathe.", "sam",
     ("maria",), (
        ("maria", "Finding respite care",
         "I care for my mother full time. How did you find respite so you could rest?",
         "pseudonym", ()),
    )),
    ("case-discussion", "Interdisciplinary case discussion", "professional", "invite",
     "De-identified cases for peer discussion between clinicians.", "dr.okafor",
     ("dr.rivera",), (
        ("dr.rivera", "Deprescribing in frailty",
         "A frail patient in her eighties on eleven medicines: where do you start? I use "
         "STOPPFrail but would value other approaches.", "name", (
            ("dr.okafor", "Start with what she wants to achieve, then the medicines with the "
             "weakest evidence at her age. A pharmacist review changed a lot in our clinic.",
             "name"),
        )),
    )),
)  # fmt: skip


class _Trusted(PostReviewer):
    """Demo posts are written by us: they skip the pipeline (it is seeded, not moderated)."""

    async def review(self, session: AsyncSession, draft: Draft) -> Review:
        return Review()


def _actor(account) -> Actor:
    role = Role(account.role)
    return Actor(account.id, role, patient_id=account.patient.id if role is Role.PATIENT else None)


async def seed(session: AsyncSession, accounts: dict) -> None:
    """The demo communities, their staff, members and threads (once)."""
    admin = _actor(accounts["admin"])
    service, threads = CommunityService(session), ThreadService(session, _Trusted())
    for slug, name, kind, visibility, about, moderator, members, topics in COMMUNITIES:
        if await session.scalar(select(Community.id).where(Community.slug == slug)):
            continue
        rules = PRO_GUIDELINES if kind == "professional" else GUIDELINES
        await service.create(admin, slug=slug, name=name, kind=kind, visibility=visibility,
                             description=about, guidelines=rules)  # fmt: skip
        for local in (moderator, *members):
            if visibility == "invite":
                await service.invite(admin, slug, accounts[local].email)
            person = _actor(accounts[local])
            await service.join(person, slug, accept_guidelines=True, guidelines_version=1,
                               lived_experience=person.role is Role.PATIENT)  # fmt: skip
        for pending in await service.members(admin, slug, "requested"):
            await service.approve(admin, slug, pending.membership_id)
        staff = next(m for m in await service.members(admin, slug)
                     if m.account_id == accounts[moderator].id)  # fmt: skip
        await service.set_role(admin, slug, staff.membership_id, "moderator")
        for author, title, body, identity, replies in topics:
            started = await threads.start(_actor(accounts[author]), slug, title, body, identity)
            assert started.thread is not None
            for who, text, as_ in replies:
                await threads.reply(_actor(accounts[who]), started.thread.thread.id, text, as_)
    await seed_quality(session, accounts)  # library items, a peer educator, marked posts


async def add_threads(
    session: AsyncSession, beside: uuid.UUID, author: uuid.UUID, count: int, bodies: list[str]
) -> None:
    """Benchmarks: ``count`` one-post threads by ``author`` in the community of thread ``beside``,
    added in bulk (not through the pipeline), committed every 1,000."""
    thread = await session.get(Thread, beside)
    assert thread is not None
    community_id = thread.community_id
    for start in range(0, count, 1000):
        now = clock.now()
        rows = [Thread(id=uuid.uuid4(), community_id=community_id, title=f"Topic {k}",
                       author_account_id=author, created_at=now, last_post_at=now, post_count=1)
                for k in range(start, min(start + 1000, count))]  # fmt: skip
        session.add_all(rows)
        await session.flush()  # the threads before their posts
        session.add_all(Post(id=uuid.uuid4(), thread_id=row.id, community_id=community_id,
                             seq=1, body=bodies[k % len(bodies)], state="published",
                             author_account_id=author, created_at=now)
                        for k, row in enumerate(rows))  # fmt: skip
        await session.commit()


async def fill_thread(
    session: AsyncSession, thread_id: uuid.UUID, author: uuid.UUID, posts: int, bodies: list[str]
) -> None:
    """Benchmarks: add published replies by ``author`` in bulk (not through the pipeline) until
    the thread has ``posts`` posts."""
    thread = await session.get(Thread, thread_id)
    assert thread is not None
    now = clock.now()
    session.add_all(Post(id=uuid.uuid4(), thread_id=thread.id, community_id=thread.community_id,
                         seq=seq, body=bodies[seq % len(bodies)], state="published",
                         author_account_id=author, created_at=now)
                    for seq in range(thread.post_count + 1, posts + 1))  # fmt: skip
    thread.post_count = max(thread.post_count, posts)
    await session.commit()
