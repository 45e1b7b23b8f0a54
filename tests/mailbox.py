"""A real local SMTP server (aiosmtpd) that keeps what it receives, for tests of sent mail.

Use it from a test module::

    @pytest.fixture
    def inbox():
        with running_inbox() as box:
            yield box

    @pytest.fixture
    def settings_overrides(inbox) -> dict:
        return smtp_settings(inbox)
"""

from __future__ import annotations

import contextlib
import email
import email.message
from collections.abc import Iterator

from aiosmtpd.controller import Controller

from tests.support import free_port


class Inbox:
    """An SMTP handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def bodies(self) -> list[str]:
        return [m.get_payload(decode=True).decode() for m in self.messages]  # type: ignore[union-attr]


@contextlib.contextmanager
def running_inbox() -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on a free loopback port while the block runs: (its inbox, its port)."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def smtp_settings(inbox: tuple[Inbox, int]) -> dict:
    """Settings that send the node's mail to ``inbox``."""
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": inbox[1],
        "smtp_starttls": False,
        "public_url": "https://clinic.example.org",
    }
