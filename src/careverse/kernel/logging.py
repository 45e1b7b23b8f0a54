"""Structured JSON logs that never carry health data, credentials or tokens."""

from __future__ import annotations

import logging
import re
import sys
import traceback

import structlog

# Keys whose values are dropped wherever they appear in an event.
SENSITIVE_KEYS = frozenset(
    {
        "password", "new_password", "current_password", "token", "access_token", "refresh_token",
        "otp", "code", "secret", "authorization", "cookie", "email", "name", "display_name",
        "birth_date", "phone", "contact", "address", "note", "notes", "text", "message_body",
        "value", "values", "query", "query_string",
    }
)  # fmt: skip


# Secrets inside free text (Uvicorn's messages, exception frames): a URL's query string, an
# e-mail address, our bearer secrets (``cva_…``, ``cvp_…``; kernel.tokens) and Authorization values.
_IN_TEXT = (
    (re.compile(r"(/[^\s\"'?#]*)\?[^\s\"'#]*"), r"\1?[redacted]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\bcv[a-z]_[A-Za-z0-9_-]{16,}"), "[token]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',]+"), r"\1 [redacted]"),
)


def _redact(_logger, _method, event_dict: dict) -> dict:
    for key, value in list(event_dict.items()):
        if key.lower() in SENSITIVE_KEYS:
            event_dict[key] = "[redacted]"
        elif isinstance(value, str) and not key.startswith("_"):
            for pattern, replacement in _IN_TEXT:
                value = pattern.sub(replacement, value)
            event_dict[key] = value
    return event_dict


def _exception_without_message(_logger, _method, event_dict: dict) -> dict:
    """An exception logs its type and frames, never its message or repr: messages carry input
    (SQL parameters, a request's values). Applies to Uvicorn's "Exception in ASGI application"
    as to our own ``exc_info``."""
    exc_info = event_dict.pop("exc_info", None)
    event_dict.pop("exception", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if isinstance(exc_info, tuple) and exc_info[0] is not None:
        event_dict["error"] = exc_info[0].__name__
        event_dict["frames"] = "".join(traceback.format_tb(exc_info[2])[-6:])
    return event_dict


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test captures and daemons swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """Route structlog and the standard library (uvicorn) through one JSON renderer."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _exception_without_message,
        _redact,
    ]
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Our middleware logs requests without query strings; uvicorn's access log is not needed
    # (and would be redacted like every line if it were enabled).
    logging.getLogger("uvicorn.access").disabled = True
    # Outgoing-request logs carry full URLs (webhook targets, query strings): keep them quiet.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # Every other logger, Uvicorn's and the websockets library's included, reaches the one
    # redacting handler on the root logger.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "websockets", "websockets.server"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
