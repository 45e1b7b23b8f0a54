"""Serves the built browser client: hashed assets, and index.html for every client route."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from careverse.kernel.fhir import FHIR_JSON, operation_outcome

STATIC_DIR = Path(str(files("careverse.web") / "static"))

NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Careverse</title>
<body><main><h1>Careverse is running</h1><p>The browser client is not built yet.
Run <code>make client</code> (or <code>make run</code>) and reload.</p></main></body></html>"""

router = APIRouter(include_in_schema=False)


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
    """Mount the hashed assets (cached long) and the catch-all page route (last)."""
    assets = STATIC_DIR / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")
    for name in ("favicon.svg", "manifest.webmanifest", "robots.txt"):
        if (STATIC_DIR / name).exists():
            app.add_api_route(f"/{name}", _serve_file(STATIC_DIR / name), include_in_schema=False)
    app.include_router(router)
