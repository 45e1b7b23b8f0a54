"""``careverse bench circle``: live support circles with calls signalled and the facilitator
panel live, N circles at once on one node (docs/groups.md; issue 17's figure).

Each circle is a ``support-circle`` space of its own with ``people`` bots (the first its
facilitator) connected through real sockets to a ``careverse serve`` of our own. First the call:
everyone joins it and the WebRTC signalling is relayed as a browser mesh does it — each pair's
offer, the answer sent back when the offer arrives, and ICE candidates both ways (SDP-sized
payloads, paced as the hub's rate limit allows). Then, for ``seconds``, the facilitator panel is
live: every half second a member raises a hand, the facilitator calls the next speaker every
second and restarts the timer every two, members check in, now and then someone presses "I need
support" and the facilitator acknowledges it, members shift in their seats, and ICE candidates
keep trickling.

A room event is timed from its sending to its arrival at the person who sees it (the circle's
process, the system-wide monotonic clock): the raised hand at the facilitator (``hands``),
"call next" and the timer at a member (``floor``, ``timer``), a check-in's aggregate and a
support request at the facilitator. The p99 of those is the figure (target ≤ 100 ms);
signalling messages are timed separately (offer → peer, answer → offerer, ICE → peer). With
the server's CPU use over the window and the machine's load average (the machine may be
shared). Each circle's bots run in a process of their own (one Python process cannot read 240
sockets in time on a busy machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import time
import uuid
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Literal

from sqlalchemy import select

from careverse.bench.seed import seed_bots
from careverse.bench.world import _cpu_seconds, bench_environment, serve
from careverse.identity.models import Account, AuthSession
from careverse.kernel.db import Database
from careverse.kernel.policy import Role
from careverse.kernel.tokens import digest
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from careverse.world.models import Space, SpaceMember

TARGET_P99_MS = 100.0
SignalKind = Literal["offer", "answer", "ice"]
SDP = "v=0 o=- 4611731400430051336 2 IN IP4 127.0.0.1 s=- t=0 0 " + "a=candidate-ish " * 80
SEND_GAP = 0.04  # seconds between one bot's signalling messages (the hub allows 30/s)


async def _seed(settings, circles: int, people: int) -> list[tuple[str, list[str]]]:
    """``circles`` support-circle spaces of ``people`` bots each, the first one facilitating."""
    first, tokens = await seed_bots(settings, circles * people, template="support-circle")
    db = Database(settings.effective_database_url)
    spaces = [first]
    try:
        async with db.session() as session:
            head = await session.get(Space, uuid.UUID(first))
            assert head is not None
            head.capacity = people
            for _ in range(circles - 1):
                space = Space(
                    name="Benchmark circle", template="support-circle", owner_id=head.owner_id,
                    access="members", capacity=people, listed=False,
                )  # fmt: skip
                session.add(space)
                await session.flush()
                spaces.append(str(space.id))
            leads = [digest(tokens[people * i]) for i in range(circles)]
            rows = await session.execute(
                select(AuthSession.access_hash, AuthSession.account_id).where(
                    AuthSession.access_hash.in_(leads)
                )
            )
            lead_of = {digest_: account for digest_, account in rows.all()}
            for i in range(circles):
                account = await session.get(Account, lead_of[leads[i]])
                assert account is not None
                account.role = Role.CLINICIAN.value
                session.add(
                    SpaceMember(
                        space_id=uuid.UUID(spaces[i]), account_id=account.id, role="facilitator"
                    )
                )
            await session.commit()
    finally:
        await db.dispose()
    return [(spaces[i], tokens[people * i : people * (i + 1)]) for i in range(circles)]


class Timings:
    """Latencies of one run: room events in the window, and signalling."""

    def __init__(self, start: float, end: float):
        self.start, self.end = start, end
        self.room: list[float] = []
        self.signal: list[float] = []
        self.errors: list[str] = []

    def room_event(self, sent: float, now: float) -> None:
        if self.start <= sent <= self.end:
            self.room.append((now - sent) * 1000.0)


class Circle:
    """One circle's bots, what they are waiting for, and their readers."""

    def __init__(self, timings: Timings):
        self.clients: list[WorldClient] = []  # the facilitator first, then the members
        self.t = timings
        self.hands: dict[str, float] = {}  # member → when their raise was sent
        self.raised: set[str] = set()
        self.floors: deque[float] = deque()
        self.timers: dict[str, float] = {}
        self.checkins: deque[float] = deque()
        self.support: dict[str, float] = {}
        self.signals: dict[str, float] = {}  # marker → when sent
        self.tasks: list[asyncio.Task] = []

    @property
    def lead(self) -> WorldClient:
        return self.clients[0]

    @property
    def members(self) -> list[WorldClient]:
        return self.clients[1:]

    def watching(self, me: WorldClient) -> bool:
        """The facilitator and the first member time what arrives (the others only read)."""
        return me in self.clients[:2]

    async def read(self, me: WorldClient) -> None:
        with contextlib.suppress(Exception):
            async for raw in me.ws:
                now = time.monotonic()
                text = raw if isinstance(raw, str) else raw.decode()
                if text.startswith('{"t":"signal"'):
                    await self._signal(me, proto.server_decoder.decode(text), now)
                elif text.startswith('{"t":"event"') and self.watching(me):
                    event = proto.server_decoder.decode(text)
                    if isinstance(event, proto.Event):
                        await self._event(me, event, now)
                elif text.startswith('{"t":"error"'):
                    self.t.errors.append(proto.server_decoder.decode(text).code)  # type: ignore[union-attr]

    async def _signal(self, me: WorldClient, m, now: float) -> None:
        if not isinstance(m, proto.SignalOut) or m.kind == "call" or m.kind == "calls":
            return
        marker = m.data[-24:]
        sent = self.signals.pop(marker, None)
        if sent is not None:
            self.t.signal.append((now - sent) * 1000.0)
        if m.kind == "offer":  # a browser answers as soon as the offer arrives
            await self.send_signal(me, m.peer, "answer")

    async def _event(self, me: WorldClient, m: proto.Event, now: float) -> None:
        if me is self.lead:
            if m.kind == "hands":
                queue = json.loads(m.detail or "[]")
                self.raised = set(queue)
                for member in queue:
                    if (sent := self.hands.pop(member, None)) is not None:
                        self.t.room_event(sent, now)
            elif m.kind == "checkin" and self.checkins:
                self.t.room_event(self.checkins.popleft(), now)
            elif m.kind == "support" and m.target in self.support:
                self.t.room_event(self.support.pop(m.target), now)
                await self.lead.send(proto.SupportAck(target=m.target))
        elif m.kind == "floor" and m.detail is None and self.floors:
            self.t.room_event(self.floors.popleft(), now)
        elif m.kind == "timer":
            label = json.loads(m.detail or "{}").get("label", "")
            if (sent := self.timers.pop(label, None)) is not None:
                self.t.room_event(sent, now)

    async def send_signal(self, me: WorldClient, to: str, kind: SignalKind) -> None:
        marker = uuid.uuid4().hex[:24]
        self.signals[marker] = time.monotonic()
        await me.send(proto.Signal(to=to, kind=kind, data=f"{SDP}{marker}"))

    async def call(self) -> None:
        """Everyone joins the call; each pair is offered once (by the lower id) with ICE."""
        for c in self.clients:
            await c.send(proto.Signal(to="*", kind="call", data="on"))
        await asyncio.sleep(0.5)

        async def offers(me: WorldClient) -> None:
            for peer in sorted(c.you for c in self.clients if c.you > me.you):
                await self.send_signal(me, peer, "offer")
                await asyncio.sleep(SEND_GAP)
                await self.send_signal(me, peer, "ice")
                await asyncio.sleep(SEND_GAP)

        await asyncio.gather(*(offers(c) for c in self.clients))

    async def panel(self, end: float) -> None:
        """The facilitator panel live until ``end``."""
        step = 0
        while time.monotonic() < end:
            member = self.members[step % len(self.members)]
            if member.you not in self.raised and member.you not in self.hands:
                self.hands[member.you] = time.monotonic()
                await member.send(proto.Hand(action="raise"))
            if step % 2 == 0:
                self.floors.append(time.monotonic())
                await self.lead.send(proto.Floor(action="next"))
            if step % 4 == 1:
                label = f"r{step}"
                self.timers[label] = time.monotonic()
                await self.lead.send(proto.Timer(seconds=120, label=label))
            if step % 3 == 2:
                self.checkins.append(time.monotonic())
                who = self.members[(step * 7) % len(self.members)]
                await who.send(proto.CheckIn(phase="start", score=step % 5 + 1))
            if step % 20 == 10 and member.you not in self.support:
                self.support[member.you] = time.monotonic()
                await member.send(proto.NeedSupport())
            if step % 2 == 1:
                other = self.members[(step + 5) % len(self.members)]
                await self.send_signal(member, other.you, "ice")
            seated = self.members[(step * 3) % len(self.members)]
            x, _, z = seated.welcome.avatars[0].p
            await seated.move(x + (step % 3) * 0.05, 0, z, yaw=0.1 * (step % 7))
            step += 1
            await asyncio.sleep(0.5)


async def _join(url: str, space: str, tokens: list[str], timings: Timings) -> Circle:
    circle = Circle(timings)
    for token in tokens:  # each one read from its arrival on
        client = await WorldClient.connect(url, token, space, timeout=120)
        circle.clients.append(client)
        circle.tasks.append(asyncio.create_task(circle.read(client)))
    return circle


async def _one(url: str, space: str, tokens: list[str], start: float, seconds: float) -> dict:
    """One circle (in a process of its own): connect, set up the call, then the panel from
    ``start`` (a system-wide monotonic time, the same in every process) for ``seconds``."""
    timings = Timings(start, start + seconds)
    circle: Circle | None = None
    call_seconds, late = 0.0, False
    try:
        circle = await _join(url, space, tokens, timings)
        began = time.monotonic()
        await circle.call()
        call_seconds = time.monotonic() - began
        late = time.monotonic() > start
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        await circle.panel(timings.end)
        await asyncio.sleep(1.0)
    except Exception as exc:  # a refused or dropped connection is counted, not raised
        timings.errors.append(type(exc).__name__)
    finally:
        if circle is not None:
            # Closed all at once while the readers still read (a client whose unread messages
            # fill its queue cannot see the server's close frame and waits out its timeout).
            await asyncio.gather(*(c.close() for c in circle.clients), return_exceptions=True)
            for task in circle.tasks:
                task.cancel()
    return {
        "room": timings.room, "signal": timings.signal, "errors": timings.errors,
        "call_seconds": call_seconds, "late": late,
    }  # fmt: skip


def _circle_process(url: str, space: str, tokens: list[str], start: float, seconds: float):
    return asyncio.run(_one(url, space, tokens, start, seconds))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values) or [0.0]
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def run_circle_bench(
    circles: int = 10, people: int = 24, seconds: float = 30.0, tick_hz: float = 20.0
) -> dict:
    """Run ``circles`` circles of ``people`` for ``seconds`` on a server of our own."""
    settings, env = bench_environment(None, tick_hz=tick_hz)
    seeded = asyncio.run(_seed(settings, circles, people))
    with serve(env) as (url, server):
        # Every circle's bots in a process of their own (one Python process cannot read 240
        # sockets in time); the window starts for all at once, after connecting and the calls.
        start = time.monotonic() + 15.0 + circles * people / 10
        with ProcessPoolExecutor(max_workers=circles) as pool:
            futures = [
                pool.submit(_circle_process, url, space, tokens, start, seconds)
                for space, tokens in seeded
            ]
            time.sleep(max(0.0, start - time.monotonic()))
            cpu_before = _cpu_seconds(server.pid)
            time.sleep(seconds)
            cpu = _cpu_seconds(server.pid) - cpu_before
            parts = [f.result() for f in futures]
    timings = Timings(start, start + seconds)
    for part in parts:
        timings.room += part["room"]
        timings.signal += part["signal"]
        timings.errors += part["errors"]
    call_seconds = max(p["call_seconds"] for p in parts)
    late = sum(1 for p in parts if p["late"])
    room = timings.room
    p99 = _pct(room, 0.99)
    return {
        "circles": circles,
        "people_per_circle": people,
        "clients": circles * people,
        "seconds": seconds,
        "tick_hz": tick_hz,
        "call_setup_seconds": round(call_seconds, 2),
        "circles_late": late,  # set up after the window began (their first seconds missed)
        "signals_timed": len(timings.signal),
        "signal_ms_p50": round(statistics.median(timings.signal or [0.0]), 2),
        "signal_ms_p99": _pct(timings.signal, 0.99),
        "room_events_timed": len(room),
        "room_event_ms_p50": round(statistics.median(room or [0.0]), 2),
        "room_event_ms_p99": p99,
        "room_event_ms_max": _pct(room, 1.0),
        "server_cpu_share": round(cpu / seconds, 3),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "errors": sorted(set(timings.errors)),
        "target_p99_ms": TARGET_P99_MS,
        "met": bool(room) and p99 <= TARGET_P99_MS and not timings.errors and not late,
    }
