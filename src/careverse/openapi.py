"""The HTTP API's OpenAPI schema, from which the browser client's TypeScript types are generated.

``python -m careverse.openapi [OUT]`` writes the schema as stable JSON (keys sorted, two-space
indent, trailing newline) to OUT, or to standard output. The client build runs it and then
``openapi-typescript`` to produce ``client/src/api/schema.generated.ts`` (see docs/client.md).

Building the app installs its key ring and policy facts for the whole process, so run this as its
own process (the build and the staleness test both do), not inside a running server.
"""

from __future__ import annotations

import base64
import json
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from careverse.kernel.config import Settings


def _throwaway_keys() -> str:
    """A key ring spec of fresh random keys: nothing is written to disk, nothing is encrypted."""

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"schema:{b64(secrets.token_bytes(32))},index:{b64(secrets.token_bytes(32))}"


def build_schema() -> dict[str, Any]:
    """The OpenAPI schema of the app as the current code builds it.

    The app is built with throwaway settings (a temporary data directory, an SQLite URL in it,
    random keys, no Redis or MQTT) and its lifespan is never started, so no database, key file
    or connection is made. Nothing in the schema depends on settings.
    """
    from careverse.app import create_app  # the whole app: only when a schema is asked for

    with tempfile.TemporaryDirectory(prefix="careverse-openapi-") as data_dir:
        settings = Settings(
            data_dir=Path(data_dir),
            database_url=f"sqlite+aiosqlite:///{Path(data_dir) / 'schema.db'}",
            redis_url=None,
            mqtt_url=None,
            encryption_keys=_throwaway_keys(),
            encryption_key_file=None,
        )
        return create_app(settings).openapi()


def render(schema: dict[str, Any]) -> str:
    """Stable JSON text: the same schema always gives the same bytes, so diffs show real changes."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the schema to the path in ``argv`` (parents created), or to standard output."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in {"-h", "--help"}):
        print("usage: python -m careverse.openapi [OUT]", file=sys.stderr)
        return 2
    text = render(build_schema())
    if not args or args[0] == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
