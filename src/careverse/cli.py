"""The ``careverse`` command: serve, demo, users, database."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.bench.cli import bench_app
from careverse.kernel.config import Settings

app = typer.Typer(
    help="Careverse: a self-hostable healthcare metaverse.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold health data and secrets
)
user_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
audit_app = typer.Typer(help="Check the tamper-evident audit trail.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage the encryption key ring.", no_args_is_help=True)
privacy_app = typer.Typer(help="Privacy housekeeping.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(privacy_app, name="privacy")
console = Console()
T = TypeVar("T")

app.add_typer(bench_app, name="bench")

HostOpt = Annotated[str, typer.Option(help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on.")]


def _run_with_session(fn: Callable[[AsyncSession, Settings], Awaitable[T]]) -> T:
    """Migrate, then run ``fn`` in one database session (for commands that work offline)."""
    from careverse.app import CAPABILITIES
    from careverse.kernel import crypto
    from careverse.kernel.db import Base, Database
    from careverse.kernel.runtime import Runtime

    settings = Settings()
    crypto.install_keyring(crypto.load_keyring(settings))
    # The capabilities' event handlers (an erasure's, say) run for commands as for the server;
    # the runtime is not started: no jobs, no hub, no bus.
    runtime = Runtime(settings)
    for capability in CAPABILITIES:
        capability.setup(runtime)

    async def main() -> T:
        db = Database(settings.effective_database_url, events=runtime.events)
        try:
            await db.migrate()
            # The same key-ring check as a server start: never write with the wrong key ring.
            await crypto.check_keyring(db.engine, crypto.keyring(), Base.metadata)
            async with db.session() as session:
                return await fn(session, settings)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except crypto.KeyRingError as exc:
        _refuse(exc)


def _refuse(exc: Exception) -> NoReturn:
    """Report a refusal to start on stderr (the reason only, no traceback) and exit 1."""
    typer.echo(f"Careverse refused to start: {exc}", err=True)
    raise typer.Exit(1) from None


def _serve(host: str, port: int, banner: Callable[[str], None] | None = None) -> None:
    import uvicorn

    from careverse.app import create_app
    from careverse.kernel.crypto import KeyRingError
    from careverse.kernel.logging import configure_logging
    from careverse.kernel.runtime import check_start
    from careverse.kernel.server import server_config

    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    application = create_app(settings)  # installs the key ring (a new one for a first start)

    async def freeze_what_start_loaded() -> None:
        # The models, lexicons and routes loaded at start live as long as the process: out of
        # the collector's reach, its full collections stop walking them on every request's watch.
        gc.freeze()

    application.state.runtime.on_start(freeze_what_start_loaded)
    try:
        # Checked here too, so a wrong key ring ends the command with the reason, not with
        # uvicorn's traceback of a failed lifespan.
        asyncio.run(check_start(settings))
    except KeyRingError as exc:
        _refuse(exc)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    if banner:
        banner(url)
    console.print(f"[bold green]Careverse[/] is starting at [link={url}]{url}[/link]")
    server = uvicorn.Server(server_config(application, settings, host, port))
    server.run()
    if not server.started:
        raise typer.Exit(3)  # as uvicorn.run: the server failed to start


@app.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Serve Careverse (applies pending database migrations first)."""
    _serve(host, port)


@app.command()
def demo(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Serve Careverse with demo data: one account of each role, and print their logins."""
    from careverse import demo as demo_data

    people = _run_with_session(demo_data.seed)

    def banner(url: str) -> None:
        table = Table(title=f"Demo logins (password for all: {demo_data.DEMO_PASSWORD})")
        table.add_column("role")
        table.add_column("name")
        table.add_column("e-mail")
        for p in people:
            table.add_row(p.role.value, p.name, p.email)
        console.print(table)
        console.print(f"Open [bold]{url}[/] in a browser and sign in with one of them.")

    _serve(host, port, banner)


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="E-mail address (the login).")],
    role: Annotated[
        str, typer.Option(help="patient, caregiver, clinician, moderator, researcher or admin.")
    ],
    name: Annotated[str | None, typer.Option(help="Display name (defaults to the e-mail).")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account. Without --password-stdin, print a single-use link to set a password."""
    from pydantic import EmailStr, TypeAdapter, ValidationError

    from careverse.identity.service import IdentityService, NewAccount
    from careverse.kernel.errors import DomainError
    from careverse.kernel.policy import Role

    try:
        role_value = Role(role)
        TypeAdapter(EmailStr).validate_python(email)
    except (ValueError, ValidationError):
        console.print(f"[red]Not a valid role or e-mail address.[/] Roles: {', '.join(Role)}")
        raise typer.Exit(2) from None
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None

    async def add(session: AsyncSession, settings: Settings) -> tuple[str, str | None]:
        service = IdentityService(session, settings)
        account = await service.create_account(
            None,
            NewAccount(email=email, role=role_value, display_name=name or email, password=password),
        )
        link = None if password else await service.admin_password_reset(None, account.id)
        return str(account.id), link

    try:
        account_id, link = _run_with_session(add)
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None
    console.print(f"Created {role_value.value} account {account_id}.")
    if link:
        console.print(f"Single-use link to set the password: {link}")


@user_app.command("reset-password")
def user_reset_password(
    email: Annotated[str, typer.Argument(help="The account's e-mail.")],
) -> None:
    """Print a single-use password-reset link for an account and end its sessions."""
    from careverse.identity.service import IdentityService

    async def reset(session: AsyncSession, settings: Settings) -> str | None:
        service = IdentityService(session, settings)
        account = await service.find_by_email(email)
        return None if account is None else await service.admin_password_reset(None, account.id)

    link = _run_with_session(reset)
    if link is None:
        console.print("[red]No account has that e-mail address.[/]")
        raise typer.Exit(1)
    console.print(f"Single-use link to set a new password: {link}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to the configured database."""

    async def nothing(_session: AsyncSession, _settings: Settings) -> None:
        return None

    _run_with_session(nothing)
    console.print("The database schema is up to date.")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain: exit 0 when intact, 1 naming the first bad row otherwise."""
    from careverse.kernel.audit import verify

    async def check(session: AsyncSession, _settings: Settings):
        return await verify(session)

    result = _run_with_session(check)
    if result.ok:
        console.print(f"The audit chain is intact: {result.rows} events.")
        return
    console.print(
        f"[red]The audit chain is broken at row {result.first_bad_seq}[/]: {result.reason} "
        f"({result.rows} rows verified before it)."
    )
    raise typer.Exit(1)


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Add a new primary key to the key file and re-encrypt every encrypted field with it."""
    import careverse.models  # noqa: F401 - every table with encrypted columns
    from careverse.kernel import crypto
    from careverse.kernel.db import Base, Database

    settings = Settings()
    if settings.encryption_keys:
        console.print(
            "[red]Keys come from CAREVERSE_ENCRYPTION_KEYS[/]: add a new key at the front of "
            "that list on every node, restart, then run this command with a key file, or use "
            "CAREVERSE_ENCRYPTION_KEY_FILE."
        )
        raise typer.Exit(2)
    ring = crypto.load_keyring(settings).with_new_primary()
    crypto.write_key_file(crypto.key_file_path(settings), ring)
    crypto.install_keyring(ring)

    async def main() -> int:
        db = Database(settings.effective_database_url)
        try:
            await db.migrate()
            return await crypto.reencrypt_all(db.engine, ring, Base.metadata)
        finally:
            await db.dispose()

    changed = asyncio.run(main())
    console.print(
        f"New primary key {ring.primary}; re-encrypted {changed} values. Restart every node so "
        "they load the new key ring (old keys stay in it, so nothing becomes unreadable)."
    )


@privacy_app.command("erase-due")
def privacy_erase_due() -> None:
    """Carry out the account erasures whose grace period has ended (serve also does this)."""
    from careverse.privacy.service import PrivacyService

    async def erase(session: AsyncSession, settings: Settings) -> int:
        return await PrivacyService(session, settings).erase_due()

    console.print(f"Erased {_run_with_session(erase)} account(s).")


devices_app = typer.Typer(help="Monitoring devices and the MQTT broker.", no_args_is_help=True)
app.add_typer(devices_app, name="devices")


@devices_app.command("broker-passwd")
def devices_broker_passwd(
    output: Annotated[
        str | None, typer.Option(help="The broker's password_file to update (default: stdout).")
    ] = None,
    acl: Annotated[str | None, typer.Option(help="Also write the broker's acl_file here.")] = None,
    reload_pid_file: Annotated[
        str | None,
        typer.Option(help="Send SIGHUP to the broker whose pid is in this file when it changed."),
    ] = None,
) -> None:
    """Write the MQTT broker's password file: every active paired device (username = device id,
    password = its credential) and the bridge's account from CAREVERSE_MQTT_URL. Run it after a
    device pairs or is revoked (from a timer, say); other accounts in the file are kept."""
    _update_broker(output, acl, reload_pid_file)


def _update_broker(output: str | None, acl: str | None, reload_pid_file: str | None) -> None:
    from pathlib import Path

    from careverse.monitoring import broker
    from careverse.monitoring.mqtt import broker_params
    from careverse.monitoring.service import broker_accounts

    settings = Settings()
    params = broker_params(settings.mqtt_url) if settings.mqtt_url else {}
    bridge = (params["username"], params.get("password", "")) if "username" in params else None
    if acl and bridge is None:
        raise typer.BadParameter("CAREVERSE_MQTT_URL names no bridge account (mqtt://user:pass@…)")
    devices = _run_with_session(lambda session, _settings: broker_accounts(session))
    if output is None:
        sys.stdout.write(broker.password_file(broker.merged_accounts("", devices, bridge)))
        changed = False
    else:
        changed = broker.write_password_file(Path(output), devices, bridge)
    if acl and bridge is not None:
        changed = broker.write_acl_file(Path(acl), bridge[0]) or changed
    if reload_pid_file and changed:
        broker.reload_broker(Path(reload_pid_file))
    typer.echo(f"{len(devices)} device(s) in the broker's password file.", err=True)


simulate_app = typer.Typer(help="Simulated devices for demos and tests.", no_args_is_help=True)
app.add_typer(simulate_app, name="simulate")


@simulate_app.command("wearables")
def simulate_wearables(
    patients: Annotated[int, typer.Option(min=1, max=1000, help="Patients, one device each.")] = 3,
    scenario: Annotated[
        str, typer.Option(help="stable, deteriorating, sepsis or heart-failure.")
    ] = "stable",
    url: Annotated[str, typer.Option(help="The running server.")] = "http://127.0.0.1:8000",
    mqtt: Annotated[
        bool, typer.Option("--mqtt", help="Publish over MQTT (CAREVERSE_MQTT_URL).")
    ] = False,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between batches.")] = 5.0,
    duration: Annotated[float, typer.Option(min=0, help="Seconds to run; 0: until Ctrl-C.")] = 0,
    minutes: Annotated[
        float,
        typer.Option(
            min=0.1, help="Minutes the scenario takes to reach its worst (default: 30 seconds)."
        ),
    ] = 0.5,
    broker_passwd: Annotated[
        str | None,
        typer.Option(help="With --mqtt: the broker's password_file, updated with the devices."),
    ] = None,
    reload_pid_file: Annotated[
        str | None,
        typer.Option(help="With --broker-passwd: the broker's pid file (SIGHUP)."),
    ] = None,
) -> None:
    """Stream plausible vitals for the first N patients of the database (devices made for them)
    into a running server, so the monitoring screens move."""
    from careverse.monitoring.simulate import SCENARIOS, provision, stream

    if scenario not in SCENARIOS:
        raise typer.BadParameter(f"scenario must be one of {', '.join(SCENARIOS)}")
    settings = Settings()
    mqtt_url = (settings.mqtt_url or "mqtt://127.0.0.1:1883") if mqtt else None
    devices = asyncio.run(provision(settings, patients))
    if mqtt and broker_passwd:
        _update_broker(broker_passwd, None, reload_pid_file)
        time.sleep(0.5)  # the broker reloads its files
    elif mqtt:
        console.print(
            "[yellow]Over MQTT each device signs in to the broker (username = device id, "
            "password = credential): without --broker-passwd FILE [--reload-pid-file PID] the "
            "broker does not know these new devices.[/]"
        )
    console.print(f"Simulating {len(devices)} wearable(s), scenario [bold]{scenario}[/].")
    with contextlib.suppress(KeyboardInterrupt):
        result = asyncio.run(
            stream(url, devices, scenario, interval, duration, minutes, mqtt_url, console.print)
        )
        console.print_json(data=result)


care_app = typer.Typer(help="Virtual consultations.", no_args_is_help=True)
app.add_typer(care_app, name="care")


@care_app.command("models")
def care_models(
    out: Annotated[
        str | None, typer.Option(help="Folder to write into (default: the client's sources).")
    ] = None,
) -> None:
    """Generate the consult room's anatomical models (heart, spine, knee) as glTF binaries;
    rebuild the client afterwards (cd client && npm run build)."""
    from pathlib import Path

    from careverse.care.anatomy_models import DEFAULT_OUT, write_all

    for path in write_all(Path(out) if out else DEFAULT_OUT):
        console.print(f"{path} ({path.stat().st_size} bytes)")


fhir_app = typer.Typer(help="The FHIR API: bulk export.", no_args_is_help=True)
app.add_typer(fhir_app, name="fhir")


@fhir_app.command("export")
def fhir_export(
    out: Annotated[str, typer.Option("--out", help="Folder to write <Type>.ndjson files into.")],
    type_: Annotated[
        list[str] | None,
        typer.Option("--type", help="Resource types to export (repeat or comma-separate)."),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only resources changed since (2026-11-01T00:00:00Z).")
    ] = None,
) -> None:
    """Export every patient's record as FHIR NDJSON, one file per type (as GET /fhir/$export,
    in this process, with a progress bar; audited as an export by the console)."""
    from careverse.app import CAPABILITIES
    from careverse.fhir.bulk_cli import export_command
    from careverse.kernel.runtime import Runtime

    runtime = Runtime(Settings())
    for capability in CAPABILITIES:
        capability.setup(runtime)
    export_command(runtime, out, type_, since, console)


training_app = typer.Typer(
    help="Medical training: virtual-patient scenarios.", no_args_is_help=True
)
app.add_typer(training_app, name="training")


@training_app.command("list")
def training_list() -> None:
    """List the scenarios shipped with Careverse."""
    from careverse.training.scenarios import load, scenario_ids

    for scenario_id in scenario_ids():
        console.print(f"[bold]{scenario_id}[/]: {load(scenario_id).title}")


@training_app.command("run")
def training_run(
    scenario: Annotated[str, typer.Argument(help="A shipped scenario's id or a scenario .json.")],
    actions: Annotated[
        str | None,
        typer.Option(help='A JSON list of {"at": seconds, "action": name, "params": {...}}.'),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="The physiological noise's seed.")] = 0,
    timeline: Annotated[
        bool, typer.Option("--timeline", help="Also print the vitals every 10 s.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Run a scenario headless with the given actions (none: untreated) and print the final
    vitals, the event log and the score."""
    import json
    from pathlib import Path

    from careverse.training.scenarios import load
    from careverse.training.scenarios.runner import parse_actions, run_scenario

    try:
        loaded = load(scenario)
    except (ValueError, OSError) as exc:
        raise typer.BadParameter(str(exc), param_hint="SCENARIO") from None
    try:
        raw = json.loads(Path(actions).read_text()) if actions else []
        taken = parse_actions(raw)
    except (ValueError, OSError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--actions") from None
    result = run_scenario(loaded, taken, seed=seed).as_dict(timeline=timeline)
    if json_out:
        print(json.dumps(result))
    else:
        console.print_json(data=result)


research_app = typer.Typer(help="Research: in-silico trials.", no_args_is_help=True)
app.add_typer(research_app, name="research")


@research_app.command("simulate-trial")
def research_simulate_trial(
    file: Annotated[str, typer.Argument(help="A trial file (JSON or YAML) or an example's id.")],
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 2,
    cohort_size: Annotated[
        int | None, typer.Option(min=2, max=100_000, help="Override the file's cohort size.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Run an in-silico trial: arms, outcomes, estimates with 95 % intervals, timings."""
    import json

    from pydantic import ValidationError

    from careverse.research.insilico import TrialSpec, load_trial, run_trial

    try:
        spec = load_trial(file)
        if cohort_size is not None:
            data = spec.model_dump()
            data["cohort"]["size"] = cohort_size
            spec = TrialSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise typer.BadParameter(f"{where}: {first['msg']}", param_hint="FILE") from None
    except (ValueError, OSError) as exc:
        raise typer.BadParameter(str(exc), param_hint="FILE") from None
    if json_out:
        print(json.dumps(run_trial(spec, workers=workers)))
        return
    from rich.progress import Progress

    with Progress(console=console) as bar:
        task = bar.add_task("virtual patients", total=spec.cohort.size)
        result = run_trial(
            spec, workers=workers, progress=lambda done, total: bar.update(task, completed=done)
        )
    console.print_json(data=result)
