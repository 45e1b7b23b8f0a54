"""What each care-plan rule kind is made of: a typed view of a :class:`CarePlanRule` row.

The rules table keeps every kind's columns nullable (which count depends on ``kind``). The API
accepts a rule only with every field its kind needs (``alert_schemas``), so a stored row that
lacks one is corrupt: :func:`rule_view` raises :class:`InconsistentRule` instead of letting a
``None`` reach a comparison, and the rule's evaluation reads non-optional fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from careverse.monitoring.alert_models import RULE_KINDS, CarePlanRule

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Threshold:
    """A reading of ``code`` meets ``op value``."""

    code: str
    op: str
    value: float


@dataclass(frozen=True, slots=True)
class Sustained:
    """Readings of ``code`` meet ``op value`` for at least ``minutes``."""

    code: str
    op: str
    value: float
    minutes: int


@dataclass(frozen=True, slots=True)
class Trend:
    """``code`` rises by more than ``change`` (falls, when negative) within ``days``."""

    code: str
    change: float
    days: float


@dataclass(frozen=True, slots=True)
class NoData:
    """No reading (of ``code``, or of any code when None) for ``hours``."""

    hours: float
    code: str | None


RuleView = Threshold | Sustained | Trend | NoData


class InconsistentRule(ValueError):
    """A stored rule of an unknown kind, or without a field its kind needs."""


def known_kind(rule: CarePlanRule) -> bool:
    """Whether this version knows the rule's kind (only those have a :func:`rule_view`)."""
    return rule.kind in RULE_KINDS


def rule_view(rule: CarePlanRule) -> RuleView:
    """The rule's fields for its kind, none of them optional (but a no_data rule's code).

    Raises :class:`InconsistentRule` (naming the rule and the field, never a value) for an
    unknown kind or a missing field.
    """

    def need(field: str, value: _T | None) -> _T:
        if value is None:
            raise InconsistentRule(f"Care-plan rule {rule.id} ({rule.kind}) has no {field}.")
        return value

    if rule.kind == "threshold":
        return Threshold(
            code=need("code", rule.code), op=need("op", rule.op), value=need("value", rule.value)
        )
    if rule.kind == "sustained":
        return Sustained(
            code=need("code", rule.code),
            op=need("op", rule.op),
            value=need("value", rule.value),
            minutes=need("minutes", rule.minutes),
        )
    if rule.kind == "trend":
        return Trend(
            code=need("code", rule.code),
            change=need("change", rule.change),
            days=need("days", rule.days),
        )
    if rule.kind == "no_data":
        return NoData(hours=need("hours", rule.hours), code=rule.code)
    # The kind itself is not repeated: an unknown one is whatever the row holds.
    raise InconsistentRule(f"Care-plan rule {rule.id} has a kind this version does not know.")
