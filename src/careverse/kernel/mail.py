"""Outgoing e-mail through SMTP, when an operator configures it."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import structlog

from careverse.kernel.config import Settings

log = structlog.get_logger(__name__)


class Mailer:
    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    async def send(self, to: str, subject: str, body: str) -> bool:
        """Send a plain-text message; answers False (and logs without the address) on failure."""
        s = self.settings
        msg = EmailMessage()
        msg["From"] = s.smtp_from
        msg["To"] = to
        msg["Subject"] = subject
        msg.set_content(body)
        try:
            await aiosmtplib.send(
                msg,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password,
                start_tls=s.smtp_starttls,
                timeout=15,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("mail.send_failed", error=type(exc).__name__)
            return False
        return True
