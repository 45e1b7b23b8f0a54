"""The realtime protocol: msgspec structs, JSON text frames, tagged by ``t``.

Documented message by message in docs/protocol.md. Clients send small messages; the server
answers with one batched ``delta`` per tick holding only the avatars in the client's area of
interest. Validation is strict: a malformed or oversized message is dropped and counted.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

Vec3 = tuple[float, float, float]
Quat = tuple[float, float, float, float]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


ChatScope = Literal["space", "nearby", "private"]
ModerationAction = Literal["mute", "unmute", "remove", "lock", "unlock", "end"]


class _Msg(msgspec.Struct, tag_field="t", forbid_unknown_fields=True, omit_defaults=True):
    pass


# ---- client → server -----------------------------------------------------------------------


class Hello(_Msg, tag="hello"):
    """First message: which space to enter; ``token`` for clients without the session cookie."""

    space: Id
    token: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class Pose(_Msg, tag="pose"):
    """Where the avatar is: position (metres), yaw (radians), optional VR head and hands."""

    p: Vec3
    yaw: float = 0.0
    head: Quat | None = None
    lh: Vec3 | None = None
    rh: Vec3 | None = None
    anim: Annotated[str, msgspec.Meta(max_length=24)] = "idle"
    seq: int = 0  # the client's counter, echoed in deltas (for latency measurement)


class Chat(_Msg, tag="chat"):
    text: Text
    scope: ChatScope = "space"
    to: Id | None = None


class Emote(_Msg, tag="emote"):
    name: Annotated[str, msgspec.Meta(max_length=24)]


class Signal(_Msg, tag="signal"):
    """WebRTC signalling relayed to one peer: an offer, an answer or an ICE candidate.

    ``kind="call"`` (``to="*"``, ``data`` ``on``/``off``) joins or leaves the space's call instead:
    the hub remembers it and tells everyone in the instance.
    """

    to: Id
    kind: Literal["offer", "answer", "ice", "bye", "call"]
    data: Annotated[str, msgspec.Meta(max_length=20_000)] = ""


class Moderate(_Msg, tag="mod"):
    action: ModerationAction
    target: Id | None = None


class Block(_Msg, tag="block"):
    target: Id
    on: bool = True


class Ping(_Msg, tag="ping"):
    c: float  # client clock, echoed


class ObjectAdd(_Msg, tag="obj_add"):
    """Place a poster, a note, a 3D model or a notice board (facilitators); ``shared`` lets anyone
    move it. A notice board's ``url`` is the community page it opens (a path under /community)."""

    kind: Literal["poster", "note", "model", "notice-board"]
    p: Vec3
    yaw: float = 0.0
    title: Annotated[str, msgspec.Meta(max_length=120)] = ""
    text: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    url: Annotated[str, msgspec.Meta(max_length=200)] | None = None  # a path on our own origin
    model: Annotated[str, msgspec.Meta(max_length=32)] | None = None  # a key of MODELS
    scale: Annotated[float, msgspec.Meta(ge=0.1, le=10)] = 1.0
    shared: bool = False


class ObjectMove(_Msg, tag="obj_move"):
    """Move or turn an object; ``rot`` is a full rotation (a model being turned in the hand)."""

    id: Id
    p: Vec3
    yaw: float = 0.0
    rot: Quat | None = None


class ObjectDelete(_Msg, tag="obj_del"):
    id: Id


class Point(_Msg, tag="point"):
    """Point at a place or an object; shown to those nearby, not stored."""

    p: Vec3 | None = None
    obj: Id | None = None


class Pacer(_Msg, tag="pacer"):
    """Start or stop the space's shared breathing pacer (facilitators, in a space whose template
    has one): ``rate`` breaths a minute for ``minutes``; everyone computes the phase from the
    start time on the server's clock (pacer.py)."""

    action: Literal["start", "stop"]
    rate: Annotated[float, msgspec.Meta(ge=3, le=12)] = 6.0
    minutes: Annotated[int, msgspec.Meta(ge=1, le=60)] = 5


class Calm(_Msg, tag="calm"):
    """An anonymous calm rating, before or after the group's breathing: 0 tense … 10 calm."""

    when: Literal["before", "after"]
    score: Annotated[int, msgspec.Meta(ge=0, le=10)]


# ---- circle tools (support groups; world/circle.py) -----------------------------------------


class Hand(_Msg, tag="hand"):
    """Talking order: raise a hand (join the queue), lower it, or pass when given the floor."""

    action: Literal["raise", "lower", "pass"]


class Floor(_Msg, tag="floor"):
    """A facilitator gives the floor to the first raised hand (``next``) or clears it."""

    action: Literal["next", "clear"]


class CheckIn(_Msg, tag="checkin"):
    """A mood check-in at the start or end of a session: 1 (very low) to 5 (very good)."""

    phase: Literal["start", "end"]
    score: Annotated[int, msgspec.Meta(ge=1, le=5)]


class NeedSupport(_Msg, tag="need_support"):
    """A private "I need support": told to the facilitators only."""


class SupportAck(_Msg, tag="support_ack"):
    """A facilitator acknowledges someone's "I need support"."""

    target: Id


class Agenda(_Msg, tag="agenda"):
    """A facilitator sets the session's agenda (shown to everyone)."""

    items: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=120)]], msgspec.Meta(max_length=12)
    ]


class Timer(_Msg, tag="timer"):
    """A facilitator starts a countdown of ``seconds`` (0 stops it)."""

    seconds: Annotated[int, msgspec.Meta(ge=0, le=7200)]
    label: Annotated[str, msgspec.Meta(max_length=60)] = ""


class Breakout(_Msg, tag="breakout"):
    """A facilitator asks for a proposed split (``propose``: the members present, two by two with
    a trio when odd), starts breakout pairs for ``minutes`` (``pairs``: their own split, else
    the proposed one) or ends them, bringing everyone back (world/breakout.py)."""

    action: Literal["propose", "start", "end"]
    minutes: Annotated[int, msgspec.Meta(ge=1, le=60)] = 5
    pairs: (
        Annotated[list[Annotated[list[Id], msgspec.Meta(min_length=2, max_length=3)]],
                  msgspec.Meta(min_length=1, max_length=12)]
        | None
    ) = None  # fmt: skip


# ---- an event's stage (careverse.events; world/stage.py) -----------------------------------


class StageCtl(_Msg, tag="stage"):
    """A host runs an event's stage: ``start`` (with the event's ``speakers``), ``end``, show a
    ``slide``, bring someone ``up`` to speak or send them ``down`` (``target``: who), decide a
    raised question (``approve``, ``answer``, ``dismiss``; ``target``: its id). Anyone sends
    ``asked`` after raising a question, so the hosts refresh their queue."""

    action: Literal["start", "end", "slide", "up", "down", "approve", "answer", "dismiss", "asked"]
    target: Id | None = None
    slide: Annotated[int, msgspec.Meta(ge=0, le=499)] = 0
    speakers: Annotated[list[Id], msgspec.Meta(max_length=20)] = []


# ---- the simulation lab (training-lab spaces; world/lab.py) ---------------------------------

LabName = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
LabParams = Annotated[
    dict[Annotated[str, msgspec.Meta(max_length=40)], float | str], msgspec.Meta(max_length=6)
]


class LessonView(msgspec.Struct, forbid_unknown_fields=True):
    """What everyone in the lab sees of a group anatomy lesson: the model, its visible layers
    and the highlighted label (the instructor's choice)."""

    model: Annotated[str, msgspec.Meta(pattern="^(heart|spine|knee)$")]
    layers: Annotated[list[LabName], msgspec.Meta(max_length=12)] = []
    label: Annotated[str, msgspec.Meta(max_length=40)] = ""


class Lab(_Msg, tag="lab"):
    """The instructor's controls: start a scenario, pause, resume, stop, set the speed, or
    inject an engine action (a condition's new severity, a drug) into the running patient."""

    action: Literal["start", "pause", "resume", "stop", "speed", "inject", "lesson"]
    scenario: LabName | None = None  # start: a shipped scenario's id
    seed: Annotated[int, msgspec.Meta(ge=0, le=2**31)] = 0
    speed: Annotated[float, msgspec.Meta(ge=0.5, le=20)] = 1.0  # scenario seconds per second
    name: LabName | None = None  # inject: the action
    params: LabParams = {}
    draft: dict[str, Any] | None = None  # start: an educator's own scenario (the schema checks it)
    lesson: LessonView | None = None  # lesson: the group lesson's view (None closes it)


class LabAct(_Msg, tag="lab_act"):
    """A trainee's intervention (oxygen, fluids, a drug with dose and route, IV access, call
    for help, defibrillation …), applied to the shared patient now."""

    name: LabName
    params: LabParams = {}


ClientMessage = (
    Hello | Pose | Chat | Emote | Signal | Moderate | Block | Ping
    | ObjectAdd | ObjectMove | ObjectDelete | Point | Pacer | Calm
    | Hand | Floor | CheckIn | NeedSupport | SupportAck | Agenda | Timer
    | Lab | LabAct | StageCtl
    | Breakout
)  # fmt: skip


# ---- server → client -----------------------------------------------------------------------


class AvatarState(msgspec.Struct, omit_defaults=True):
    id: str
    name: str
    role: str
    p: Vec3
    yaw: float = 0.0
    head: Quat | None = None
    lh: Vec3 | None = None
    rh: Vec3 | None = None
    anim: str = "idle"
    muted: bool = False
    away: bool = False  # reconnecting
    call: bool = False  # in the voice/video call


class AvatarUpdate(msgspec.Struct, array_like=True):
    """A compact pose update: [id, x, y, z, yaw, anim, seq]."""

    id: str
    x: float
    y: float
    z: float
    yaw: float
    anim: str
    seq: int


class ObjectState(msgspec.Struct, omit_defaults=True):
    """A persistent object: a poster (title, text, image url), a note, or a model (model key)."""

    id: str
    kind: str
    p: Vec3
    yaw: float = 0.0
    rot: Quat | None = None
    title: str = ""
    text: str = ""
    url: str | None = None
    model: str | None = None
    scale: float = 1.0
    shared: bool = False
    by: str | None = None  # who placed it


class PacerOut(_Msg, tag="pacer"):
    """The shared pacer: running (``on``) from ``start`` (server clock, epoch seconds, when the
    first breath in begins) at ``rate`` breaths a minute for ``seconds``; or stopped."""

    on: bool
    start: float = 0.0
    rate: float = 0.0
    seconds: int = 0
    by: str | None = None  # the facilitator who started or stopped it


class CalmOut(_Msg, tag="calm"):
    """The group's anonymous calm ratings: how many before and after, and their means once
    at least ``MIN_CALM_GROUP`` people have rated (``None`` until then)."""

    before: int = 0
    after: int = 0
    before_mean: float | None = None
    after_mean: float | None = None


class LabOut(_Msg, tag="lab"):
    """The lab's run: its status, the scenario clock (``clock``, seconds), the monitor's vitals,
    the event log's new entries (all of them in ``welcome``), and at the end its ``result``
    (outcome and the team's score)."""

    run: str
    scenario: str
    title: str
    status: Literal["running", "paused", "ended"]
    clock: float
    speed: float
    instructor: str
    vitals: dict[str, float | str | bool] = {}
    log: list[dict[str, Any]] = []
    result: dict[str, Any] | None = None
    # What the bedside examination and "how do you feel?" find now (training/findings.py).
    bedside: dict[str, Any] | None = None


class Welcome(_Msg, tag="welcome"):
    you: str
    space: str
    instance: str
    template: str
    tick_hz: float
    server_time: float
    avatars: list[AvatarState]
    spectator: bool = False
    objects: list[ObjectState] = []
    pacer: PacerOut | None = None  # the shared pacer, while it runs
    lab: LabOut | None = None  # the training lab's run, with its whole event log
    lesson: LessonOut | None = None  # the lab's group anatomy lesson, while open


class Delta(_Msg, tag="delta"):
    tick: int
    now: float
    enter: list[AvatarState] = []
    upd: list[AvatarUpdate] = []
    leave: list[str] = []


class ChatOut(_Msg, tag="chat"):
    id: str
    name: str
    text: str
    scope: str
    at: float


class EmoteOut(_Msg, tag="emote"):
    id: str
    name: str


class SignalOut(_Msg, tag="signal"):
    peer: str  # who sent it
    kind: str
    data: str


class Event(_Msg, tag="event"):
    """Room events: someone muted, the room locked, the session ended, a notice."""

    kind: str
    target: str | None = None
    detail: str | None = None


class ObjectOut(_Msg, tag="obj"):
    """An object was added, moved or deleted (``o`` is its new state; absent for ``del``)."""

    op: str  # add|move|del
    id: str
    by: str | None = None
    o: ObjectState | None = None


class PointOut(_Msg, tag="point"):
    id: str  # who points
    p: Vec3 | None = None
    obj: str | None = None


class Called(_Msg, tag="called"):
    """You are called into a consult room (the clinician admitted your visit): go to ``space``."""

    space: str
    appointment: str


class Error(_Msg, tag="error"):
    code: str
    message: str


class LessonOut(_Msg, tag="lesson"):
    """The lab's group anatomy lesson changed (``view`` None: closed)."""

    view: LessonView | None = None
    by: str = ""


class Pong(_Msg, tag="pong"):
    c: float
    s: float


ServerMessage = (
    Welcome | Delta | ChatOut | EmoteOut | SignalOut | Event | Error | Pong | ObjectOut | PointOut
    | Called | PacerOut | CalmOut | LabOut | LessonOut
)  # fmt: skip

decoder = msgspec.json.Decoder(ClientMessage)
server_decoder = msgspec.json.Decoder(ServerMessage)
encoder = msgspec.json.Encoder()


def decode(data: bytes | str) -> ClientMessage:
    """Parse one client message; raises ``msgspec.ValidationError`` or ``DecodeError``."""
    return decoder.decode(data)


def encode(message: msgspec.Struct) -> bytes:
    return encoder.encode(message)


# WebSocket close codes (4000-4999 are the application's own).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_REMOVED = 4000
CLOSE_ENDED = 4001
CLOSE_UNINVITED = 4002  # your invitation to the space ended (e.g. a consult guest)
CLOSE_ABUSE = 4008  # persistent flooding or malformed messages
CLOSE_TOO_SLOW = 4009  # the client does not read fast enough
CLOSE_REPLACED = 4010  # the same account joined again elsewhere
CLOSE_TRY_AGAIN = 1013  # the database or Redis is briefly unreachable: reconnect in a moment
