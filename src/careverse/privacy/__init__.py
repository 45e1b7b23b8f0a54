"""Privacy: consent, break-glass, the patient's access log, export and erasure."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register privacy's routes, the policy facts it owns (consent, break-glass) and erasures."""
    from careverse.kernel import policy
    from careverse.privacy import api, jobs, service

    policy.provide_facts(
        break_glass_active=service.break_glass_active,
        consent_denies=service.consent_denies,
    )
    runtime.include_router(api.router)
    runtime.add_job(
        "privacy.erase-due", lambda: jobs.erase_due_forever(runtime.db, runtime.settings)
    )
