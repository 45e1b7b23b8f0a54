"""Attachments are judged by their bytes: a program named .pdf is refused, a PNG sent as text is
a PNG; the size limit and an empty file answer clearly; names are made safe for a header."""

from __future__ import annotations

import pytest

from careverse.kernel.errors import InvalidInput
from careverse.messaging.attachments import (
    AttachmentTooLarge,
    UnsupportedAttachment,
    check,
    safe_name,
)
from tests.integration.messaging.support import EXE, JPEG, PDF, PNG


@pytest.mark.parametrize(
    ("name", "content", "mime", "stored"),
    [
        ("scan.pdf", PDF, "application/pdf", "scan.pdf"),
        ("photo.txt", PNG, "image/png", "photo.png"),
        (None, JPEG, "image/jpeg", "attachment.jpg"),
    ],
)
def test_the_type_comes_from_the_bytes(name, content, mime, stored):
    checked = check(name, content, 4096)
    assert (checked.content_type, checked.filename, checked.content) == (mime, stored, content)


def test_refusals_name_what_is_wrong():
    with pytest.raises(UnsupportedAttachment) as refused:
        check("report.pdf", EXE, 4096)
    assert refused.value.status_code == 415
    with pytest.raises(AttachmentTooLarge) as large:
        check("big.pdf", PDF + b"0" * 5000, 4096)
    assert large.value.status_code == 413 and "4 KB" in large.value.message
    with pytest.raises(InvalidInput) as empty:
        check("empty.pdf", b"", 4096)
    assert empty.value.field == "file"


def test_names_are_safe_for_a_header():
    assert safe_name('../../etc/"passwd".pdf', "pdf") == "etc_passwd.pdf"
    assert safe_name("résumé final.PDF", "pdf") == "r_sum_final.pdf"
    assert safe_name("...", "png") == "attachment.png"
