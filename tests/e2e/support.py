"""Helpers of the browser tests: running the real server, test people, page problems."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.message
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from typer.testing import CliRunner, Result

from careverse import cli
from careverse.kernel.db import Database

REPO = Path(__file__).resolve().parents[2]
STATIC_INDEX = REPO / "src" / "careverse" / "web" / "static" / "index.html"
AXE_SCRIPT = REPO / "client" / "node_modules" / "axe-core" / "axe.min.js"
# `python -m careverse` with the tests' cheap password hashing (see the script).
CAREVERSE = [sys.executable, str(Path(__file__).with_name("careverse_cheap_hashing.py"))]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# A password that satisfies the server's policy (12+ characters, not common, no e-mail in it).
GOOD_PASSWORD = "quiet harbour lanterns 47"
# The runner swaps the process's standard streams and environment while a command runs.
_cli_lock = threading.Lock()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def run_server(
    data_dir: Path,
    database_url: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    command: str = "serve",
) -> Iterator[str]:
    """Run ``careverse serve`` (or ``command``: ``demo``) until the block ends; yield its base URL.

    Outer ``CAREVERSE_*`` settings are not inherited, so every run starts from the same
    defaults; pass ``database_url`` to use something other than SQLite in ``data_dir``, and
    ``extra_env`` for other settings (``{"CAREVERSE_MFA_REQUIRED": "true"}``).
    """
    if not STATIC_INDEX.exists():
        pytest.fail(
            f"The browser client is not built ({STATIC_INDEX.relative_to(REPO)} is missing). "
            "Run `make client` first.",
            pytrace=False,
        )
    if not database_url and not (data_dir / "careverse.db").exists():
        shutil.copy(_migrated_template(), data_dir / "careverse.db")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREVERSE_")}
    env["CAREVERSE_DATA_DIR"] = str(data_dir)
    if database_url:
        env["CAREVERSE_DATABASE_URL"] = database_url
    env.update(extra_env or {})
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *CAREVERSE,
                command,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(base_url, process, log_path)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


_template: list[Path] = []
_template_lock = threading.Lock()


def _migrated_template() -> Path:
    """An empty SQLite database migrated once for the process (the server's own migrations,
    in a thread: Playwright's loop holds the main one), copied into each server's data directory.
    The server still migrates on start (nothing left to do), but no longer pays every revision
    from scratch (half a minute of its 60 s start deadline on a busy machine)."""
    with _template_lock:
        if not _template:
            path = Path(tempfile.mkdtemp(prefix="careverse-e2e-template-")) / "careverse.db"

            async def migrate() -> None:
                db = Database(f"sqlite+aiosqlite:///{path}")
                try:
                    await db.migrate()
                finally:
                    await db.dispose()

            failure: list[BaseException] = []

            def run() -> None:
                try:
                    asyncio.run(migrate())
                except BaseException as exc:  # reported in the test's thread below
                    failure.append(exc)

            worker = threading.Thread(target=run)
            worker.start()
            worker.join()
            if failure:
                raise failure[0]
            _template.append(path)
        return _template[0]


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log_path.read_text(errors="replace")[-4000:]
            pytest.fail(f"careverse serve exited with {process.returncode}:\n{output}")
        try:
            answer = httpx.get(f"{base_url}/healthz", timeout=2)
            if answer.status_code == 200 and answer.json().get("status") == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    output = log_path.read_text(errors="replace")[-4000:]
    pytest.fail(f"careverse serve did not answer /healthz within 60 s:\n{output}")


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    data_dir: Path


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and CSP violations seen by a page."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.console_errors.clear()
        self.page_errors.clear()


# Records CSP violations in the page; init scripts run outside the page's CSP.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@dataclass
class Person:
    email: str
    password: str
    display_name: str
    role: str = "patient"


def new_person(display_name: str = "Ada Lovelace", role: str = "patient") -> Person:
    return Person(
        email=f"e2e-{uuid.uuid4().hex[:12]}@example.org",
        password=GOOD_PASSWORD,
        display_name=display_name,
        role=role,
    )


@contextmanager
def api_as(base_url: str, person: Person) -> Iterator[httpx.Client]:
    """An HTTP client signed in as ``person`` with a bearer token (as an app would be)."""
    answer = httpx.post(
        f"{base_url}/api/auth/token",
        data={"grant_type": "password", "username": person.email, "password": person.password},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        yield client


def register_via_api(base_url: str, person: Person) -> None:
    """Create an account without the browser, for tests about something else."""
    answer = httpx.post(
        f"{base_url}/api/auth/register",
        json={
            "email": person.email,
            "password": person.password,
            "display_name": person.display_name,
            "role": person.role,
        },
        timeout=10,
    )
    assert answer.status_code == 202, answer.text


def run_cli(server: LiveServer, *args: str, stdin: str = "") -> str:
    """Run ``careverse ARGS`` against the live server's data directory; answer its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREVERSE_")}
    env["CAREVERSE_DATA_DIR"] = str(server.data_dir)
    # Wide enough that Rich never folds a long link over two lines.
    env["COLUMNS"] = "400"
    done = subprocess.run(
        [*CAREVERSE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=server.data_dir,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def add_user_via_cli(server: LiveServer, person: Person) -> None:
    """Create an account of any role the way an operator does: ``careverse user add``.

    The command itself (its arguments, its checks, the database it opens from the server's data
    directory, its exit status), run in this process (typer's runner, in a thread of its own:
    Playwright's loop holds the main one) rather than a ``python -m careverse`` subprocess, whose
    imports cost several seconds a call on a busy machine and most tests make two or three.
    Hashing is the run's cheap one here too (tests/conftest.py). ``run_cli`` still runs the
    subprocess, for the commands whose output a test reads."""
    args = ["user", "add", person.email, "--role", person.role, "--name", person.display_name]
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("CAREVERSE_")}
    env["CAREVERSE_DATA_DIR"] = str(server.data_dir)
    answer: list[Result] = []
    runner = threading.Thread(
        target=lambda: answer.append(
            CliRunner().invoke(
                cli.app, [*args, "--password-stdin"], input=person.password + "\n", env=env
            )
        )
    )
    with _cli_lock:
        runner.start()
        runner.join(timeout=60)
    assert answer, "careverse user add did not finish within 60 s"
    done = answer[0]
    assert done.exit_code == 0, f"{done.output}{done.exception!r}"


def reset_token_via_cli(server: LiveServer, email: str) -> str:
    """A single-use reset link's token, made the way an operator does it."""
    output = run_cli(server, "user", "reset-password", email)
    found = re.search(r"/reset-password#token=(\S+)", output)
    assert found, output
    return found.group(1)


class Inbox:
    """An SMTP server's handler (aiosmtpd) that keeps every message it receives."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, recipient: str, timeout: float = 10) -> email.message.Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if message["To"] == recipient:
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no e-mail to {recipient} within {timeout} s")


# ---- in the browser ---------------------------------------------------------------------


def sign_in(page: Page, base_url: str, person: Person, *, lands_on: str = "/home") -> None:
    """Sign in through the sign-in page and wait for the page it leads to."""
    page.goto(f"{base_url}/signin")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}{lands_on}")
    if lands_on == "/home":
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.display_name}")


def assert_clean_load(page: Page, problems: PageProblems) -> None:
    """No uncaught errors, no console errors, and nothing blocked by the CSP."""
    assert problems.page_errors == []
    assert problems.console_errors == []
    assert page.evaluate("window.__cspViolations") == []


def run_axe(page: Page) -> list[dict]:
    """Serious and critical axe-core violations (WCAG 2.1 A/AA and best practices).

    axe is injected as an inline script, which the page's CSP rightly forbids: use a browser
    context made with ``bypass_csp=True``.
    """
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        """async () => {
          const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
          const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
          return r.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
          }));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def ok(answer: httpx.Response, status: int = 200) -> dict:
    """The answer's JSON, after checking its status (the body is shown when it is not)."""
    assert answer.status_code == status, answer.text
    return answer.json()


def care_team(server: LiveServer, clinician: Person, patient: Person) -> str:
    """Create the clinician (and an admin), register the patient, and make the clinician the
    patient's care team; the patient's id."""
    admin = new_person("Ada Admin", role="admin")
    add_user_via_cli(server, admin)
    add_user_via_cli(server, clinician)
    register_via_api(server.base_url, patient)
    with api_as(server.base_url, admin) as as_admin:
        with api_as(server.base_url, patient) as as_patient:
            patient_id = ok(as_patient.get("/api/me"))["patient_id"]
        with api_as(server.base_url, clinician) as as_clinician:
            clinician_id = ok(as_clinician.get("/api/me"))["id"]
        ok(
            as_admin.post(
                "/api/admin/care-relationships",
                json={"clinician_id": clinician_id, "patient_id": patient_id},
            ),
            201,
        )
    return patient_id
