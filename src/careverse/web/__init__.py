"""The web edge: operations endpoints and the built browser client."""

from __future__ import annotations

from fastapi import FastAPI

from careverse.kernel.runtime import Runtime
from careverse.web import api


def setup(runtime: Runtime) -> None:
    from careverse.web import ops, system

    runtime.include_router(ops.router)
    runtime.include_router(system.router)


def mount_client(app: FastAPI) -> None:
    """Serve the built client; mounted last, after every capability's routes."""
    api.mount_client(app)
