"""Medical training (issue 19): the virtual patient's physiology engine, scenarios as data,
their scoring and the headless runner (docs/training.md). The simulation lab, the debrief and
the screens are not built yet."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register training with the app. The engine, the scenarios and the runner are pure and
    need no routes, events or jobs yet; the simulation lab will register its own here."""
    del runtime
