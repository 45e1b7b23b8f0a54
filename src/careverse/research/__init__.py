"""Research on consented, de-identified data, in-silico trials and fairness audits
(docs/research.md)."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register the in-silico trial, fairness audit and transparency APIs."""
    from careverse.research import fairness_api, sim_api

    runtime.include_router(sim_api.router)
    runtime.include_router(fairness_api.router)
    runtime.include_router(fairness_api.public_router)
