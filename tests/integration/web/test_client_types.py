"""The browser client's generated API types match the server's current OpenAPI schema.

client/src/api/schema.generated.ts is generated from the schema (`python -m
careverse.openapi`, then openapi-typescript; see docs/client.md). A change to an endpoint or
a Pydantic model without regenerating leaves the client typed against an API that no longer
exists: this test regenerates the file from the current code and compares.

The client build regenerates the file in place, so after `make test` built the client the working
copy is fresh whatever was committed; in CI the committed version is therefore compared as well.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import careverse

REPO = Path(__file__).resolve().parents[3]
CLIENT = REPO / "client"
GENERATED = Path("client/src/api/schema.generated.ts")
OPENAPI_TYPESCRIPT = CLIENT / "node_modules" / ".bin" / "openapi-typescript"
STRICT = os.environ.get("CI") == "true" or os.environ.get("CAREVERSE_REQUIRE_SERVICES") == "1"
REGENERATE = "run `make client` (or `cd client && npm run gen`) and commit the result"


def _missing(reason: str) -> None:
    if STRICT:
        pytest.fail(f"{reason} (CI=true or CAREVERSE_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def _diff(expected: str, actual: str, label: str) -> str:
    lines = difflib.unified_diff(
        actual.splitlines(), expected.splitlines(), label, "generated now", lineterm="", n=2
    )
    return "\n".join(list(lines)[:60])


@pytest.fixture(scope="module")
def fresh_types(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The types that the client build would generate from the code under test."""
    if not OPENAPI_TYPESCRIPT.exists():
        _missing("client/node_modules is missing: run `make client` or `cd client && npm ci`")
    if shutil.which("node") is None:
        _missing("node is not installed")
    work = tmp_path_factory.mktemp("client-types")
    schema, types = work / "openapi.json", work / "schema.generated.ts"
    # The schema comes from the same source tree as the careverse package this test imports.
    source = str(Path(careverse.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")])),
    }
    subprocess.run(
        [sys.executable, "-m", "careverse.openapi", str(schema)],
        check=True,
        env=env,
        timeout=120,
    )
    subprocess.run(
        [str(OPENAPI_TYPESCRIPT), str(schema), "--output", str(types)],
        check=True,
        cwd=CLIENT,
        capture_output=True,
        timeout=120,
    )
    return types.read_text(encoding="utf-8")


def test_generated_types_match_the_server(fresh_types: str) -> None:
    current = (REPO / GENERATED).read_text(encoding="utf-8")
    if current != fresh_types:
        pytest.fail(
            f"{GENERATED} is stale: the server's API changed since it was generated; "
            f"{REGENERATE}.\n" + _diff(fresh_types, current, str(GENERATED)),
            pytrace=False,
        )


def test_committed_types_match_the_server(fresh_types: str) -> None:
    if not STRICT:
        pytest.skip("compared with the working copy above; the committed file is checked in CI")
    if shutil.which("git") is None:
        pytest.fail("git is needed to read the committed file in CI")
    shown = subprocess.run(
        ["git", "show", f"HEAD:{GENERATED.as_posix()}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert shown.returncode == 0, f"{GENERATED} is not committed: {REGENERATE}"
    if shown.stdout != fresh_types:
        pytest.fail(
            f"the committed {GENERATED} is stale (the build regenerated it); {REGENERATE}.\n"
            + _diff(fresh_types, shown.stdout, f"HEAD:{GENERATED}"),
            pytrace=False,
        )


def test_every_schema_model_has_a_name_of_its_own(fresh_types: str) -> None:
    """Two Pydantic models of one name (a messaging and a community ``ThreadOut``) get names made
    of their module paths in the schema, and the client's `Schema<'ThreadOut'>` stops compiling:
    each model of the API must be named for what it is, once."""
    clashes = sorted(set(re.findall(r"\b(careverse__\w+?__)(\w+): \{", fresh_types)))
    assert clashes == [], f"models named twice (rename one of each): {clashes}"
