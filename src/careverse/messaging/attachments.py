"""Attachments: the type is read from the file's first bytes (its magic number), never from its
name or the type the browser claims; only PDF, PNG and JPEG are taken, up to the configured size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import filetype

from careverse.kernel.errors import DomainError, InvalidInput

ALLOWED = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


class AttachmentTooLarge(DomainError):
    status_code = 413
    code = "attachment_too_large"


class UnsupportedAttachment(DomainError):
    status_code = 415
    code = "unsupported_attachment"


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes


def safe_name(name: str | None, extension: str) -> str:
    """A name fit for a download header: letters, digits, dot, dash, underscore; our extension."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", (name or "").rsplit(".", 1)[0]).strip("._")[:80]
    return f"{stem or 'attachment'}.{extension}"


def check(name: str | None, content: bytes, max_bytes: int) -> CheckedFile:
    """The file, if its bytes say PDF, PNG or JPEG and it is not too large; else 413/415/422."""
    if not content:
        raise InvalidInput("The file is empty.", field="file")
    if len(content) > max_bytes:
        raise AttachmentTooLarge(
            f"The file is larger than {max_bytes // 1024} KB; send a smaller one."
        )
    kind = filetype.guess(content)
    if kind is None or kind.mime not in ALLOWED:
        raise UnsupportedAttachment("Only PDF, PNG and JPEG files can be attached.")
    return CheckedFile(safe_name(name, ALLOWED[kind.mime]), kind.mime, content)
