"""Research on consented, de-identified data: research consent per study, studies and cohorts,
de-identified exports behind a k-anonymity gate, randomised trials (docs/research.md)."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register the research APIs, the research consents' part of the record and of erasures."""
    from careverse.kernel.events import Phase
    from careverse.privacy.events import AccountErasureDue
    from careverse.research import api, events, fhir, trial_api

    runtime.include_router(api.router)
    runtime.include_router(trial_api.router)
    runtime.patient_record.add("research-consents", fhir.record_section, types=["Consent"])
    runtime.events.subscribe(AccountErasureDue, events.erase_research_rows, phase=Phase.TRANSACTION)
