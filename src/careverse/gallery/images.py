"""An uploaded image, checked by decoding it and re-encoded without its metadata.

What the member sends is never stored as sent: Pillow decodes it (PNG, JPEG or WebP only, found
from the bytes, not the name), turns it upright by its EXIF orientation, shrinks it to at most
:data:`MAX_SIDE` pixels a side and encodes it again with nothing but pixels — no EXIF (camera,
GPS position, time), no XMP, no ICC profile, no PNG text chunks. A file that does not decode, is
another format, is over :data:`MAX_BYTES` or over :data:`MAX_PIXELS` (a decompression bomb) is
refused with 422 naming the field ``image``.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from careverse.kernel.errors import InvalidInput

# The site's edge refuses request bodies over ``max_body_bytes`` (1 MB by default) with 413
# first; this is the gallery's own ceiling should an operator raise that.
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels decoded: larger is refused before decoding
MAX_SIDE = 2048
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    width: int
    height: int


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="image", code="bad_image")


def clean(data: bytes) -> CleanImage:
    """Decode ``data`` and answer it re-encoded without metadata (see the module doc)."""
    if not data:
        raise _refuse("Choose an image to upload.")
    if len(data) > MAX_BYTES:
        raise _refuse(f"The image is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as opened:
                fmt = opened.format or ""
                if opened.width * opened.height > MAX_PIXELS:
                    raise _refuse("The image has too many pixels.")
                opened.load()
                picture = ImageOps.exif_transpose(opened)
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse("The image has too many pixels.") from exc
    except Exception as exc:  # Pillow raises many kinds for a file it cannot read
        raise _refuse("This file is not a PNG, JPEG or WebP image we can read.") from exc
    if fmt not in FORMATS:
        raise _refuse("Upload a PNG, JPEG or WebP image.")
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    picture = picture.convert("RGBA" if alpha and fmt != "JPEG" else "RGB")
    picture.info.clear()  # nothing of the original's metadata may travel to the new file
    out = io.BytesIO()
    if fmt == "JPEG":
        picture.save(out, "JPEG", quality=88)
    elif fmt == "PNG":
        picture.save(out, "PNG", compress_level=6)
    else:
        picture.save(out, "WEBP", quality=88)
    return CleanImage(out.getvalue(), FORMATS[fmt], picture.width, picture.height)
