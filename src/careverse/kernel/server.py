"""How a node is served: Uvicorn's settings, and the request-head limits it lacks.

Uvicorn closes an idle keep-alive connection after ``timeout_keep_alive``, but it waits for a
request head for ever and, with httptools, lets the head grow without bound: a slow client (a
slowloris) holds a connection and memory at no cost to itself. :class:`GuardedHttpToolsProtocol`
gives every request head a deadline (``header_timeout_seconds``, from the connection's first byte)
and a size limit (``max_header_bytes``). A reverse proxy in front enforces its own; these hold
when there is none.
"""

from __future__ import annotations

import asyncio

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from careverse.kernel.config import Settings

TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: 32\r\n\r\nThe request headers are too big."
)


class HeadTooLarge(Exception):
    """The request line and headers are larger than ``max_header_bytes``."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """Uvicorn's httptools protocol with a deadline and a size limit on each request head."""

    header_timeout: float = 10.0
    max_header_bytes: int = 16 * 1024
    _head_timer: asyncio.TimerHandle | None = None
    _head_bytes = 0  # bytes received while a head is awaited
    _parsed_head_bytes = 0  # the current head's request line and headers, as parsed
    _awaiting_head = True

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()  # also a connection that never sends a byte

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._awaiting_head:
            self._arm_head_timer()
            self._head_bytes += len(data)
        super().data_received(data)
        if (
            self._awaiting_head
            and self._head_bytes > self.max_header_bytes
            and not self.transport.is_closing()
        ):
            self.transport.write(TOO_LARGE)
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)
        super().on_header(name, value)

    def _count_head(self, size: int) -> None:
        # A head that arrives whole in one read is parsed at once: count what the parser found.
        self._parsed_head_bytes += size
        if self._parsed_head_bytes > self.max_header_bytes:
            raise HeadTooLarge  # the parser stops; uvicorn answers 400 and closes

    def on_headers_complete(self) -> None:
        self._head_done()
        super().on_headers_complete()

    def on_message_begin(self) -> None:
        self._parsed_head_bytes = 0
        super().on_message_begin()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The next request's head: its deadline starts with its first byte (until then the
        # keep-alive timeout governs the idle connection).
        self._awaiting_head = True
        self._head_bytes = 0

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _head_done(self) -> None:
        self._awaiting_head = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._awaiting_head and not self.transport.is_closing():
            self.transport.close()


def server_config(app: object, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """Uvicorn's configuration for a node (``careverse serve`` and the tests that serve one)."""
    protocol = type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {
            "header_timeout": settings.header_timeout_seconds,
            "max_header_bytes": settings.max_header_bytes,
        },
    )
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        http=protocol,
        # The app resolves X-Forwarded-For itself, from trusted proxies only (app.create_app).
        proxy_headers=False,
        # Our middleware logs each request without its query string; kernel.logging routes
        # Uvicorn's own loggers through the redacting pipeline.
        access_log=False,
        log_config=None,
        server_header=False,
        timeout_keep_alive=settings.keep_alive_seconds,
        ws_max_size=1 << 20,
        ws_per_message_deflate=settings.ws_compression,
    )
