"""The runtime: parts found by their class, hooks in order, jobs from start to stop."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from careverse.kernel.config import Settings
from careverse.kernel.runtime import NotStarted, Runtime


class Gadget:
    """A node-wide object a capability would provide."""


async def test_hooks_run_in_order_and_jobs_live_from_start_to_stop(tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=tmp_path, log_json=False))
    trail: list[str] = []
    job_cancelled = asyncio.Event()

    async def first() -> None:
        trail.append(f"start 1 (db open: {runtime.started})")

    async def second() -> None:
        trail.append("start 2")
        runtime.provide(Gadget())

    async def stopping() -> None:
        trail.append("stop")

    async def job() -> None:
        trail.append("job")
        try:
            await asyncio.Event().wait()
        finally:
            job_cancelled.set()

    runtime.on_start(first)
    runtime.on_start(second)
    runtime.on_stop(stopping)
    runtime.add_job("test.job", job)
    with pytest.raises(NotStarted):
        _ = runtime.db
    with pytest.raises(NotStarted):
        runtime.get(Gadget)

    await runtime.start()
    await asyncio.sleep(0)
    assert isinstance(runtime.get(Gadget), Gadget)
    await runtime.db.ping()
    await runtime.stop()

    assert trail == ["start 1 (db open: True)", "start 2", "job", "stop"]
    assert job_cancelled.is_set()
    assert not runtime.started
