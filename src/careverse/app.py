"""The FastAPI application factory: every capability's router, the middleware and the client."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from careverse import __version__
from careverse.care import api as care_api
from careverse.care import jobs as care_jobs
from careverse.fhir import api as fhir_api
from careverse.fhir.resources import FHIR_JSON, operation_outcome
from careverse.identity import api as identity_api
from careverse.identity import relationships
from careverse.kernel import bus as event_bus
from careverse.kernel import crypto, policy
from careverse.kernel import redis as redis_conn
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import DomainError, InvalidInput
from careverse.kernel.http import EdgeMiddleware, Metrics
from careverse.kernel.mail import Mailer
from careverse.monitoring import alerts_api as monitoring_alerts_api
from careverse.monitoring import api as monitoring_api
from careverse.monitoring import jobs as monitoring_jobs
from careverse.monitoring import mqtt as monitoring_mqtt
from careverse.monitoring.events import ReadingListeners
from careverse.privacy import api as privacy_api
from careverse.privacy import jobs as privacy_jobs
from careverse.privacy import service as privacy_service
from careverse.web import api as web_api
from careverse.web import ops
from careverse.world import api as world_api
from careverse.world.hub import Hub, Limits

log = structlog.get_logger(__name__)


class CareversePolicyFacts(policy.PolicyFacts):
    """The policy's facts, each answered by the capability that owns it."""

    delegation = staticmethod(relationships.delegation_fact)
    has_care_relationship = staticmethod(relationships.has_care_relationship)
    break_glass_active = staticmethod(privacy_service.break_glass_active)
    consent_denies = staticmethod(privacy_service.consent_denies)


FHIR_ISSUE_CODES = {
    401: "login",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    422: "invalid",
}


def _fhir_error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    code = FHIR_ISSUE_CODES.get(status, "processing")
    return JSONResponse(
        operation_outcome(code, message), status_code=status, media_type=FHIR_JSON, headers=headers
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
            return _fhir_error(exc.status_code, exc.message, exc.headers)
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
            return _fhir_error(422, f"Invalid request parameters: {where}")
        return JSONResponse({"detail": _validation_errors(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if _is_fhir(request):
            return _fhir_error(exc.status_code, str(exc.detail))
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

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        if not _database_busy(exc):
            return await _unexpected(request, exc)
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
    policy.install_facts(CareversePolicyFacts())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.effective_database_url)
        if settings.migrate_on_start:
            await db.migrate()
        app.state.db = db
        app.state.redis = redis_conn.connect(settings.redis_url)
        app.state.bus = event_bus.create(app.state.redis)
        app.state.hub = Hub(
            Limits(
                tick_hz=settings.world_tick_hz,
                aoi_radius=settings.world_aoi_radius,
                grace_seconds=settings.world_grace_seconds,
            ),
            bus=app.state.bus,
            db=db,
        )
        log.info("careverse.started", database=db.engine.dialect.name, redis=bool(app.state.redis))
        jobs = [asyncio.create_task(privacy_jobs.erase_due_forever(db, settings))]
        jobs += monitoring_jobs.start(app)
        if bridge := monitoring_mqtt.start(app):  # CAREVERSE_MQTT_URL: device readings
            jobs.append(bridge)
        jobs.append(
            asyncio.create_task(care_jobs.send_reminders_forever(db, settings, app.state.mailer))
        )
        try:
            yield
        finally:
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
            await app.state.hub.close()
            await app.state.bus.close()
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
    app.state.reading_listeners = ReadingListeners()
    app.state.mailer = Mailer(settings)
    install_error_handlers(app)
    app.include_router(ops.router)
    app.include_router(identity_api.router)
    app.include_router(privacy_api.router)
    app.include_router(fhir_api.router)
    app.include_router(world_api.router)
    app.include_router(care_api.router)
    app.include_router(monitoring_api.router)
    app.include_router(monitoring_alerts_api.router)
    web_api.mount_client(app)
    app.add_middleware(EdgeMiddleware, metrics=app.state.metrics)
    return app
