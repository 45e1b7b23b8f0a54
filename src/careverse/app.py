"""The FastAPI application factory: every capability's router, the middleware and the client."""

from __future__ import annotations

import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from careverse import (
    __version__,
    care,
    community,
    events,
    fhir,
    gallery,
    groups,
    identity,
    mentoring,
    messaging,
    monitoring,
    privacy,
    research,
    training,
    web,
    wellbeing,
    world,
)
from careverse.kernel import crypto
from careverse.kernel import fhir as fhir_plumbing
from careverse.kernel.config import Settings
from careverse.kernel.errors import (
    CONNECTION_ERRORS,
    DomainError,
    InvalidInput,
    ServiceUnavailable,
    dependency_unreachable,
)
from careverse.kernel.http import EdgeMiddleware, EdgePolicy
from careverse.kernel.runtime import Runtime

log = structlog.get_logger(__name__)


# Every capability, once: each registers its routers, events, start-up hooks and jobs.
# fhir comes after the capabilities whose FHIR routes it composes; web last (its catch-all).
CAPABILITIES = (
    identity,
    privacy,
    world,
    care,
    monitoring,
    wellbeing,
    messaging,
    community,
    training,
    groups,
    mentoring,
    gallery,
    research,
    events,
    fhir,
    web,
)


def _is_fhir(request: Request) -> bool:
    return request.url.path.startswith("/fhir")


def _validation_errors(exc: RequestValidationError) -> list[dict]:
    """FastAPI's shape, minus the echoed input: error messages never repeat what was sent."""
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", "invalid"), "type": err.get("type")}
        for err in exc.errors()
    ]


def _database_busy(exc: Exception) -> bool:
    """A transient lock conflict (SQLite busy/locked, PostgreSQL serialization or deadlock)."""
    orig = getattr(exc, "orig", None)
    text = str(orig).lower() if orig is not None else ""
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return "database is locked" in text or "database is busy" in text or sqlstate in _RETRYABLE


_RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        if _is_fhir(request):
            return fhir_plumbing.error_response(exc.status_code, exc.message, exc.headers)
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
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if _is_fhir(request):
            errors = _validation_errors(exc)
            where = ", ".join(".".join(map(str, e["loc"])) for e in errors)
            return fhir_plumbing.error_response(422, f"Invalid request parameters: {where}")
        return JSONResponse({"detail": _validation_errors(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if _is_fhir(request):
            return fhir_plumbing.error_response(exc.status_code, str(exc.detail))
        return JSONResponse(
            {"detail": exc.detail, "code": getattr(exc, "code", "http_error")},
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

    async def _connection(request: Request, exc: Exception) -> JSONResponse:
        # The database or Redis is down or restarting: the request was not acknowledged, and
        # sending it again after Retry-After is safe (readings are deduplicated by source id).
        if dependency_unreachable(exc):
            log.warning("http.dependency_unreachable", path=request.url.path,
                        error=type(exc).__name__)  # fmt: skip
            return await _domain(request, ServiceUnavailable())
        if isinstance(exc, DBAPIError) and _database_busy(exc):
            return await _busy(request)
        return await _unexpected(request, exc)

    for kind in CONNECTION_ERRORS:
        app.add_exception_handler(kind, _connection)

    async def _busy(request: Request) -> JSONResponse:
        # SQLite refuses a write at once when a concurrent writer changed the snapshot this
        # transaction read; nothing was written, so the caller can safely try again.
        log.warning("http.database_busy", path=request.url.path)
        return JSONResponse(
            {"detail": "The service is busy; please try again.", "code": "busy"},
            status_code=503,
            headers={"Retry-After": "1"},
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build a Careverse node from settings (the environment's by default)."""
    settings = settings or Settings()
    crypto.install_keyring(crypto.load_keyring(settings))
    runtime = Runtime(settings)
    for capability in CAPABILITIES:
        capability.setup(runtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    docs = settings.api_docs != "off"  # 'ops' serves them behind the edge's operations gate
    app = FastAPI(
        title="Careverse",
        version=__version__,
        description="Self-hostable healthcare metaverse: the HTTP API.",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    for router in runtime.routers:
        app.include_router(router)
    web.mount_client(app)
    app.add_middleware(EdgeMiddleware, metrics=runtime.metrics, policy=EdgePolicy(settings))
    if settings.trusted_proxies:
        # The client address (throttling, audit) and scheme come from X-Forwarded-For/-Proto
        # only when the connecting peer is one of these proxies; otherwise from the peer.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
