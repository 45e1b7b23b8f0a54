"""Space templates: what a new space looks like and how many people it holds."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    capacity: int
    half_extent: float  # the floor is a square of ±half_extent metres around the origin
    spawn_radius: float
    spatial_audio: bool = True
    # When full: open another copy of the space (True) or let newcomers watch as spectators.
    overflow: bool = True
    # A shared breathing pacer a facilitator can start for everyone in the space (pacer.py).
    pacer: bool = False
    # A simulation lab: an instructor runs a scenario on a shared virtual patient (lab.py).
    lab: bool = False


TEMPLATES = {
    t.key: t
    for t in (
        Template("clinic-lobby", "Clinic lobby", 60, 30, 6),
        Template("consult-room", "Private consult room", 4, 6, 1.5, False, overflow=False),
        Template("support-circle", "Support circle", 24, 12, 4, False, overflow=False, pacer=True),
        Template("therapy-garden", "Therapy garden", 30, 40, 8, pacer=True),
        Template("training-lab", "Training lab", 16, 15, 4, lab=True),
        Template("rehab-gym", "Rehab gym", 20, 20, 5),
        Template("gallery", "Gallery", 60, 40, 8),
        Template("auditorium", "Auditorium", 500, 60, 20, overflow=False),
        # A therapist's private session room, in the garden's look (therapy.py opens one).
        Template("therapy-room", "Therapy session room", 4, 10, 1.5, False, False, pacer=True),
        # A mindfulness group: one shared guided session, never split into overflow copies.
        Template("mindfulness", "Mindfulness garden", 40, 30, 6, overflow=False, pacer=True),
    )
}

# 3D models a facilitator may place (the browser client ships a mesh for each key).
MODELS = ("heart", "lungs", "brain", "spine", "knee", "hand", "skeleton", "plant", "screen")

# A notice board opens a page of this site's community: a plain path under /community, never a URL.
NOTICE_BOARD = "notice-board"
NOTICE_BOARD_PATH = "/community"  # each role's own community list (the client router decides)
COMMUNITY_PATH = re.compile(r"^/community(?:/[a-z0-9-]{1,60}){0,3}$")
