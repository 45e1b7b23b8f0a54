"""The HTTP side of the search toolkit (:mod:`careverse.kernel.fhir_search`): the parameters of
a ``GET`` or a ``POST _search`` form, ``Prefer: handling``, the OpenAPI description the
CapabilityStatement reads (``x-fhir-type``) and the two routes of a type's search."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from careverse.kernel.deps import SessionDep, SettingsDep
from careverse.kernel.fhir import OUTCOMES, FhirResponse
from careverse.kernel.fhir_search import (
    DEFAULT_COUNT,
    MAX_COUNT,
    PAGING,
    PATIENT_CHAINS,
    REFERENCE,
    TOTAL_MODES,
    BadSearch,
    Loader,
    Spec,
    parse,
    search,
)
from careverse.kernel.fhir_search_summary import SUMMARY_MODES

FORM = "application/x-www-form-urlencoded"


def is_lenient(request: Request) -> bool:
    """``Prefer: handling=lenient`` (strict is the default)."""
    prefer = request.headers.get("prefer", "")
    return any(
        p.strip().lower() == "handling=lenient" for p in prefer.split(";") + prefer.split(",")
    )


async def parameters(request: Request) -> list[tuple[str, str]]:
    """The search parameters: the query string, and for ``POST _search`` the form body too."""
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != FORM:
            raise BadSearch(f"POST _search takes an {FORM} body.")
        body = await request.body()
        if len(body) > 64_000:
            raise BadSearch("The search is too long.")
        try:
            pairs += parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            raise BadSearch("The body is not a form.") from None
    return pairs


def _patient_doc(spec: Spec) -> list[dict]:
    if not spec.patient_required:
        return []
    names = ", ".join(PATIENT_CHAINS)
    out = []
    for name in spec.patient_params:
        entry: dict = {
            "name": name, "in": "query", "required": False, "schema": {"type": "string"},
            "description": "The patient: `<id>` or `Patient/<id>`", "x-fhir-type": REFERENCE,
            "x-fhir-modifiers": ["Patient"],
        }  # fmt: skip
        if names:
            entry["x-fhir-chains"] = [f"{name}.{n}" for n in names.split(", ")]
            entry["description"] += f"; chained: `{name}.<{names}>`"
        out.append(entry)
    return out


def openapi(spec: Spec) -> list[dict]:
    """The OpenAPI parameters of a search (``x-fhir-type`` and ``x-fhir-modifiers``: read by the
    CapabilityStatement)."""
    out: list[dict] = _patient_doc(spec)
    for p in spec.params:
        schema: dict = {"type": "array", "items": {"type": "string"}}
        modifiers = list(p.allowed) if spec.in_memory else []
        if spec.in_memory and p.type == REFERENCE:
            modifiers.append("[type]")
        doc = p.doc + (" (modifiers: " + ", ".join(f":{m}" for m in modifiers) + ")"
                       if modifiers else "")  # fmt: skip
        out.append(
            {"name": p.name, "in": "query", "required": False, "schema": schema,
             "description": doc, "x-fhir-type": p.type, "x-fhir-modifiers": modifiers}
        )  # fmt: skip
    sorts = [s for name in spec.sort_names for s in (name, f"-{name}")]
    out += [
        {"name": "_count", "in": "query", "required": False, "schema": {"type": "integer"},
         "description": f"Page size (default {DEFAULT_COUNT}, at most {MAX_COUNT})"},
        {"name": "_sort", "in": "query", "required": False, "schema": {"type": "string"},
         "description": f"Order (default {spec.default_sort}): " + ", ".join(sorts)
         + "; commas: several keys"},
        {"name": "_summary", "in": "query", "required": False,
         "schema": {"type": "string", "enum": list(SUMMARY_MODES)},
         "description": "count: the total only; true, text, data, false"},
        {"name": "_total", "in": "query", "required": False,
         "schema": {"type": "string", "enum": list(TOTAL_MODES)},
         "description": "none: no total; estimate, accurate: the total"},
        {"name": "_totalMethod", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Accepted and ignored (fhirpy's count() sends it)"},
        {"name": "_elements", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Top-level elements to keep (comma-separated)"},
    ]  # fmt: skip
    for name, declared in (("_include", spec.includes), ("_revinclude", spec.revincludes)):
        if declared:
            out.append(
                {"name": name, "in": "query", "required": False,
                 "schema": {"type": "string", "enum": [i.name for i in declared]},
                 "description": "Resources to include"}
            )  # fmt: skip
    out += [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Opaque: from a page link"}
        for n in PAGING
    ]  # fmt: skip
    return out


RESPONSES = {400: {"description": "Unsupported or malformed search parameters"}, **OUTCOMES}


def register(router: APIRouter, spec: Spec, endpoint: Callable[..., Awaitable[Any]]) -> None:
    """Route ``GET /<Type>`` and ``POST /<Type>/_search`` (a form body) to ``endpoint``."""
    doc = openapi(spec)
    router.add_api_route(
        f"/{spec.type}", endpoint, methods=["GET"], response_class=FhirResponse,
        responses=RESPONSES, openapi_extra={"parameters": doc}, name=f"search_{spec.type}",
    )  # fmt: skip
    router.add_api_route(
        f"/{spec.type}/_search", endpoint, methods=["POST"], response_class=FhirResponse,
        responses=RESPONSES, name=f"search_{spec.type}_post",
        openapi_extra={"requestBody": {"content": {FORM: {"schema": {"type": "object"}}}}},
    )  # fmt: skip


def supersede(routes: APIRouter, paths: set[str]) -> None:
    """Drop the ``GET`` routes of ``paths`` from ``routes`` (searches this module answers)."""
    routes.routes = [
        r
        for r in routes.routes
        if not (isinstance(r, APIRoute) and r.path in paths and "GET" in (r.methods or ()))
    ]


Everyone = Callable[[Any, Any, Any], Awaitable[dict]]  # (session, settings, actor) -> Bundle


def endpoint(spec: Spec, load: Loader, actor: Any, everyone: Everyone | None = None):
    """The route of a per-patient in-memory search of ``spec`` (GET, or POST a form), reading
    with ``load``; ``actor`` is the dependency giving the caller (identity's ``CurrentActor``,
    which the kernel may not import). ``everyone``: the answer when no parameter is given (the
    first searches' "every patient the caller may see")."""

    async def run(
        request: Request, actor: Any, session: SessionDep, settings: SettingsDep
    ) -> JSONResponse:
        pairs = await parameters(request)
        if not pairs and everyone is not None:
            return FhirResponse(await everyone(session, settings, actor))
        query = parse(spec, pairs, is_lenient(request))
        return FhirResponse(await search(session, actor, query, load, settings.public_url))

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", kind, annotation=Request),
            inspect.Parameter("actor", kind, annotation=actor),
            inspect.Parameter("session", kind, annotation=SessionDep),
            inspect.Parameter("settings", kind, annotation=SettingsDep),
        ],
        return_annotation=JSONResponse,
    )
    run.__doc__ = f"Search one patient's {spec.type} resources (GET, or POST a form)." + (
        " With no parameters, those of every patient the caller may see." if everyone else ""
    )
    run.__name__ = f"search_{spec.type}"
    return run
