"""The design map's rules, enforced: a violation fails the suite (see docs/architecture.md).

- import contracts (`lint-imports`, configured in pyproject.toml): the kernel imports no
  capability, no package or module cycles, api above service above models, each capability's
  tables imported only by itself;
- every capability sets itself up through one ``setup(runtime)``;
- imports inside functions only in ``setup`` and in the composition roots (app, cli, openapi);
- transactions end only in the unit of work (no ``commit()``/``rollback()`` in capabilities);
- no source file over 600 lines.
"""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "careverse"
CAPABILITIES = (
    "identity", "privacy", "world", "care", "monitoring", "wellbeing", "messaging", "community",
    "training", "groups", "fhir", "web",
    "mentoring",
)  # fmt: skip
COMPOSITION_ROOTS = {"app.py", "cli.py", "openapi.py", "demo.py", "__main__.py"}
MAX_LINES = 600


def python_sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_import_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is not installed (pip install -e '.[dev]')"
    run = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


@pytest.mark.parametrize("name", CAPABILITIES)
def test_every_capability_sets_itself_up_once(name: str) -> None:
    package = importlib.import_module(f"careverse.{name}")
    assert callable(getattr(package, "setup", None)), f"careverse.{name} has no setup(runtime)"
    app_py = (SRC / "app.py").read_text()
    assert app_py.count(f" {name},") + app_py.count(f" {name})") >= 1


def test_imports_inside_functions_only_in_setup_and_composition_roots() -> None:
    offenders = []
    for path in python_sources():
        if path.name in COMPOSITION_ROOTS or "bench" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or fn.name == "setup":
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("careverse"):
                    offenders.append(f"{relative(path)}:{node.lineno} in {fn.name}()")
    assert not offenders, "imports hidden in functions (a cycle in disguise?):\n" + "\n".join(
        offenders
    )


def test_transactions_end_only_in_the_unit_of_work() -> None:
    allowed = {SRC / "kernel" / "uow.py"}
    offenders = []
    for path in python_sources():
        if path in allowed or path.name in COMPOSITION_ROOTS or "bench" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")
                and not node.args
            ):
                offenders.append(f"{relative(path)}:{node.lineno} .{node.func.attr}()")
    assert not offenders, "use `async with unit_of_work(session)` instead:\n" + "\n".join(offenders)


def test_no_source_file_passes_600_lines() -> None:
    sources = python_sources() + sorted((ROOT / "client" / "src").rglob("*.ts"))
    long = [
        f"{relative(p)} ({n} lines)"
        for p in sources
        if "generated" not in p.name
        and "i18n" not in p.parts
        and (n := len(p.read_text().splitlines())) > MAX_LINES
    ]
    assert not long, "split these by concern:\n" + "\n".join(long)


def test_every_subscribed_event_is_in_the_catalogue_of_the_docs(tmp_path: Path) -> None:
    from careverse.app import create_app
    from careverse.kernel.config import Settings
    from tests.conftest import TEST_KEYS

    app = create_app(Settings(data_dir=tmp_path, encryption_keys=TEST_KEYS, log_json=False))
    doc = (ROOT / "docs" / "architecture.md").read_text()
    missing = [name for name in app.state.runtime.events.catalogue() if f"| `{name}` (" not in doc]
    assert not missing, f"add these events to docs/architecture.md's catalogue: {missing}"
