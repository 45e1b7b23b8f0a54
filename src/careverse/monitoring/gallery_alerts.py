"""Urgent alerts from the gallery's crisis path, as for a held community post.

The gallery publishes :class:`GalleryWorkHeld` when the crisis screen (or a member's crisis
report) holds a work. In the TRANSACTION phase — the held work and its alert commit together —
this opens a ``high`` alert (source ``gallery``) on the author's record when the author is a
patient: their care team sees it with its acknowledgement deadline and monitoring's escalation.
The gallery itself tells the community's staff and the on-call clinician. The "why" names the
rules, never the work's words.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.gallery.events import GalleryWorkHeld
from careverse.monitoring.alerts import open_urgent
from careverse.monitoring.findings import Finding

SOURCE = "gallery"
TITLE = "Gallery work held for crisis language: contact the person now"


async def open_gallery_crisis_alert(event: GalleryWorkHeld, session: AsyncSession) -> None:
    if event.author_patient_id is None:
        return
    finding = Finding(
        key=f"{SOURCE}:{event.work_id.hex}", source=SOURCE, firing=True, severity="high",
        title=TITLE, why=event.why(),
    )  # fmt: skip
    await open_urgent(session, event.author_patient_id, finding)
