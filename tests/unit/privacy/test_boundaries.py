"""privacy knows only the kernel and identity's public face (never identity's tables or fhir)."""

from __future__ import annotations

import ast
from pathlib import Path

import careverse.privacy

PACKAGE = Path(careverse.privacy.__file__).parent
IDENTITY_PUBLIC = {
    "careverse.identity",
    "careverse.identity.api",  # ERRORS: the documented error answers
    "careverse.identity.deps",  # CurrentActor
    "careverse.identity.directory",
    "careverse.identity.service",  # erase_account
}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_privacy_imports_only_the_kernel_and_identitys_public_face():
    for path in sorted(PACKAGE.glob("*.py")):
        for module in imported_modules(path):
            if not module.startswith("careverse.") or module.startswith(
                ("careverse.kernel", "careverse.privacy")
            ):
                continue
            assert module in IDENTITY_PUBLIC, f"{path.name} imports {module}"


def test_privacy_leaves_transactions_to_the_unit_of_work():
    for path in sorted(PACKAGE.glob("*.py")):
        text = path.read_text()
        assert ".commit()" not in text and ".rollback()" not in text, path.name
