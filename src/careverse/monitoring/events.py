"""What ingest tells the rest of monitoring: readings were committed for these patients."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ReadingsCommitted:
    """Emitted after the commit of each batch (never before: listeners may read the rows)."""

    patient_ids: frozenset[uuid.UUID]
    codes: frozenset[str]
    received_at: float  # time.time() when the request or message arrived


class ReadingListeners:
    """Synchronous, non-blocking listeners (each queues its own work)."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[ReadingsCommitted], None]] = []

    def add(self, fn: Callable[[ReadingsCommitted], None]) -> None:
        self._listeners.append(fn)

    def remove(self, fn: Callable[[ReadingsCommitted], None]) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def emit(self, event: ReadingsCommitted) -> None:
        for fn in list(self._listeners):
            try:
                fn(event)
            except Exception as exc:  # one listener's bug must not fail an acknowledged batch
                log.error("monitoring.listener_failed", error=type(exc).__name__)
