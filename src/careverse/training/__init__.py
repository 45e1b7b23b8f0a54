"""Medical training (issue 19): the virtual patient's physiology engine, scenarios as data,
their scoring and the headless runner, and the simulation lab's runs and debrief
(docs/training.md). The lab itself runs in the world (world/lab.py) on ``training.lab``."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register training's API, and keep each lab run when the world says it ended."""
    from careverse.kernel.events import Phase
    from careverse.training import api, authoring_api
    from careverse.training.events import LabRunEnded
    from careverse.training.service import store_run

    runtime.include_router(api.router)
    runtime.include_router(authoring_api.router)
    runtime.events.subscribe(LabRunEnded, store_run, phase=Phase.TRANSACTION)
