"""The answer of a FHIR search (:mod:`careverse.kernel.fhir_search`): the searchset Bundle with
its ``self``/``next``/``previous`` links, ``_elements`` and ``_summary`` applied, ``_total``, the
OperationOutcome of ignored parameters, and the ``_include``\\ d resources."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.actor import Actor
from careverse.kernel.fhir import bundle, operation_outcome
from careverse.kernel.fhir_search_summary import summarised, tagged
from careverse.kernel.fhir_search_types import Query
from careverse.kernel.policy import authorize, decide


def subset(resource: dict, elements: tuple[str, ...]) -> dict:
    """Only ``elements`` (and id, meta, resourceType), tagged SUBSETTED."""
    out = {k: v for k, v in resource.items() if k in ("resourceType", "id") or k in elements}
    return tagged(resource, out)


def _shown(query: Query, resource: dict) -> dict:
    if query.elements:
        return subset(resource, query.elements)
    return summarised(resource, query.summary)


def searchset(
    query: Query,
    resources: list[dict],
    total: int | None,
    base: str,
    *,
    has_next: bool,
    has_previous: bool,
    included: Sequence[dict] = (),
) -> dict:
    """The searchset Bundle of a page with ``self``, ``next`` and ``previous`` links, the included
    resources (``search.mode=include``) and, when parameters were ignored, an OperationOutcome."""
    shown = [_shown(query, r) for r in resources]
    if query.summary_count:
        shown, included = [], ()
    out = bundle("searchset", shown, base, total or 0)
    if total is None or query.total == "none":  # not counted, or not wanted: FHIR allows it
        del out["total"]
    root = base.rstrip("/")
    for resource in included:
        out["entry"].append(
            {
                "fullUrl": f"{root}/fhir/{resource['resourceType']}/{resource['id']}",
                "resource": _shown(query, resource),
                "search": {"mode": "include"},
            }
        )
    if query.ignored:
        names = ", ".join(sorted(set(query.ignored)))
        outcome = operation_outcome(
            "not-supported", f"Parameters ignored: {names}", severity="warning"
        )
        outcome["id"] = str(uuid.uuid4())
        out["entry"].append({"resource": outcome, "search": {"mode": "outcome"}})
    url = f"{root}/fhir/{query.spec.type}?"
    here = list(query.pairs)
    if query.after is not None:
        here.append(("_cursor", query.after))
    if query.before is not None:
        here.append(("_before", query.before))
    links = [{"relation": "self", "url": url + urlencode(here)}]
    if resources and has_next and not query.summary_count:
        links.append(
            {
                "relation": "next",
                "url": url + urlencode([*query.pairs, ("_cursor", resources[-1]["id"])]),
            }
        )
    if resources and has_previous and not query.summary_count:
        links.append(
            {
                "relation": "previous",
                "url": url + urlencode([*query.pairs, ("_before", resources[0]["id"])]),
            }
        )
    out["link"] = links
    return out


async def included(
    session: AsyncSession, actor: Actor, query: Query, matches_: list[dict]
) -> list[dict]:
    """The resources ``_include``\\ d by the page's matches, each kind only if the policy lets the
    reader see its category (audited as the read of that category)."""
    out: dict[str, dict] = {}
    for include in query.include:
        wanted = {ref for r in matches_ for ref in include.refs(r)}
        if not wanted:
            continue
        grant, _ = await decide(session, actor, query.patient_id, include.category, False)
        if grant is None:
            continue
        await authorize(session, actor, query.patient_id, include.category, resource_type="Bundle")
        for resource in await include.load(session, actor, query.patient_id):
            ref = f"{resource['resourceType']}/{resource['id']}"
            if ref in wanted:
                out[ref] = resource
    for include in query.revinclude:
        grant, _ = await decide(session, actor, query.patient_id, include.category, False)
        if grant is None:
            continue
        await authorize(session, actor, query.patient_id, include.category, resource_type="Bundle")
        mine = {f"{r['resourceType']}/{r['id']}" for r in matches_}
        for resource in await include.load(session, actor, query.patient_id):
            if mine & set(include.refs(resource)):
                out[f"{resource['resourceType']}/{resource['id']}"] = resource
    return list(out.values())
