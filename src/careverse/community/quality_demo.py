"""Demo health-information quality (additive to the demo communities, once): library items in
the type 2 diabetes and caregivers communities, a peer educator, and one marked post of each
kind (docs/community.md)."""

from __future__ import annotations

import struct
import zlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.library import LibraryService
from careverse.community.library_models import LibraryItem
from careverse.community.models import Community, Post, Thread
from careverse.community.posts import ThreadService
from careverse.community.quality import QualityService
from careverse.community.review import Draft, PostReviewer, Review
from careverse.community.service import CommunityService
from careverse.kernel.policy import Actor, Role

DIABETES = "type-2-diabetes"
CARERS = "caregivers"
MYTH = (
    "I read online that cinnamon capsules work as well as metformin, so I have stopped my "
    "tablets and take cinnamon instead."
)
HBA1C = """HbA1c shows your **average blood sugar over about three months**.

- It is measured in mmol/mol; many people aim for 48 mmol/mol or below, but your target is
  agreed with your care team.
- A single high finger-prick reading does not change it much.
- It is usually checked every 3 to 6 months.

Ask your diabetes nurse what your own target is and why."""
PLATE = """The picture is a dinner plate divided into three parts.

- **Half the plate**: vegetables and salad (green).
- **A quarter**: protein such as fish, eggs, beans or chicken (blue).
- **A quarter**: starchy food such as wholegrain rice, potatoes or bread (orange).

A glass of water sits beside the plate."""
HYPO_QUESTIONS = [
    {
        "prompt": "Your reading is 3.5 mmol/L and you feel shaky. What do you take first?",
        "options": [
            "A fast-acting sugar such as glucose tablets or juice",
            "A bar of chocolate",
            "A glass of water",
        ],
        "correct": [0],
        "multiple": False,
        "explanation": "Fast-acting sugar raises your level within minutes; the fat in chocolate "
        "slows the sugar down.",
    },
    {
        "prompt": "Which are common signs of a hypo?",
        "options": ["Shaking", "Sweating", "Sneezing", "Feeling confused"],
        "correct": [0, 1, 3],
        "multiple": True,
        "explanation": "Shaking, sweating and confusion are common; sneezing is not a sign.",
    },
    {
        "prompt": "After treating a hypo, when do you check your level again?",
        "options": ["After 10 to 15 minutes", "The next morning"],
        "correct": [0],
        "multiple": False,
        "explanation": "Check again after 10 to 15 minutes and treat again if it is still low.",
    },
]


class _Trusted(PostReviewer):
    async def review(self, session: AsyncSession, draft: Draft) -> Review:
        return Review()


def _actor(account) -> Actor:
    role = Role(account.role)
    return Actor(account.id, role, patient_id=account.patient.id if role is Role.PATIENT else None)


def plate_png(size: int = 96) -> bytes:
    """A small PNG of a plate model (half green, a quarter blue, a quarter orange)."""
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            if x < size // 2:
                row += b"\x2e\x8b\x57"
            elif y < size // 2:
                row += b"\x1d\x4e\xd8"
            else:
                row += b"\xf5\x9e\x0b"
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


async def seed_quality(session: AsyncSession, accounts: dict) -> None:
    """Library items, a peer educator and two marked posts (once)."""
    diabetes = await session.scalar(select(Community).where(Community.slug == DIABETES))
    if diabetes is None or await session.scalar(
        select(LibraryItem.id).where(LibraryItem.community_id == diabetes.id).limit(1)
    ):
        return
    admin, clinician = _actor(accounts["admin"]), _actor(accounts["dr.rivera"])
    educator = _actor(accounts["amara"])
    service = CommunityService(session)
    (amara,) = [
        m for m in await service.members(admin, DIABETES) if m.account_id == educator.account_id
    ]
    await service.set_role(admin, DIABETES, amara.membership_id, "educator")

    library = LibraryService(session)
    article = await library.create(
        educator,
        DIABETES,
        {
            "kind": "article",
            "title": "What your HbA1c tells you",
            "summary": "The three-month average, in plain words.",
            "body": HBA1C,
            "alt_text": "",
            "questions": [],
        },
    )
    await library.set_state(clinician, article.item.id, "published")
    plate = await library.create(
        clinician,
        DIABETES,
        {
            "kind": "infographic",
            "title": "The plate model",
            "summary": "Filling a plate at dinner.",
            "body": PLATE,
            "alt_text": "A plate: half vegetables, a quarter protein, a quarter starch.",
            "questions": [],
        },
    )
    await library.set_image(clinician, plate.item.id, plate_png())
    await library.set_state(clinician, plate.item.id, "published")
    quiz = await library.create(
        clinician,
        DIABETES,
        {
            "kind": "module",
            "title": "Hypos: what to do",
            "summary": "Three questions, two minutes.",
            "body": "A **hypo** is a blood sugar below 4 mmol/L. Check what you know.",
            "alt_text": "",
            "questions": HYPO_QUESTIONS,
        },
    )
    await library.set_state(clinician, quiz.item.id, "published")
    carers = await session.scalar(select(Community.id).where(Community.slug == CARERS))
    if carers is not None:
        respite = await library.create(
            clinician,
            CARERS,
            {
                "kind": "article",
                "title": "Asking for a carer's assessment",
                "summary": "The first step to respite.",
                "alt_text": "",
                "questions": [],
                "body": "A **carer's assessment** looks at what support you need to keep caring "
                "and to look after yourself. Ask your local council or your GP practice.",
            },
        )
        await library.set_state(clinician, respite.item.id, "published")

    # one marked post of each kind, in the metformin and breakfast threads
    threads = ThreadService(session, _Trusted())
    metformin = await _thread(session, diabetes.id, "Nervous about starting metformin")
    breakfast = await _thread(session, diabetes.id, "Breakfast ideas that keep my sugars steady")
    marks = QualityService(session)
    if metformin is not None:
        reply = await session.scalar(
            select(Post).where(Post.thread_id == metformin.id, Post.seq == 2)
        )
        if reply is not None:
            await marks.mark(
                clinician,
                reply.id,
                verdict="reviewed",
                source_url="https://www.nhs.uk/medicines/metformin/",
                source_title="NHS: Metformin",
                note="Taking metformin with a meal reduces stomach upset.",
                reason="Demo: consistent with NHS guidance",
            )
    if breakfast is not None:
        myth = await threads.reply(_actor(accounts["jonas"]), breakfast.id, MYTH, "pseudonym")
        await marks.mark(
            clinician,
            myth.post.post.id,
            verdict="contradicts",
            source_url="https://www.diabetes.org.uk/guide-to-diabetes/enjoy-food",
            source_title="Diabetes UK: food and diabetes",
            note="There is no good evidence that cinnamon replaces metformin. "
            "Please talk to your GP before stopping any medicine.",
            reason="Demo: stopping prescribed medicine on this claim is unsafe",
        )


async def _thread(session: AsyncSession, community_id, title: str) -> Thread | None:
    for row in await session.scalars(select(Thread).where(Thread.community_id == community_id)):
        if row.title == title:
            return row
    return None
