"""The reference Python client of the realtime protocol (used by the tests and the load generator).

    async with await WorldClient.connect("ws://127.0.0.1:8000", token, space_id) as me:
        await me.move(1.0, 0.0, 2.0)
        await me.chat("hello")
        message = await me.receive()

It keeps a local view of the avatars it can see, updated from every delta it receives.
"""

from __future__ import annotations

import asyncio
import time

import msgspec
import websockets

from careverse.world import protocol as proto


class WorldClient:
    def __init__(self, ws, welcome: proto.Welcome):
        self.ws = ws
        self.welcome = welcome
        self.you = welcome.you
        self.avatars: dict[str, proto.AvatarState] = {a.id: a for a in welcome.avatars}
        self.closed_code: int | None = None
        self._seq = 0

    @classmethod
    async def connect(
        cls, base_url: str, token: str, space_id: str, *, timeout: float = 10.0
    ) -> WorldClient:
        """Open the socket, say hello and wait for the welcome snapshot."""
        url = base_url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/")
        ws = await websockets.connect(f"{url}/ws/world", open_timeout=timeout, max_size=1 << 22)
        await ws.send(proto.encode(proto.Hello(space=space_id, token=token)).decode())
        try:
            first = proto.server_decoder.decode(await asyncio.wait_for(ws.recv(), timeout))
        except websockets.ConnectionClosed as exc:
            code, reason = (exc.rcvd.code, exc.rcvd.reason) if exc.rcvd else ("?", "")
            raise ConnectionRefusedError(f"closed {code}: {reason}") from exc
        if not isinstance(first, proto.Welcome):
            await ws.close()
            raise ConnectionRefusedError(f"expected welcome, got {type(first).__name__}")
        return cls(ws, first)

    async def __aenter__(self) -> WorldClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        await self.ws.close()

    async def send(self, message: msgspec.Struct) -> None:
        await self.ws.send(proto.encode(message).decode())

    async def move(self, x: float, y: float, z: float, yaw: float = 0.0, anim: str = "walk") -> int:
        """Send a pose; answers its sequence number (echoed in others' deltas)."""
        self._seq += 1
        await self.send(proto.Pose(p=(x, y, z), yaw=yaw, anim=anim, seq=self._seq))
        return self._seq

    async def chat(
        self, text: str, scope: proto.ChatScope = "space", to: str | None = None
    ) -> None:
        await self.send(proto.Chat(text=text, scope=scope, to=to))

    async def moderate(self, action: proto.ModerationAction, target: str | None = None) -> None:
        await self.send(proto.Moderate(action=action, target=target))

    async def ping(self) -> None:
        await self.send(proto.Ping(c=time.time()))

    def _apply(self, message: proto.ServerMessage) -> None:
        if isinstance(message, proto.Delta):
            for state in message.enter:
                self.avatars[state.id] = state
            for u in message.upd:
                known = self.avatars.get(u.id)
                if known is not None:
                    self.avatars[u.id] = msgspec.structs.replace(
                        known, p=(u.x, u.y, u.z), yaw=u.yaw, anim=u.anim
                    )
            for gone in message.leave:
                self.avatars.pop(gone, None)

    async def receive(self, timeout: float = 5.0) -> proto.ServerMessage:
        """The next message (the local view is updated first). Raises on close or timeout."""
        try:
            raw = await asyncio.wait_for(self.ws.recv(), timeout)
        except websockets.ConnectionClosed as exc:
            self.closed_code = exc.rcvd.code if exc.rcvd else None
            raise
        message = proto.server_decoder.decode(raw)
        self._apply(message)
        return message

    async def wait_for(self, predicate, timeout: float = 5.0) -> proto.ServerMessage:
        """Receive until ``predicate(message)`` holds; answers that message."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the expected message did not come")
            message = await self.receive(timeout=remaining)
            if predicate(message):
                return message
