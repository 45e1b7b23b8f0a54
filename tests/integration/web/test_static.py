"""The built client is served as a browser caches it best: hashed assets compressed and kept for a
year, index.html revalidated on every load."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from careverse.web import api as web

SCRIPT = b"export const greeting = 'hello';\n" * 200  # compressible, well over the build's 1 KB
ASSET = "index-Abc123de.js"


@pytest.fixture
def built_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A client build as vite writes it: index.html, a hashed script and its compressed copies."""
    assets = tmp_path / "assets"
    assets.mkdir()
    (tmp_path / "index.html").write_text(f'<script type="module" src="/assets/{ASSET}"></script>')
    (assets / ASSET).write_bytes(SCRIPT)
    (assets / f"{ASSET}.gz").write_bytes(gzip.compress(SCRIPT))
    (assets / f"{ASSET}.br").write_bytes(b"brotli stand-in")  # the server never decodes it
    (assets / "logo-Ff00aa11.png").write_bytes(b"\x89PNG not compressible")
    monkeypatch.setattr(web, "STATIC_DIR", tmp_path)
    return tmp_path


@pytest.fixture
async def static_client(built_client: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    web.mount_client(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_hashed_asset_is_sent_brotli_compressed_and_cached_for_a_year(static_client):
    response = await static_client.get(
        f"/assets/{ASSET}", headers={"Accept-Encoding": "gzip, deflate, br"}
    )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "br"
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["vary"] == "Accept-Encoding"
    assert int(response.headers["content-length"]) == len(b"brotli stand-in")


async def test_gzip_when_brotli_is_not_accepted(static_client):
    response = await static_client.get(
        f"/assets/{ASSET}", headers={"Accept-Encoding": "gzip, br;q=0"}
    )
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == SCRIPT  # httpx decodes the gzip copy: it is the same script
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_plain_asset_without_accept_encoding(static_client):
    response = await static_client.get(f"/assets/{ASSET}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert response.content == SCRIPT
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    # No compressed copy (a PNG): sent as it is, still cached.
    png = await static_client.get("/assets/logo-Ff00aa11.png", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in png.headers
    assert png.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_revalidation_answers_not_modified(static_client):
    headers = {"Accept-Encoding": "br"}
    first = await static_client.get(f"/assets/{ASSET}", headers=headers)
    again = await static_client.get(
        f"/assets/{ASSET}", headers={**headers, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


async def test_index_html_is_revalidated_every_load(static_client):
    for path in ("/", "/monitoring"):
        response = await static_client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache"
        assert ASSET in response.text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", {"gzip", "deflate", "br", "zstd"}),
        ("br;q=0, gzip;q=0.5", {"gzip"}),
        ("", set()),
        ("gzip;q=bad", {"gzip"}),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header: str, expected: set[str]):
    assert web.accepted_encodings(header) == expected
