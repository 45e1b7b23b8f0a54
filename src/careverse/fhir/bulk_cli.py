"""``careverse fhir export``: a system-level Bulk Data export run in this process (no server,
no job row), written as one ``<Type>.ndjson`` file per resource type, with a progress bar."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import IO

import typer
from rich.console import Console
from rich.progress import Progress

from careverse.fhir.bulk import export_all, parse_request
from careverse.kernel import crypto
from careverse.kernel.db import Base, Database
from careverse.kernel.errors import DomainError
from careverse.kernel.fhir import PatientRoster
from careverse.kernel.runtime import Runtime


def export_command(
    runtime: Runtime, out: str, types: list[str] | None, since: str | None, console: Console
) -> None:
    """Export with the runtime's record sections (set up, not started); exit 2 on bad options,
    1 when the key ring is not the database's."""
    settings = runtime.settings
    try:
        wanted = parse_request(
            "system", "", "respond-async", None, ",".join(types) if types else None, since
        )
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from None
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    crypto.install_keyring(crypto.load_keyring(settings))
    files: dict[str, IO[str]] = {}

    def write(kind: str, lines: list[str]) -> None:
        if kind not in files:
            files[kind] = (folder / f"{kind}.ndjson").open("w", encoding="utf-8")
        files[kind].write("\n".join(lines) + "\n")

    async def main(progress: Progress) -> dict[str, int]:
        task = progress.add_task("Exporting records", total=None)
        db = Database(settings.effective_database_url, events=runtime.events)
        try:
            await db.migrate()
            await crypto.check_keyring(db.engine, crypto.keyring(), Base.metadata)
            return await export_all(
                db, runtime.patient_record, runtime.get(PatientRoster),
                set(wanted.types) if wanted.types else None, wanted.since, write,
                lambda done, total: progress.update(task, completed=done, total=total),
            )  # fmt: skip
        finally:
            await db.dispose()

    try:
        with Progress(console=Console(stderr=True), transient=True) as progress:
            counts = asyncio.run(main(progress))
    except crypto.KeyRingError as exc:
        typer.echo(f"Careverse refused to start: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        for handle in files.values():
            handle.close()
    for kind, count in sorted(counts.items()):
        console.print(f"{folder / f'{kind}.ndjson'}: {count} resource(s)", soft_wrap=True)
