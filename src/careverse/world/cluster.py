"""What the nodes serving one space tell each other over the bus, and shared seat counting.

Each node runs its own copy of a space instance and mirrors the avatars of the other nodes into
it (marked remote), so the area-of-interest fan-out stays local. Nodes publish compact
MessagePack messages on a channel per instance (``world:<space>#<n>``) and, for persistent
objects, per space (``world:<space>:objects``). Poses are batched: one message per node per tick.

Seats are counted in Redis so every node picks the same instance for a newcomer: a hash per space
of ``"<instance>|<node>" → people``, summed over nodes whose heartbeat is fresh (a crashed node's
seats expire with it). One Lua script picks and takes a seat atomically.
"""

from __future__ import annotations

import msgspec

from careverse.world import protocol as proto

NODE_TTL = 10  # seconds without a heartbeat before a node's seats and avatars are forgotten
BEAT_SECONDS = 2.0


class _Node(msgspec.Struct, tag_field="k", array_like=True):
    node: str


class Join(_Node, tag="j"):
    a: proto.AvatarState
    facilitator: bool = False
    ev: str = ""  # joined|back|"" (an answer to Sync: no event)


class Gone(_Node, tag="g"):
    id: str


class Away(_Node, tag="a"):
    id: str


class Poses(_Node, tag="p"):
    # [id, x, y, z, yaw, anim, seq, head, lh, rh]
    u: list[tuple]


class Chat(_Node, tag="c"):
    out: proto.ChatOut
    to: str | None
    x: float  # where the sender stands (for "nearby")
    z: float


class Emote(_Node, tag="e"):
    id: str
    name: str


class Signal(_Node, tag="s"):
    peer: str
    to: str
    kind: str
    data: str


class Mod(_Node, tag="m"):
    action: str
    target: str | None


class Obj(_Node, tag="o"):
    out: proto.ObjectOut


class Point(_Node, tag="x"):
    out: proto.PointOut
    x: float
    z: float


class Pacer(_Node, tag="r"):
    out: proto.PacerOut


class Calm(_Node, tag="q"):
    id: str
    when: str
    score: int


class LabFrame(_Node, tag="l"):
    """The lab's run, from the node it lives on: a monitor update or a change (``whole``: the
    whole log, at the start; otherwise the log's new entries)."""

    out: proto.LabOut
    whole: bool = False


class LabIn(_Node, tag="i"):
    """A control or action by someone on another node, for the node running ``run``."""

    run: str
    id: str  # the avatar who sent it
    message: proto.Lab | proto.LabAct


class LabReply(_Node, tag="n"):
    """The lab node's refusal of a forwarded message, for its sender."""

    to: str
    error: proto.Error


class Lesson(_Node, tag="z"):
    out: proto.LessonOut


class Circle(_Node, tag="h"):
    """A circle tool's operation (circle.apply); ``op`` "recall" on a breakout pair's channel."""

    op: str
    id: str
    data: str


class Stage(_Node, tag="v"):
    """An event stage's operation (stage.apply)."""

    op: str
    id: str
    data: str


class Sync(_Node, tag="y"):
    """A node starting to serve an instance asks the others to introduce themselves."""


class State(_Node, tag="t"):
    locked: bool
    muted: list[str]
    removed: list[str]
    pacer: proto.PacerOut | None = None
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    lab: proto.LabOut | None = None  # the lab's run living on the answering node (whole log)
    lesson: proto.LessonOut | None = None  # the lab's group anatomy lesson
    circle: dict = {}  # the circle tools' state (circle.snapshot), when there is one
    stage: dict = {}  # an event's stage (stage.snapshot), when there is one


class Beat(_Node, tag="b"):
    ids: list[str]  # this node's avatars in the instance


NodeMessage = (
    Join | Gone | Away | Poses | Chat | Emote | Signal | Mod | Obj | Point | Sync | State | Beat
    | Pacer | Calm | LabFrame | LabIn | LabReply | Lesson | Circle | Stage
)  # fmt: skip

encoder = msgspec.msgpack.Encoder()
decoder = msgspec.msgpack.Decoder(NodeMessage)


def instance_channel(space_id: str, number: int) -> str:
    return f"world:{space_id}#{number}"


def objects_channel(space_id: str) -> str:
    return f"world:{space_id}:objects"


def seats_key(space_id: str) -> str:
    return f"careverse:world:seats:{space_id}"


def locked_key(space_id: str) -> str:
    return f"careverse:world:locked:{space_id}"


def removed_key(space_id: str) -> str:
    return f"careverse:world:removed:{space_id}"


NODES_KEY = "careverse:world:nodes"

# KEYS: seats hash, nodes hash, locked set. ARGV: node, capacity, overflow (0/1), ttl.
# Answers the instance number with a seat taken, 0 when full without overflow, -n when instance
# n (the one with room) is locked.
ADMIT_LUA = """
local now = tonumber(redis.call('TIME')[1])
local ttl = tonumber(ARGV[4])
local alive = {}
local nodes = redis.call('HGETALL', KEYS[2])
for i = 1, #nodes, 2 do
  if now - tonumber(nodes[i + 1]) <= ttl then alive[nodes[i]] = true end
end
alive[ARGV[1]] = true
local counts = {}
local top = 0
local seats = redis.call('HGETALL', KEYS[1])
for i = 1, #seats, 2 do
  local field = seats[i]
  local sep = string.find(field, '|', 1, true)
  local n = tonumber(string.sub(field, 1, sep - 1))
  if alive[string.sub(field, sep + 1)] then
    counts[n] = (counts[n] or 0) + tonumber(seats[i + 1])
    if n > top then top = n end
  else
    redis.call('HDEL', KEYS[1], field)
  end
end
local cap = tonumber(ARGV[2])
local choice = 0
for n = 1, top do
  if (counts[n] or 0) < cap then choice = n; break end
end
if choice == 0 then
  if top == 0 then choice = 1
  elseif ARGV[3] == '1' then choice = top + 1
  else return 0 end
end
if redis.call('SISMEMBER', KEYS[3], tostring(choice)) == 1 then return -choice end
redis.call('HINCRBY', KEYS[1], choice .. '|' .. ARGV[1], 1)
return choice
"""

RELEASE_LUA = """
local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return left
"""
