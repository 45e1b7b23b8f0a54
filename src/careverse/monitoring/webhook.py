"""The optional paging webhook: a signed POST per alert that opens, rises in severity (raised or
re-opened) or escalates.

The body carries no names, values or titles: the alert's id, event, severity, status, time and a
link into Careverse (where the reader signs in and the access policy applies). Each request is
signed with HMAC-SHA256 over ``<timestamp>.<body>``::

    X-Careverse-Timestamp: 1763769600
    X-Careverse-Signature: sha256=<hex of HMAC(secret, b"1763769600." + body)>

so a receiver can refuse replays (:func:`verify` rejects timestamps more than five minutes from
its clock) and forgeries. Without a secret nothing is sent: a URL set without
``CAREVERSE_ALERT_WEBHOOK_SECRET`` leaves the webhook off and logs ``monitoring.webhook_disabled``.
Delivery is best effort: a failed POST (connection error, 429 or 5xx) is retried with exponential
backoff, then given up and logged; the alert itself is already in the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid

import httpx
import structlog

from careverse.kernel import clock
from careverse.monitoring.events import AlertChanged

log = structlog.get_logger(__name__)

# The changes someone is paged for: a new alert, a rise in severity, an escalation to a colleague.
PAGED = frozenset({"opened", "raised", "reopened", "escalated"})
SIGNATURE_HEADER = "X-Careverse-Signature"
TIMESTAMP_HEADER = "X-Careverse-Timestamp"
REPLAY_WINDOW = 300.0  # seconds: :func:`verify` refuses timestamps further from now than this


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for a body sent at ``timestamp`` (unix seconds)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    max_age: float = REPLAY_WINDOW,
    now: float | None = None,
) -> bool:
    """For receivers (and tests): whether a signature matches, in constant time, for a timestamp
    no further than ``max_age`` seconds from ``now`` (default: the wall clock), so that a request
    recorded and replayed later is refused even with its valid signature."""
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > max_age:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def from_settings(url: str, secret: str | None, public_url: str) -> Webhook | None:
    """The paging webhook, or ``None`` (logged, without the URL) when there is no secret to sign
    with: an HMAC with an empty key would let anyone forge a page."""
    if not secret:
        log.warning("monitoring.webhook_disabled", reason="CAREVERSE_ALERT_WEBHOOK_SECRET unset")
        return None
    return Webhook(url, secret, public_url)


class Webhook:
    """Sends alert notices in the background; never blocks or fails the alert's own work."""

    def __init__(
        self,
        url: str,
        secret: str | None,
        public_url: str,
        *,
        attempts: int = 5,
        first_delay: float = 0.5,
        timeout: float = 5.0,
    ):
        if not secret:
            raise ValueError("The paging webhook needs CAREVERSE_ALERT_WEBHOOK_SECRET to sign with")
        self.url = url
        self.secret = secret
        self.public_url = public_url.rstrip("/")
        self.attempts = attempts
        self.first_delay = first_delay
        self.timeout = timeout
        self._tasks: set[asyncio.Task] = set()

    def body(self, alert_id: uuid.UUID, event: str, severity: str, status: str) -> bytes:
        notice = {
            "alert_id": str(alert_id),
            "event": event,
            "severity": severity,
            "status": status,
            "at": clock.now().isoformat(),
            "link": f"{self.public_url}/monitoring/alerts/{alert_id}",
        }
        return json.dumps(notice, separators=(",", ":")).encode()

    async def on_alert_changed(self, event: AlertChanged) -> None:
        """COMMITTED handler (once, on the committing node): page for an alert that opens,
        re-opens or escalates; the notice is sent in the background."""
        if event.change in PAGED:
            self.notify(event.alert_id, event.change, event.severity, event.status)

    def notify(self, alert_id: uuid.UUID, event: str, severity: str, status: str) -> None:
        task = asyncio.create_task(self.send(self.body(alert_id, event, severity, status)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def send(self, body: bytes) -> bool:
        """POST one notice, retrying with backoff; answers whether it was delivered."""
        delay = self.first_delay
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            for attempt in range(1, self.attempts + 1):
                timestamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/json",
                    TIMESTAMP_HEADER: timestamp,
                    SIGNATURE_HEADER: sign(self.secret, timestamp, body),
                    "User-Agent": "Careverse-Alerts/1",
                }
                try:
                    response = await http.post(self.url, content=body, headers=headers)
                    if response.status_code < 300:
                        return True
                    retry = response.status_code == 429 or response.status_code >= 500
                    reason = f"http_{response.status_code}"
                except httpx.HTTPError as exc:
                    retry, reason = True, type(exc).__name__
                if not retry or attempt == self.attempts:
                    log.warning("monitoring.webhook_failed", reason=reason, attempts=attempt)
                    return False
                await clock.sleep(delay)
                delay *= 2
        return False

    @property
    def pending(self) -> int:
        """How many notices are being sent now."""
        return len(self._tasks)

    async def drain(self) -> None:
        """Wait for notices in flight (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*tuple(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in tuple(self._tasks):
            task.cancel()
        await self.drain()
