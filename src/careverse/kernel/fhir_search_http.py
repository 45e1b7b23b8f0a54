"""The HTTP side of the search toolkit (:mod:`careverse.kernel.fhir_search`): the parameters of
a ``GET`` or a ``POST _search`` form, ``Prefer: handling``, the OpenAPI description the
CapabilityStatement reads (``x-fhir-type``) and the two routes of a type's search."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute

from careverse.kernel.fhir import OUTCOMES, FhirResponse
from careverse.kernel.fhir_search import (
    DEFAULT_COUNT,
    MAX_COUNT,
    PAGING,
    REFERENCE,
    BadSearch,
    Spec,
)

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


def openapi(spec: Spec) -> list[dict]:
    """The OpenAPI parameters of a search (``x-fhir-type``: read by the CapabilityStatement)."""
    out: list[dict] = [
        {"name": "patient", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "The patient: `<id>` or `Patient/<id>`", "x-fhir-type": REFERENCE},
        {"name": "subject", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "The patient as `Patient/<id>`", "x-fhir-type": REFERENCE},
    ]  # fmt: skip
    for p in spec.params:
        schema: dict = {"type": "array", "items": {"type": "string"}}
        out.append(
            {"name": p.name, "in": "query", "required": False, "schema": schema,
             "description": p.doc, "x-fhir-type": p.type}
        )  # fmt: skip
    sorts = [s for name in spec.sorts for s in (name, f"-{name}")]
    out += [
        {"name": "_count", "in": "query", "required": False, "schema": {"type": "integer"},
         "description": f"Page size (default {DEFAULT_COUNT}, at most {MAX_COUNT})"},
        {"name": "_sort", "in": "query", "required": False,
         "schema": {"type": "string", "enum": sorts},
         "description": f"Order (default {spec.default_sort})"},
        {"name": "_summary", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["count"]}, "description": "count: the total only"},
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
