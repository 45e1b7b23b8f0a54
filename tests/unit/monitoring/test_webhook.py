"""The paging webhook's signature, checked against an HMAC computed here (not with ``sign``)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from careverse.kernel import clock
from careverse.monitoring import webhook
from careverse.monitoring.events import AlertChanged
from tests.support import free_port

BODY = b'{"alert_id":"5f0c","event":"opened"}'
SENT = 1_763_769_600


def receiver_signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """What docs/security.md tells a receiver to compute: HMAC-SHA256 over "<ts>.<body>"."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def test_the_signature_covers_the_timestamp_and_the_body():
    signature = webhook.sign("s3cret", str(SENT), BODY)
    assert signature == receiver_signature(b"s3cret", str(SENT), BODY)
    # The same body at another time is signed differently: the timestamp is inside the MAC.
    assert webhook.sign("s3cret", str(SENT + 1), BODY) != signature


def test_verify_accepts_a_fresh_request_and_refuses_forgeries():
    stamp = str(SENT)
    good = receiver_signature(b"s3cret", stamp, BODY)
    assert webhook.verify("s3cret", stamp, BODY, good, now=SENT + 10)
    assert not webhook.verify("other", stamp, BODY, good, now=SENT + 10)
    assert not webhook.verify("s3cret", stamp, BODY + b" ", good, now=SENT + 10)
    # A valid signature moved to another timestamp does not verify.
    assert not webhook.verify("s3cret", str(SENT + 5), BODY, good, now=SENT + 10)


def test_verify_refuses_a_replay_with_an_old_timestamp():
    stamp = str(SENT)
    signature = receiver_signature(b"s3cret", stamp, BODY)
    window = webhook.REPLAY_WINDOW
    assert webhook.verify("s3cret", stamp, BODY, signature, now=SENT + window)
    assert not webhook.verify("s3cret", stamp, BODY, signature, now=SENT + window + 1)
    assert not webhook.verify("s3cret", stamp, BODY, signature, now=SENT + 3600)
    # Nor one stamped in the future beyond the same window (a receiver's clock may lag a little).
    assert not webhook.verify("s3cret", stamp, BODY, signature, now=SENT - window - 1)
    assert webhook.verify("s3cret", stamp, BODY, signature, now=SENT - window)


def test_verify_refuses_a_timestamp_that_is_not_unix_seconds():
    # The last: full-width digits, which str.isdigit() accepts and int() reads.
    for stamp in ("", "-5", "1.5", "abc", "\uff11\uff12"):
        signature = receiver_signature(b"s3cret", stamp, BODY)
        assert not webhook.verify("s3cret", stamp, BODY, signature, now=SENT)


def test_the_replay_window_is_five_minutes():
    stamp = str(SENT)
    signature = receiver_signature(b"s3cret", stamp, BODY)
    assert webhook.verify("s3cret", stamp, BODY, signature, now=SENT + 300)
    assert not webhook.verify("s3cret", stamp, BODY, signature, now=SENT + 301)


# ---- sending: what is sent, what is retried, how long it waits ----------------------------------


class Endpoint:
    """A local receiver answering the given statuses in turn (the last one repeats)."""

    def __init__(self, statuses: list[int], delay: float = 0.0) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict, bytes]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.requests.append((dict(self.headers), body))
                time.sleep(delay)  # a receiver that is slow to answer
                index = min(len(endpoint.requests), len(endpoint.statuses)) - 1
                self.send_response(endpoint.statuses[index])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/page"


@pytest.fixture
def endpoint() -> Iterator[Callable[..., Endpoint]]:
    servers: list[Endpoint] = []

    def make(statuses: list[int], delay: float = 0.0) -> Endpoint:
        server = Endpoint(statuses, delay)
        threading.Thread(target=server.server.serve_forever, args=(0.02,), daemon=True).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.server.shutdown()
        server.server.server_close()


class Log:
    """Stands in for the webhook module's logger: what it warned about, in order."""

    def __init__(self) -> None:
        self.warnings: list[dict] = []

    def warning(self, event: str, **fields) -> None:
        self.warnings.append({"event": event, **fields})


@pytest.fixture
def logged(monkeypatch) -> list[dict]:
    log = Log()
    monkeypatch.setattr(webhook, "log", log)
    return log.warnings


@pytest.fixture
def waits() -> Iterator[list[float]]:
    """The backoff delays the webhook waits (on the platform clock), without waiting them."""
    delays: list[float] = []

    async def record(seconds: float) -> None:
        delays.append(seconds)

    clock.set_sleep(record)
    yield delays
    clock.set_sleep(None)


def hook(url: str) -> webhook.Webhook:
    return webhook.Webhook(url, "s3cret", "https://clinic.example.org/")


async def test_a_notice_is_signed_json_with_ids_and_a_link(endpoint, waits):
    receiver = endpoint([200])
    alert_id = uuid.uuid4()
    body = hook(receiver.url).body(alert_id, "opened", "high", "open")
    assert await hook(receiver.url).send(body) is True
    ((headers, sent),) = receiver.requests
    assert sent == body and waits == []
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Careverse-Alerts/1"
    stamp = headers["X-Careverse-Timestamp"]
    assert abs(int(stamp) - time.time()) < 60
    assert headers["X-Careverse-Signature"] == receiver_signature(b"s3cret", stamp, body)
    notice = json.loads(body)
    assert notice == {
        "alert_id": str(alert_id), "event": "opened", "severity": "high", "status": "open",
        "at": notice["at"], "link": f"https://clinic.example.org/monitoring/alerts/{alert_id}",
    }  # fmt: skip
    assert body == json.dumps(notice, separators=(",", ":")).encode()


async def test_busy_and_failing_receivers_are_retried_five_times_with_doubling_waits(
    endpoint, waits
):
    receiver = endpoint([503])
    assert await hook(receiver.url).send(b"{}") is False
    assert len(receiver.requests) == 5
    assert waits == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize(("statuses", "attempts"), [([429, 200], 2), ([500, 502, 200], 3)])
async def test_too_many_requests_and_server_errors_are_retried_until_delivered(
    endpoint, waits, statuses, attempts
):
    receiver = endpoint(statuses)
    assert await hook(receiver.url).send(b"{}") is True
    assert len(receiver.requests) == attempts and len(waits) == attempts - 1


@pytest.mark.parametrize("status", [300, 301, 400, 401, 404, 410, 499])
async def test_a_refusal_or_a_redirect_is_not_retried_and_is_logged(
    endpoint, waits, logged, status
):
    receiver = endpoint([status])
    assert await hook(receiver.url).send(b"{}") is False
    assert len(receiver.requests) == 1 and waits == []
    assert logged == [
        {"event": "monitoring.webhook_failed", "reason": f"http_{status}", "attempts": 1}
    ]


async def test_an_unreachable_receiver_is_retried_then_given_up(waits, logged):
    assert await hook(f"http://127.0.0.1:{free_port()}/page").send(b"{}") is False
    assert waits == [0.5, 1.0, 2.0, 4.0]
    assert logged == [
        {"event": "monitoring.webhook_failed", "reason": "ConnectError", "attempts": 5}
    ]


async def test_a_receiver_that_does_not_answer_in_time_is_given_up(endpoint, waits, logged):
    receiver = endpoint([200], delay=2.0)
    sender = webhook.Webhook(receiver.url, "s3cret", "https://clinic.example.org", timeout=0.2,
                             attempts=1)  # fmt: skip
    assert await asyncio.wait_for(sender.send(b"{}"), 1.5) is False
    assert [entry["reason"] for entry in logged] == ["ReadTimeout"]
    assert webhook.Webhook(receiver.url, "s", "https://x.example").timeout == 5.0


async def test_no_attempts_deliver_nothing(endpoint, waits):
    receiver = endpoint([200])
    sender = webhook.Webhook(receiver.url, "s3cret", "https://x.example", attempts=0)
    assert await sender.send(b"{}") is False and receiver.requests == []


async def test_the_link_keeps_a_path_prefix_and_drops_one_trailing_slash():
    sender = webhook.Webhook("http://127.0.0.1:1/", "s", "https://clinic.example.org/careX/")
    alert_id = uuid.uuid4()
    link = json.loads(sender.body(alert_id, "opened", "high", "open"))["link"]
    assert link == f"https://clinic.example.org/careX/monitoring/alerts/{alert_id}"


async def test_closing_cancels_notices_in_flight_and_forgets_them(endpoint, waits):
    receiver = endpoint([200], delay=5.0)
    sender = hook(receiver.url)
    sender.notify(uuid.uuid4(), "opened", "high", "open")
    async with asyncio.timeout(10):
        while not receiver.requests:  # noqa: ASYNC110 - the receiver is another thread
            await asyncio.sleep(0.01)
    assert sender.pending == 1
    async with asyncio.timeout(2):  # not the receiver's five seconds
        await sender.close()
    assert sender.pending == 0


async def test_only_opened_reopened_and_escalated_alerts_page(endpoint, waits):
    receiver = endpoint([200])
    sender = hook(receiver.url)
    for change in ("opened", "updated", "acknowledged", "reopened", "escalated", "resolved"):
        await sender.on_alert_changed(
            AlertChanged(alert_id=uuid.uuid4(), patient_id=uuid.uuid4(), change=change,
                         severity="high", status="open")
        )  # fmt: skip
    await sender.drain()
    assert sender.pending == 0
    events = sorted(json.loads(body)["event"] for _, body in receiver.requests)
    assert events == ["escalated", "opened", "reopened"]


@pytest.mark.parametrize("secret", [None, ""])
def test_without_a_secret_the_webhook_refuses_to_sign(secret):
    # An HMAC with an empty key proves nothing: no unsigned page is sent as if it were signed.
    with pytest.raises(ValueError, match="CAREVERSE_ALERT_WEBHOOK_SECRET"):
        webhook.Webhook("http://127.0.0.1:1/", secret, "https://x.example")


def test_a_webhook_without_a_secret_is_not_started_and_says_so(logged):
    assert webhook.from_settings("http://127.0.0.1:1/page", None, "https://x.example") is None
    # What an operator reads: which setting is missing; no URL, no data.
    assert logged == [
        {"event": "monitoring.webhook_disabled", "reason": "CAREVERSE_ALERT_WEBHOOK_SECRET unset"}
    ]
    made = webhook.from_settings("http://127.0.0.1:1/page", "s3cret", "https://x.example/")
    assert made is not None and made.secret == "s3cret" and made.url == "http://127.0.0.1:1/page"
    assert made.public_url == "https://x.example" and logged == logged[:1]
