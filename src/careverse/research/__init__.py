"""Research on consented, de-identified data: research consent per study, studies and cohorts,
de-identified exports behind a k-anonymity gate, randomised trials, in-silico trials and fairness
audits (docs/research.md)."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register the research APIs (studies, trials, in-silico trials, the fairness audit and the
    public transparency page), the research consents' part of the record and of erasures."""
    from careverse.kernel.events import Phase
    from careverse.privacy.events import AccountErasureDue
    from careverse.research import api, events, fairness_api, fhir, sim_api, trial_api

    runtime.include_router(api.router)
    runtime.include_router(trial_api.router)
    runtime.include_router(sim_api.router)
    runtime.include_router(fairness_api.router)
    runtime.include_router(fairness_api.public_router)
    runtime.patient_record.add("research-consents", fhir.record_section, types=["Consent"])
    runtime.events.subscribe(AccountErasureDue, events.erase_research_rows, phase=Phase.TRANSACTION)
