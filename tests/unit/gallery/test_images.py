"""Uploaded images: decoded, re-encoded without metadata, refused when not an image we read."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from careverse.gallery import images
from careverse.kernel.errors import InvalidInput


def encoded(fmt: str, size=(40, 30), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "orange").save(out, fmt, **save)
    return out.getvalue()


def gps_exif() -> bytes:
    tags = Image.Exif()
    tags[0x010F] = "PhoneMaker"
    tags[0x0112] = 6  # orientation: turned 90° clockwise
    tags[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    return tags.tobytes()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_and_gps_are_gone_and_the_picture_is_turned_upright(fmt):
    sent = encoded(fmt, exif=gps_exif())
    assert b"PhoneMaker" in sent
    clean = images.clean(sent)
    assert b"PhoneMaker" not in clean.content and b"Exif" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as picture:
        assert picture.format == fmt and not picture.getexif()
        assert picture.size == (30, 40)  # the orientation was applied, then dropped
    assert clean.content_type == images.FORMATS[fmt] and (clean.width, clean.height) == (30, 40)


def test_png_text_chunks_are_gone():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at 12 Acacia Avenue")
    clean = images.clean(encoded("PNG", pnginfo=info))
    assert b"Acacia" not in clean.content


def test_large_pictures_are_shrunk_to_the_wall_size():
    clean = images.clean(encoded("PNG", size=(4000, 1000)))
    assert (clean.width, clean.height) == (2048, 512)


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", encoded("GIF"), encoded("BMP"), encoded("PNG")[:40]],
)
def test_what_is_not_a_png_jpeg_or_webp_we_can_read_is_422_on_the_image(data):
    with pytest.raises(InvalidInput) as refused:
        images.clean(data)
    assert refused.value.field == "image"


def test_too_many_bytes_or_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 100)
    with pytest.raises(InvalidInput, match="larger than"):
        images.clean(encoded("PNG", size=(200, 200), mode="RGB", compress_level=0))
    monkeypatch.setattr(images, "MAX_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    with pytest.raises(InvalidInput, match="too many pixels"):
        images.clean(encoded("PNG", size=(100, 100)))
