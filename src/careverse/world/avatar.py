"""An avatar: one person's place and pose in an instance (or a spectator's viewpoint)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from careverse.world import protocol as proto


@dataclass
class Avatar:
    id: str
    name: str
    role: str
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    yaw: float = 0.0
    head: tuple | None = None
    lh: tuple | None = None
    rh: tuple | None = None
    anim: str = "idle"
    seq: int = 0
    muted: bool = False
    away: bool = False
    moved_at: float = 0.0
    dirty: bool = True
    facilitator: bool = False
    remote: str | None = None  # the node it is connected to, when not this one
    spectator: bool = False  # watching a full space: a viewpoint, no avatar
    seated: bool = False  # holds a seat in the shared (Redis) count
    call: bool = False  # in the space's voice/video call (signal kind "call")

    def state(self) -> proto.AvatarState:
        """Everything about this avatar, for a welcome or someone coming into range."""
        return proto.AvatarState(
            id=self.id, name=self.name, role=self.role, p=(self.x, self.y, self.z), yaw=self.yaw,
            head=self.head, lh=self.lh, rh=self.rh, anim=self.anim, muted=self.muted,
            away=self.away, call=self.call,
        )  # fmt: skip

    def update(self) -> proto.AvatarUpdate:
        """The compact update of a move."""
        return proto.AvatarUpdate(self.id, self.x, self.y, self.z, self.yaw, self.anim, self.seq)


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID (account ids are; test and bench keys may not be)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
