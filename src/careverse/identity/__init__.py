"""Identity: accounts, roles, sign-in, tokens, MFA, caregiver delegations, care relationships."""

from __future__ import annotations

from careverse.kernel.runtime import Runtime


def setup(runtime: Runtime) -> None:
    """Register identity's routes and the policy facts it owns (delegations, care teams)."""
    from careverse.identity import api, relationships
    from careverse.kernel import policy

    policy.provide_facts(
        delegation=relationships.delegation_fact,
        has_care_relationship=relationships.has_care_relationship,
    )
    runtime.include_router(api.router)
