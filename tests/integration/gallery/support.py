"""Helpers of the gallery tests: images made with Pillow, submitting and deciding over HTTP."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.integration.privacy.support import Person

POEM = "Morning light on the ward,\nthe kettle sings,\n*I am still here*."


def png(size: tuple[int, int] = (64, 48), colour: str = "teal", exif: bool = False,
        fmt: str = "PNG") -> bytes:  # fmt: skip
    picture = Image.new("RGB", size, colour)
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"  # Make
        tags[0x8825] = {2: (51.0, 30.0, 0.0), 1: "N"}  # GPS: latitude
        picture.save(out, fmt, exif=tags.tobytes())
    else:
        picture.save(out, fmt)
    return out.getvalue()


async def submit_text(
    client: httpx.AsyncClient, who: Person, slug: str, body: str = POEM, expect: int = 201,
    **extra,
) -> dict:  # fmt: skip
    r = await client.post(f"/api/gallery/communities/{slug}/works/text",
                          json={"title": "Still here", "body": body, **extra},
                          headers=who.headers)  # fmt: skip
    assert r.status_code == expect, r.text
    return r.json()


async def submit_image(
    client: httpx.AsyncClient, who: Person, slug: str, data: bytes, expect: int = 201,
    alt_text: str = "A teal square, calm", name: str = "art.png", **form,
) -> dict:  # fmt: skip
    r = await client.post(
        f"/api/gallery/communities/{slug}/works/image",
        data={"title": "Calm", "alt_text": alt_text, **form},
        files={"image": (name, data, "application/octet-stream")},
        headers=who.headers,
    )
    assert r.status_code == expect, r.text
    return r.json()


async def decide(client: httpx.AsyncClient, who: Person, work_id: str, action: str,
                 expect: int = 200, reason: str | None = None) -> dict:  # fmt: skip
    r = await client.post(f"/api/gallery/works/{work_id}/{action}", json={"reason": reason},
                          headers=who.headers)  # fmt: skip
    assert r.status_code == expect, r.text
    return r.json()


async def works(client: httpx.AsyncClient, who: Person, slug: str, expect: int = 200) -> list:
    r = await client.get(f"/api/gallery/communities/{slug}/works", headers=who.headers)
    assert r.status_code == expect, r.text
    return r.json()["works"] if expect == 200 else []
