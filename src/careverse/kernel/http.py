"""The HTTP edge: security headers, body limits, the operations gate, request metrics and request
logs, as one ASGI middleware."""

from __future__ import annotations

import hmac
import ipaddress
import time
import uuid
from typing import Literal

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careverse.kernel.config import Settings
from careverse.kernel.fhir import error_response

log = structlog.get_logger("careverse.http")

# connect-src 'self' covers the node's own ws:/wss: origin too (CSP Level 3, as browsers do now);
# no other host may be reached from our pages.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; "
    "media-src 'self' blob:; worker-src 'self' blob:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
BASE_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (
        b"permissions-policy",
        b"camera=(self), microphone=(self), xr-spatial-tracking=(self), geolocation=()",
    ),
]
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")


class Metrics:
    """The node's Prometheus metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "careverse_http_requests_total",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "careverse_http_request_seconds",
            "HTTP request latency by route template",
            ["route", "method"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path or "unmatched"


# Endpoints whose bodies are batches: a readings batch (up to 10,000 data points) and a FHIR
# transaction or batch Bundle. Every other body is small.
BULK_PATHS = frozenset({"/api/monitoring/readings", "/fhir", "/fhir/"})
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
OPS_PATHS = frozenset({"/metrics"})
Access = Literal["open", "ops", "hidden"]
_DOCS_ACCESS: dict[str, Access] = {"public": "open", "ops": "ops", "off": "hidden"}


class BodyTooLarge(HTTPException):
    """A streamed body went past its limit (raised from ``receive``; answered 413)."""

    code = "too_large"

    def __init__(self, limit: int):
        super().__init__(413, f"The request body is larger than {limit} bytes.")


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(value, strict=False)


def _address(host: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(host or "")
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped or ip


class EdgePolicy:
    """What the edge enforces, from the settings: body limits and who reaches the ops endpoints."""

    def __init__(self, settings: Settings):
        self.max_body = settings.max_body_bytes
        self.max_bulk_body = settings.max_bulk_body_bytes
        self.ops_networks = [_network(n) for n in settings.ops_networks]
        self.ops_token = settings.ops_token.encode() if settings.ops_token else None
        self.trusts_proxies = bool(settings.trusted_proxies)
        self.docs: Access = _DOCS_ACCESS[settings.api_docs]

    def body_limit(self, path: str) -> int:
        return self.max_bulk_body if path in BULK_PATHS else self.max_body

    def access(self, path: str) -> Access:
        if path in OPS_PATHS:
            return "ops"
        return self.docs if path in DOCS_PATHS else "open"

    def ops_allowed(self, scope: Scope) -> bool:
        """The operations token, or a peer in the operations networks (not via an unknown proxy)."""
        headers = Headers(scope=scope)
        if self.ops_token is not None:
            scheme, _, given = headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(
                given.strip().encode(), self.ops_token
            ):
                return True
        if not self.trusts_proxies and ("x-forwarded-for" in headers or "forwarded" in headers):
            # Forwarded by a proxy we were not told to trust: the peer address is the proxy's,
            # and the request may come from anywhere.
            return False
        client = scope.get("client")
        ip = _address(client[0] if client else None)
        return ip is not None and any(ip in net for net in self.ops_networks)


def _json_error(scope: Scope, status: int, message: str, code: str) -> JSONResponse:
    if scope["path"].startswith("/fhir"):
        return error_response(status, message)
    return JSONResponse({"detail": message, "code": code}, status_code=status)


class EdgeMiddleware:
    """Adds security headers; refuses oversized bodies before they are read and ops endpoints to
    strangers; records metrics and a log line per request (no query strings)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, policy: EdgePolicy):
        self.app = app
        self.metrics = metrics
        self.policy = policy

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app behind the gate and the body limit (Starlette's own limit answers plain text)."""
        policy = self.policy
        access = policy.access(scope["path"])
        if access == "hidden":
            await _json_error(scope, 404, "Not Found", "not_found")(scope, receive, send)
            return
        if access == "ops" and not policy.ops_allowed(scope):
            message = "Only the operations network or the operations token may read this."
            await _json_error(scope, 403, message, "forbidden")(scope, receive, send)
            return
        limit = policy.body_limit(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            too_large = BodyTooLarge(limit)
            await _json_error(scope, 413, too_large.detail, too_large.code)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watch_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watch_start)
        except BodyTooLarge as exc:
            if started:
                raise
            await _json_error(scope, 413, exc.detail, exc.code)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        request_id = uuid.uuid4().hex[:16]
        https = scope.get("scheme") == "https"
        api = scope["path"].startswith(("/api", "/fhir"))

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.extend(BASE_HEADERS)
                headers.append((b"x-request-id", request_id.encode()))
                if https:
                    headers.append(HSTS)
                if api:
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        try:
            await self._guarded(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - start
            route = _route_template(scope)
            method = scope["method"]
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(elapsed)
            log.info(
                "http.request",
                method=method,
                route=route,
                status=status,
                ms=round(elapsed * 1000, 1),
                request_id=request_id,
            )
