"""Spaces over HTTP, and the realtime WebSocket (``/ws/world``)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Annotated

import msgspec
import structlog
from fastapi import APIRouter, Depends, Request, Response, WebSocket, status
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocketDisconnect

from careverse.identity.api import ERRORS
from careverse.identity.deps import SESSION_COOKIE, CurrentActor
from careverse.identity.service import IdentityService, display_names
from careverse.kernel import clock
from careverse.kernel.config import IceServer
from careverse.kernel.deps import get_runtime, get_session
from careverse.kernel.errors import CONNECTION_ERRORS, DomainError, dependency_unreachable
from careverse.world import protocol as proto
from careverse.world.avatar import Avatar
from careverse.world.connection import MAX_MESSAGE_BYTES, Client, same_origin
from careverse.world.hub import Hub
from careverse.world.ice import ice_servers_for
from careverse.world.models import Space
from careverse.world.schemas import MemberIn, SpaceIn, SpaceOut, TherapyRoomIn
from careverse.world.service import SpaceService
from careverse.world.therapy import open_therapy_room

log = structlog.get_logger(__name__)
router = APIRouter(tags=["world"])
UNREACHABLE = "The space is briefly unavailable; reconnect in a moment."


def _spaces(session: Annotated[AsyncSession, Depends(get_session)]) -> SpaceService:
    return SpaceService(session)


def _hub(request: Request) -> Hub:
    return get_runtime(request).get(Hub)


Spaces = Annotated[SpaceService, Depends(_spaces)]
NodeHub = Annotated[Hub, Depends(_hub)]


async def space_out(space: Space, hub: Hub, facilitator: bool = False) -> SpaceOut:
    present = await hub.present(str(space.id))
    return SpaceOut(
        id=space.id, name=space.name, template=space.template, access=space.access,
        capacity=space.capacity, owner_id=space.owner_id, present=present,
        facilitator=facilitator,
    )  # fmt: skip


@router.get("/api/world/ice-servers", response_model=list[IceServer], responses=ERRORS)
async def ice_servers(actor: CurrentActor, request: Request) -> list[IceServer]:
    """STUN/TURN servers for calls (``CAREVERSE_ICE_SERVERS``); empty works on a LAN."""
    settings = get_runtime(request).settings
    return ice_servers_for(settings, str(actor.account_id), clock.now())


@router.get("/api/spaces", response_model=list[SpaceOut], responses=ERRORS)
async def list_spaces(actor: CurrentActor, service: Spaces, hub: NodeHub) -> list[SpaceOut]:
    """The spaces the caller may see, with how many people are in each now."""
    spaces = await service.visible(actor)
    return [await space_out(s, hub, s.owner_id == actor.account_id) for s in spaces]


@router.post(
    "/api/spaces", status_code=status.HTTP_201_CREATED, response_model=SpaceOut, responses=ERRORS
)
async def create_space(
    body: SpaceIn, actor: CurrentActor, service: Spaces, hub: NodeHub
) -> SpaceOut:
    """Create a space from a template (clinicians, moderators, admins); the creator facilitates."""
    space = await service.create(
        actor, name=body.name, template=body.template, access=body.access,
        capacity=body.capacity, listed=body.listed,
    )  # fmt: skip
    return await space_out(space, hub, True)


@router.get("/api/spaces/{space_id}", response_model=SpaceOut, responses=ERRORS)
async def get_space(
    space_id: uuid.UUID, actor: CurrentActor, service: Spaces, hub: NodeHub
) -> SpaceOut:
    """One space the caller may enter."""
    entry = await service.enter(actor, space_id)
    return await space_out(entry.space, hub, entry.facilitator)


@router.post(
    "/api/spaces/{space_id}/members", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS
)
async def invite_member(
    space_id: uuid.UUID, body: MemberIn, actor: CurrentActor, service: Spaces
) -> Response:
    """Invite someone (or make them a facilitator); facilitators only."""
    await service.invite(actor, space_id, body.account_id, body.role)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/world/therapy-rooms",
    status_code=status.HTTP_201_CREATED,
    response_model=SpaceOut,
    responses=ERRORS,
)
async def therapy_room(
    body: TherapyRoomIn,
    actor: CurrentActor,
    session: Annotated[AsyncSession, Depends(get_session)],
    hub: NodeHub,
) -> SpaceOut:
    """A therapist's private session room with their patient (the same room when asked again)."""
    space = await open_therapy_room(session, actor, body.patient_id)
    return await space_out(space, hub, True)


def first_name(name: str) -> str:
    """The first word of a display name ("Amara Okafor" → "Amara"), skipping a title."""
    words = [w for w in name.split() if w.rstrip(".").lower() not in TITLES]
    return words[0] if words else (name.split() or ["Guest"])[0]


TITLES = {"dr", "mr", "mrs", "ms", "mx", "prof", "miss", "sir"}


async def _refuse(websocket: WebSocket, code: int, reason: str) -> None:
    """Close a socket we will not serve; a client already gone is no error (nothing to log)."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.close(code, reason)


@router.websocket("/ws/world")
async def world_socket(websocket: WebSocket) -> None:
    """The realtime protocol (docs/protocol.md): ``hello`` first, then poses, chat, signals."""
    runtime = get_runtime(websocket)
    await websocket.accept()
    try:
        hello = proto.decode(await asyncio.wait_for(websocket.receive_text(), timeout=10))
        if not isinstance(hello, proto.Hello):
            raise ValueError("hello first")
        space_id = uuid.UUID(hello.space)
    except (TimeoutError, ValueError, msgspec.DecodeError, WebSocketDisconnect, KeyError):
        await _refuse(websocket, proto.CLOSE_UNAUTHENTICATED, "Send hello with a space id first.")
        return
    token = hello.token
    if token is None:
        token = websocket.cookies.get(SESSION_COOKIE)
        if token is None or not same_origin(
            websocket.headers.get("origin"), websocket.headers.get("host")
        ):
            await _refuse(websocket, proto.CLOSE_UNAUTHENTICATED, "Sign in first.")
            return
    try:
        async with runtime.db.session() as session:
            actor = await IdentityService(session, runtime.settings).resolve(token)
            entry = await SpaceService(session).enter(actor, space_id)
            name = (await display_names(session, {actor.account_id}))[actor.account_id]
    except DomainError as exc:
        code = proto.CLOSE_NOT_FOUND if exc.status_code == 404 else proto.CLOSE_UNAUTHENTICATED
        if exc.code == "visit_ended":
            code = proto.CLOSE_ENDED
        await _refuse(websocket, code, exc.message)
        return
    except CONNECTION_ERRORS as exc:
        if not dependency_unreachable(exc):
            raise
        await websocket.close(proto.CLOSE_TRY_AGAIN, UNREACHABLE)
        return

    hub: Hub = runtime.get(Hub)
    avatar_id = str(actor.account_id)
    try:
        admission = await hub.admit(
            str(space_id), entry.space.template, entry.space.capacity, avatar_id
        )
    except PermissionError as exc:
        await _refuse(websocket, proto.CLOSE_FORBIDDEN, str(exc))
        return
    except CONNECTION_ERRORS as exc:
        if not dependency_unreachable(exc):
            raise
        await websocket.close(proto.CLOSE_TRY_AGAIN, UNREACHABLE)
        return

    async def send(data: bytes) -> None:
        await websocket.send_text(data.decode())

    async def close(code: int, reason: str) -> None:
        with contextlib.suppress(RuntimeError):  # already closed
            await websocket.close(code, reason)

    if entry.first_name_only:  # other waiting patients see a first name, never a full name
        name = first_name(name)
    if entry.alias:  # a support group's pseudonym: the account's name is not shown
        name = entry.alias
    client = Client(avatar_id, send, close, hub.limits)
    avatar = Avatar(
        avatar_id, name, actor.role.value, facilitator=entry.facilitator, seated=admission.seated
    )
    instance = admission.instance
    instance.attach(avatar, client, spectator=admission.spectator)
    hub.ensure_running(instance)
    left = False
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                left = message.get("code", 1000) in (1000, 1001)
                break
            data = message.get("text") or message.get("bytes") or b""
            if len(data) > MAX_MESSAGE_BYTES or not client.allow():
                if client.strike():
                    client.close_soon(proto.CLOSE_ABUSE, "Too many messages; slow down.")
                continue
            try:
                parsed = proto.decode(data)
            except (msgspec.ValidationError, msgspec.DecodeError) as exc:
                client.push(proto.Error(code="bad_message", message=str(exc)[:200]))
                if client.strike():
                    client.close_soon(proto.CLOSE_ABUSE, "Too many invalid messages.")
                continue
            if not instance.handle(avatar_id, client, parsed) and client.strike():
                client.close_soon(proto.CLOSE_ABUSE, "Too many invalid messages.")
    except WebSocketDisconnect as exc:
        left = exc.code in (1000, 1001)
    finally:
        instance.detach(avatar_id, client, left=left)
        await client.shutdown()
