"""Demo gallery works, made through the services once (seeding again adds nothing): two images
drawn here with Pillow and a poem, in the caregivers' corner, approved by the site admin and so
hung on the walls of its gallery space. ``accounts`` maps the demo's local names to accounts."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.gallery.models import GalleryWork
from careverse.gallery.moderation import GalleryModeration
from careverse.gallery.service import Submission
from careverse.kernel.config import Settings
from careverse.kernel.policy import Actor, Role

COMMUNITY = "caregivers"
POEM = (
    "The kettle, the pills, the small talk of spoons —\n"
    "I keep the hours for both of us now.\n\n"
    "Some evenings the window holds *all the light there is*,\n"
    "and I let it hold me too."
)


def _actor(account) -> Actor:
    patient_id = account.patient.id if account.patient else None
    return Actor(account.id, Role(account.role), patient_id=patient_id)


def sunset() -> bytes:
    """An evening sky over a hill: horizontal bands from amber to violet."""
    picture = Image.new("RGB", (640, 440))
    draw = ImageDraw.Draw(picture)
    top, bottom = (242, 170, 76), (92, 72, 140)
    for y in range(440):
        f = y / 439
        draw.line(
            [(0, y), (640, y)],
            fill=tuple(round(a + (b - a) * f) for a, b in zip(top, bottom, strict=True)),
        )
    draw.ellipse((380, 150, 500, 270), fill=(250, 214, 120))
    draw.polygon([(0, 440), (0, 330), (220, 280), (420, 340), (640, 300), (640, 440)],
                 fill=(52, 70, 60))  # fmt: skip
    return _png(picture)


def teacups() -> bytes:
    """Two cups on a table, seen from above: circles on a warm cloth."""
    picture = Image.new("RGB", (600, 420), (214, 196, 170))
    draw = ImageDraw.Draw(picture)
    for x, colour in ((190, (91, 154, 160)), (410, (192, 122, 90))):
        draw.ellipse((x - 90, 120, x + 90, 300), fill=(250, 248, 242))
        draw.ellipse((x - 70, 140, x + 70, 280), fill=colour)
        draw.rounded_rectangle((x + 85, 190, x + 125, 230), radius=14, outline=(250, 248, 242),
                               width=10)  # fmt: skip
    return _png(picture)


def _png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


async def seed(session: AsyncSession, settings: Settings, accounts: dict) -> None:
    """Three approved works in the caregivers' corner's gallery (once)."""
    if "maria" not in accounts or "admin" not in accounts:
        return
    if await session.scalar(select(GalleryWork.id).limit(1)):
        return
    service = GalleryModeration(session, settings)
    works = (
        ("maria", Submission(title="Evening, after the last round of tablets", image=sunset(),
                             alt_text="An amber evening sky fading to violet above a dark "
                             "green hill, with a low yellow sun.",
                             caption="Painted in ten minutes while Mum slept.")),
        ("maria", Submission(title="Keeping the hours", body=POEM)),
        ("sam", Submission(title="Tea at four", image=teacups(),
                           alt_text="Two cups of tea seen from above on a warm beige cloth, "
                           "one teal and one terracotta.",
                           caption="Our group's first art session.")),
    )  # fmt: skip
    admin = _actor(accounts["admin"])
    for author, work in works:
        view, _ = await service.submit(_actor(accounts[author]), COMMUNITY, work)
        await service.approve(admin, view.work.id, "Demo work")
