"""The types of the FHIR search toolkit (:mod:`careverse.kernel.fhir_search`): a parameter,
an ``_include``, what a type can be searched by (:class:`Spec`) and a parsed search
(:class:`Query`)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.actor import Actor
from careverse.kernel.fhir_search_values import MODIFIERS
from careverse.kernel.policy import Category

DEFAULT_COUNT = 50
MAX_COUNT = 1000
MAX_SORT_KEYS = 5
PATIENT_PARAMETERS = ("patient", "subject")
RESULT_PARAMETERS = (
    "_count", "_sort", "_summary", "_elements", "_total", "_totalMethod", "_include",
    "_revinclude", "_cursor", "_before",
)  # fmt: skip
ONCE = ("_count", "_sort", "_summary", "_elements", "_total", "_totalMethod", "_cursor", "_before")
PAGING = ("_cursor", "_before")
# What ``patient.<p>`` chains take (identity's Patient search supports each of them).
PATIENT_CHAINS = ("identifier", "name", "family", "given", "birthdate", "gender")
TOTAL_MODES = ("none", "estimate", "accurate")
Value = Any


@dataclass(frozen=True, slots=True)
class Param:
    """A search parameter: its name, FHIR type and (for in-memory search) where its values are:
    tokens as ``(system, code)``, dates as ISO instants, references as ``Type/<id>``, strings.
    ``modifiers``: those it takes (``None``: those of its type, :data:`MODIFIERS`)."""

    name: str
    type: str
    doc: str
    values: Callable[[dict], Iterable[Any]] | None = None
    modifiers: tuple[str, ...] | None = None

    @property
    def allowed(self) -> tuple[str, ...]:
        return MODIFIERS.get(self.type, ()) if self.modifiers is None else self.modifiers


@dataclass(frozen=True, slots=True)
class Include:
    """``_include=<Type>:<name>``: the ``target`` resources the matches reference, shown to a
    reader the policy lets see ``category``."""

    name: str  # "Observation:device"
    target: str
    category: Category
    refs: Callable[[dict], Iterable[str]]  # "Type/<id>" the match references
    load: Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[list[dict]]]


@dataclass(frozen=True, slots=True)
class Spec:
    """What one type can be searched by. ``patient_params``: the names of the patient a
    per-patient search is about (``patient_required``); ``in_memory``: matched by the toolkit
    (modifiers, ``_sort`` by ``_id``/``_lastUpdated``); Observation searches in SQL."""

    type: str
    category: Category
    params: tuple[Param, ...]
    sorts: dict[str, Callable[[dict], str | None]]
    default_sort: str
    includes: tuple[Include, ...] = ()
    revincludes: tuple[Include, ...] = ()
    patient_required: bool = True
    patient_params: tuple[str, ...] = PATIENT_PARAMETERS
    in_memory: bool = True
    # Computed resources (Slot) that may vanish between pages: the resource's sort keys from its
    # id, so a link anchored on one gone still finds its place.
    anchor: Callable[[str], dict | None] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        own = self.patient_params if self.patient_required else ()
        return (*own, *(p.name for p in self.params))

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def sort_key(self, name: str) -> Callable[[dict], str | None] | None:
        """How ``_sort=<name>`` orders: a declared sort, or (in memory) by the first value of
        any parameter (a token by its code)."""
        if name in self.sorts:
            return self.sorts[name]
        param = self.param(name) if self.in_memory else None
        if param is None or param.values is None:
            return None
        values = param.values
        return lambda r: _first(values(r))

    @property
    def sort_names(self) -> tuple[str, ...]:
        extra = tuple(
            p.name for p in self.params if self.in_memory and p.name not in self.sorts and p.values
        )
        return (*self.sorts, *extra)


def _first(values: Iterable[Any]) -> str | None:
    for value in values:
        if isinstance(value, tuple):
            value = value[1]
        if isinstance(value, dict):
            value = value.get("start")
        if isinstance(value, str) and value:
            return value.casefold()
    return None


def last_updated(r: dict) -> str | None:
    return (r.get("meta") or {}).get("lastUpdated")


GENERIC_SORTS: dict[str, Callable[[dict], str | None]] = {
    "_id": lambda r: r.get("id"),
    "_lastUpdated": last_updated,
}


@dataclass(frozen=True, slots=True)
class Criterion:
    param: Param
    values: tuple  # any of: tokens, (prefix, start, end), references, strings; or (bool,)
    modifier: str | None = None


@dataclass(frozen=True, slots=True)
class Query:
    spec: Spec
    patient_id: uuid.UUID
    criteria: tuple[Criterion, ...]
    count: int
    sort: str
    descending: bool
    after: str | None
    before: str | None
    summary_count: bool
    elements: tuple[str, ...] | None
    include: tuple[Include, ...]
    revinclude: tuple[Include, ...]
    ignored: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]  # the parameters used, less the paging ones (for links)
    sorts: tuple[tuple[str, bool], ...] = ()  # every key: (name, descending)
    summary: str | None = None
    total: str | None = None  # _total: none, estimate, accurate
    chain: tuple[tuple[str, str], ...] = field(default=())  # Patient search pairs of a chain

    def values(self, name: str) -> list[tuple]:
        """The parsed values of every ``name`` criterion (each one any-of; together all-of)."""
        return [c.values for c in self.criteria if c.param.name == name]
