"""In-silico trials over HTTP: small runs, off the event loop, polled for progress.

A run is kept in this process's memory (not stored: a virtual cohort holds no one's data and
is reproduced from its file and seed). The HTTP path caps the work so that a run answers within
about a minute on a small server: at most ``HTTP_MAX_COHORT`` patients and
``HTTP_MAX_PATIENT_HOURS`` simulated patient-hours, ``HTTP_MAX_RUNNING`` runs at once and one per
person. Larger trials are for the command line (``careverse research simulate-trial``).
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from careverse.kernel.actor import Actor, Role, require_role
from careverse.kernel.errors import InvalidInput, NotFound, TooManyRequests
from careverse.research.insilico import TrialSpec, run_trial

HTTP_MAX_COHORT = 200
HTTP_MAX_PATIENT_HOURS = 400.0
HTTP_MAX_RUNNING = 2
KEEP_FINISHED = 50
SIMULATION_ROLES = (Role.CLINICIAN, Role.RESEARCHER, Role.ADMIN)


@dataclass
class TrialRun:
    """One run: whose, how far, and its result or error once finished."""

    id: uuid.UUID
    owner: uuid.UUID
    total: int
    done: int = 0
    status: str = "running"  # running | finished | failed
    result: dict[str, Any] | None = None
    error: str | None = None
    task: asyncio.Task | None = field(default=None, repr=False)


class TrialRuns:
    """The runs of this process (one instance per application)."""

    def __init__(self) -> None:
        self._runs: dict[uuid.UUID, TrialRun] = {}
        self._lock = threading.Lock()

    def start(self, actor: Actor, spec: TrialSpec) -> TrialRun:
        """Check the caller and the caps, then run the trial in the background."""
        require_role(actor, *SIMULATION_ROLES)
        if spec.cohort.size > HTTP_MAX_COHORT:
            raise InvalidInput(
                f"At most {HTTP_MAX_COHORT} virtual patients here; use the command line for more.",
                field="trial.cohort.size",
            )
        hours = spec.cohort.size * spec.duration_s / 3600.0
        if hours > HTTP_MAX_PATIENT_HOURS:
            raise InvalidInput(
                f"At most {HTTP_MAX_PATIENT_HOURS:g} simulated patient-hours (cohort size x "
                "duration) here; shorten the trial or use the command line.",
                field="trial.duration_s",
            )
        with self._lock:
            running = [r for r in self._runs.values() if r.status == "running"]
            if any(r.owner == actor.account_id for r in running):
                raise TooManyRequests("You already have a simulation running.", retry_after=10)
            if len(running) >= HTTP_MAX_RUNNING:
                raise TooManyRequests("The simulator is busy; try again shortly.", retry_after=10)
            run = TrialRun(uuid.uuid4(), actor.account_id, spec.cohort.size)
            self._runs[run.id] = run
            self._forget_old()
        run.task = asyncio.get_running_loop().create_task(self._run(run, spec))
        return run

    def get(self, actor: Actor, run_id: uuid.UUID) -> TrialRun:
        """The caller's own run (anyone else's is 404)."""
        require_role(actor, *SIMULATION_ROLES)
        run = self._runs.get(run_id)
        if run is None or run.owner != actor.account_id:
            raise NotFound("No such simulation.")
        return run

    async def _run(self, run: TrialRun, spec: TrialSpec) -> None:
        def progress(done: int, total: int) -> None:
            run.done = done

        try:
            # Worker processes do the stepping; this thread only waits for them, so the event
            # loop stays free.
            run.result = await asyncio.to_thread(
                run_trial, spec, workers=2, progress=progress, chunk=5
            )
            run.status = "finished"
        except Exception:
            run.status, run.error = "failed", "The simulation failed."

    def _forget_old(self) -> None:
        finished = [r for r in self._runs.values() if r.status != "running"]
        for old in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._runs[old.id]


RUNS = TrialRuns()
