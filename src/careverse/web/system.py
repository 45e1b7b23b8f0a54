"""The operator's system status (``GET /api/admin/system``): what this node runs and reaches.

Admins only, and audited (``system.read``). It names the key ring's key ids and which one is
primary, never key material; the MQTT broker is reported as reachable or not, never its address
(which may carry credentials).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from careverse import __version__
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel import audit, clock, crypto
from careverse.kernel.actor import Role, require_role
from careverse.kernel.deps import RuntimeDep, get_session
from careverse.kernel.runtime import Runtime
from careverse.kernel.uow import unit_of_work

router = APIRouter(prefix="/api/admin", tags=["operations"])

Health = Literal["ok", "unreachable", "not configured"]
PROBE_SECONDS = 3


class DependencyOut(BaseModel):
    status: Health
    # The kind of thing (`sqlite`, `postgresql`) or why it is unreachable (an error's type).
    detail: str | None = None


class JobOut(BaseModel):
    name: str
    running: bool


class KeyRingOut(BaseModel):
    primary: str
    key_ids: list[str]


class SystemOut(BaseModel):
    version: str
    checked_at: datetime
    database: DependencyOut
    redis: DependencyOut
    mqtt: DependencyOut
    jobs: list[JobOut]
    key_ring: KeyRingOut


async def _probe(check) -> DependencyOut:
    try:
        await asyncio.wait_for(check(), timeout=PROBE_SECONDS)
    except Exception as exc:
        return DependencyOut(status="unreachable", detail=type(exc).__name__)
    return DependencyOut(status="ok")


async def _database(runtime: Runtime) -> DependencyOut:
    answer = await _probe(runtime.db.ping)
    if answer.status == "ok":
        answer.detail = runtime.db.engine.dialect.name
    return answer


async def _redis(runtime: Runtime) -> DependencyOut:
    redis = runtime.redis
    if redis is None:
        return DependencyOut(status="not configured", detail="in-process bus")

    async def ping() -> None:
        await redis.ping()  # type: ignore[misc]  # redis-py types ping as sync or async

    return await _probe(ping)


async def _mqtt(runtime: Runtime) -> DependencyOut:
    url = runtime.settings.mqtt_url
    if not url:
        return DependencyOut(status="not configured")
    parts = urlsplit(url)
    default_port = 8883 if parts.scheme in {"mqtts", "ssl", "tls"} else 1883

    async def connect() -> None:
        _, writer = await asyncio.open_connection(parts.hostname, parts.port or default_port)
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()

    return await _probe(connect)


def _jobs(runtime: Runtime) -> list[JobOut]:
    """The node's background jobs and whether each runs now."""
    running = set(runtime.running_jobs())
    return [JobOut(name=name, running=name in running) for name in runtime.job_names]


@router.get("/system", response_model=SystemOut, responses=ERRORS)
async def system_status(
    actor: CurrentActor,
    runtime: RuntimeDep,
    session: Annotated[AsyncSession, Depends(get_session)],
) -> SystemOut:
    """This node's version, database, Redis, MQTT broker, background jobs and key ring ids
    (admins; audited). Never key material."""
    require_role(actor, Role.ADMIN)
    ring = crypto.keyring()
    database, redis, mqtt = await asyncio.gather(
        _database(runtime), _redis(runtime), _mqtt(runtime)
    )
    async with unit_of_work(session):
        audit.record(session, "system.read", actor=actor, resource_type="System")
    return SystemOut(
        version=__version__,
        checked_at=clock.now(),
        database=database,
        redis=redis,
        mqtt=mqtt,
        jobs=_jobs(runtime),
        key_ring=KeyRingOut(primary=ring.primary, key_ids=sorted(ring.keys)),
    )
