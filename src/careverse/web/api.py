"""Serves the built browser client: hashed assets, and index.html for every client route.

The build (``client/vite.config.ts``) names every asset by its content's hash and writes a
brotli (``.br``) and a gzip (``.gz``) copy beside each text asset. An asset is therefore served
with ``Cache-Control: public, max-age=31536000, immutable`` (a new build has new names) and, when
the browser accepts it, as its pre-compressed copy with ``Content-Encoding`` (brotli first);
``index.html``, which names the current assets, is revalidated on every load (``no-cache``).
"""

from __future__ import annotations

import mimetypes
import os
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import NotModifiedResponse
from starlette.types import Scope

from careverse.kernel.fhir import FHIR_JSON, operation_outcome

STATIC_DIR = Path(str(files("careverse.web") / "static"))

NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Careverse</title>
<body><main><h1>Careverse is running</h1><p>The browser client is not built yet.
Run <code>make client</code> (or <code>make run</code>) and reload.</p></main></body></html>"""

IMMUTABLE = "public, max-age=31536000, immutable"
# Pre-compressed copies the build writes, in the order they are preferred.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))

router = APIRouter(include_in_schema=False)


def accepted_encodings(accept_encoding: str) -> set[str]:
    """The content codings an ``Accept-Encoding`` header allows (``q=0`` refuses one)."""
    accepted = set()
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        quality = params.strip().removeprefix("q=").strip() if params else "1"
        try:
            refused = float(quality) <= 0
        except ValueError:
            refused = False
        if coding and not refused:
            accepted.add(coding.strip().lower())
    return accepted


class HashedAssets(StaticFiles):
    """The client's hashed assets: cached for a year, pre-compressed copies when accepted."""

    def file_response(
        self, full_path, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        request_headers = Headers(scope=scope)
        accepted = accepted_encodings(request_headers.get("accept-encoding", ""))
        media_type = mimetypes.guess_type(str(full_path))[0] or "application/octet-stream"
        response: Response | None = None
        for coding, suffix in ENCODINGS:
            if coding not in accepted and "*" not in accepted:
                continue
            variant = f"{full_path}{suffix}"
            try:
                variant_stat = os.stat(variant)
            except OSError:
                continue
            response = FileResponse(
                variant, status_code=status_code, stat_result=variant_stat, media_type=media_type,
                headers={"Content-Encoding": coding},
            )  # fmt: skip
            break
        if response is None:
            response = FileResponse(
                full_path, status_code=status_code, stat_result=stat_result, media_type=media_type
            )
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers["Vary"] = "Accept-Encoding"
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response


@router.get("/{client_path:path}")
async def client_page(client_path: str):
    """Client-side routes answer index.html; unknown API or file paths answer 404."""
    first = client_path.split("/", 1)[0]
    if first == "fhir":
        return JSONResponse(
            operation_outcome("not-supported", "This FHIR interaction is not supported here."),
            status_code=404,
            media_type=FHIR_JSON,
        )
    if first in {"api", "ws", "assets"} or "." in client_path.rsplit("/", 1)[-1]:
        return JSONResponse({"detail": "Not Found", "code": "not_found"}, status_code=404)
    index = STATIC_DIR / "index.html"
    if not index.exists():
        return HTMLResponse(NOT_BUILT)
    return FileResponse(index, headers={"Cache-Control": "no-cache"})


def _serve_file(path: Path):
    async def serve() -> FileResponse:
        return FileResponse(path)

    return serve


def mount_client(app: FastAPI) -> None:
    """Mount the hashed assets (cached long, compressed) and the catch-all page route (last)."""
    static_dir = STATIC_DIR
    assets = static_dir / "assets"
    if assets.is_dir():
        app.mount("/assets", HashedAssets(directory=assets), name="assets")
    for name in ("favicon.svg", "manifest.webmanifest", "robots.txt", "sw.js"):
        if (static_dir / name).exists():
            app.add_api_route(f"/{name}", _serve_file(static_dir / name), include_in_schema=False)
    app.include_router(router)
