"""The FastAPI application factory: every capability's router, the middleware and the client."""

from __future__ import annotations

import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from careverse import __version__
from careverse.identity import api as identity_api
from careverse.kernel import crypto
from careverse.kernel import redis as redis_conn
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import DomainError, InvalidInput
from careverse.kernel.http import EdgeMiddleware, Metrics
from careverse.kernel.mail import Mailer
from careverse.web import api as web_api
from careverse.web import ops

log = structlog.get_logger(__name__)


def _validation_errors(exc: RequestValidationError) -> list[dict]:
    """FastAPI's shape, minus the echoed input: error messages never repeat what was sent."""
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", "invalid"), "type": err.get("type")}
        for err in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, InvalidInput):
            loc = ["body", exc.field] if exc.field else ["body"]
            return JSONResponse(
                {"detail": [{"loc": loc, "msg": exc.message, "type": exc.code}], "code": exc.code},
                status_code=422,
            )
        return JSONResponse(
            {"detail": exc.message, "code": exc.code},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_errors(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.detail, "code": "http_error"},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Exception messages can carry SQL parameters (health data): log type and frames only.
        log.error(
            "http.unhandled",
            error=type(exc).__name__,
            frames="".join(traceback.format_tb(exc.__traceback__)[-6:]),
        )
        return JSONResponse(
            {"detail": "Something went wrong on our side; it has been logged.", "code": "internal"},
            status_code=500,
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build a Careverse node from settings (the environment's by default)."""
    settings = settings or Settings()
    crypto.install_keyring(crypto.load_keyring(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.effective_database_url)
        if settings.migrate_on_start:
            await db.migrate()
        app.state.db = db
        app.state.redis = redis_conn.connect(settings.redis_url)
        log.info("careverse.started", database=db.engine.dialect.name, redis=bool(app.state.redis))
        try:
            yield
        finally:
            if app.state.redis is not None:
                await app.state.redis.aclose()
            await db.dispose()

    app = FastAPI(
        title="Careverse",
        version=__version__,
        description="Self-hostable healthcare metaverse: the HTTP API.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.mailer = Mailer(settings)
    install_error_handlers(app)
    app.include_router(ops.router)
    app.include_router(identity_api.router)
    web_api.mount_client(app)
    app.add_middleware(EdgeMiddleware, metrics=app.state.metrics)
    return app
