"""k-anonymity and l-diversity of a table over chosen quasi-identifiers, and the export gate.

Definitions (Sweeney 2002; Machanavajjhala et al. 2007, "distinct" l-diversity — the ones
pycanon's ``k_anonymity`` and ``l_diversity`` compute):

- an *equivalence class* is the set of rows sharing one combination of quasi-identifier
  (QI) values;
- the table is **k-anonymous** for the largest k such that every class holds at least k rows
  (``k`` = the size of the smallest class);
- it is **l-diverse** for the largest l such that every class holds at least l distinct values
  of each sensitive attribute (``l`` = the minimum over classes and sensitive attributes).

The classes are counted with one pandas ``groupby`` (100,000 rows in well under a second:
``careverse bench research``); pycanon is the reference the tests cross-check against on
smaller tables. Two deliberate differences from pycanon: a missing QI value (``None``/NaN)
forms a class of its own instead of the row being left out (pycanon's groupby drops it, which
overstates k), and a missing sensitive value adds no diversity.

Reports and errors carry counts and column names only, never a value of the data.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

Rows = pd.DataFrame | Iterable[Mapping[str, Any]]


@dataclass(frozen=True)
class KAnonymityReport:
    """What an export looks like to an attacker who knows the quasi-identifiers."""

    rows: int
    quasi_identifiers: tuple[str, ...]
    k: int
    """Rows in the smallest equivalence class (0 for an empty table)."""
    classes: int
    """Number of equivalence classes (distinct QI combinations)."""
    sensitive: tuple[str, ...] = ()
    l: int | None = None  # noqa: E741 — the letter of the definition
    """Distinct l-diversity over ``sensitive`` (``None`` when no sensitive attribute)."""
    class_sizes: dict[int, int] = field(default_factory=dict)
    """Histogram: class size -> how many classes have that size (sizes 1..10, then 11 for
    "11 or more"), for the report page."""
    seconds: float = 0.0

    def classes_below(self, k: int) -> tuple[int, int]:
        """``(classes, rows)`` in classes smaller than ``k`` (k at most 11)."""
        small = {size: n for size, n in self.class_sizes.items() if size < k}
        return sum(small.values()), sum(size * n for size, n in small.items())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (for an export's manifest)."""
        return {
            "rows": self.rows,
            "quasi_identifiers": list(self.quasi_identifiers),
            "k": self.k,
            "classes": self.classes,
            "sensitive": list(self.sensitive),
            "l": self.l,
            "class_sizes": {str(s): n for s, n in sorted(self.class_sizes.items())},
        }


class KAnonymityError(ValueError):
    """An export refused by the gate; the message gives the reason without any data value."""

    def __init__(
        self,
        reason: str,
        *,
        report: KAnonymityReport,
        required_k: int,
        required_l: int | None,
        culprit: tuple[str, ...],
        smallest_class_rows: int,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.report = report
        self.required_k = required_k
        self.required_l = required_l
        self.achieved_k = report.k
        self.achieved_l = report.l
        self.culprit = culprit
        """The smallest combination of quasi-identifiers that already breaks the rule."""
        self.smallest_class_rows = smallest_class_rows


def _frame(rows: Rows, columns: Sequence[str]) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        missing = [c for c in columns if c not in rows.columns]
        frame = rows
    else:
        records = list(rows)
        present = set().union(*(r.keys() for r in records)) if records else set(columns)
        missing = [c for c in columns if c not in present]
        frame = pd.DataFrame.from_records(records, columns=list(columns))
    if missing:
        raise ValueError(f"unknown column(s): {', '.join(sorted(missing))}")
    return cast(pd.DataFrame, frame[list(columns)])


def _check_names(quasi_identifiers: Sequence[str], sensitive: Sequence[str]) -> None:
    if isinstance(quasi_identifiers, str) or not quasi_identifiers:
        raise ValueError("quasi_identifiers must be a non-empty list of column names")
    if len(set(quasi_identifiers)) != len(quasi_identifiers):
        raise ValueError("quasi_identifiers must not repeat a column")
    if set(quasi_identifiers) & set(sensitive):
        raise ValueError("a column cannot be both a quasi-identifier and sensitive")


def _sizes(frame: pd.DataFrame, qis: Sequence[str]) -> pd.Series:
    return cast(pd.Series, frame.groupby(list(qis), dropna=False, sort=False, observed=True).size())


def kanon_report(
    rows: Rows, quasi_identifiers: Sequence[str], sensitive: Sequence[str] | None = None
) -> KAnonymityReport:
    """k-anonymity (and distinct l-diversity over ``sensitive``) of ``rows`` — a pandas
    DataFrame or an iterable of dicts — over ``quasi_identifiers`` (column names)."""
    started = time.perf_counter()
    sens = tuple(sensitive or ())
    if isinstance(sensitive, str):
        raise ValueError("sensitive must be a list of column names")
    _check_names(quasi_identifiers, sens)
    qis = tuple(quasi_identifiers)
    frame = _frame(rows, [*qis, *sens])
    if frame.empty:
        return KAnonymityReport(0, qis, 0, 0, sens, 0 if sens else None, {}, 0.0)
    sizes = _sizes(frame, qis)
    histogram = sizes.clip(upper=11).value_counts()
    l_value = None
    if sens:
        grouped = frame.groupby(list(qis), dropna=False, sort=False, observed=True)
        l_value = min(int(cast(Any, grouped[s].nunique(dropna=True)).min()) for s in sens)
    return KAnonymityReport(
        rows=len(frame),
        quasi_identifiers=qis,
        k=int(sizes.min()),
        classes=len(sizes),
        sensitive=sens,
        l=l_value,
        class_sizes={int(cast(Any, s)): int(n) for s, n in histogram.items()},
        seconds=time.perf_counter() - started,
    )


def _culprit(frame: pd.DataFrame, qis: tuple[str, ...], k: int) -> tuple[tuple[str, ...], int]:
    """The smallest QI combination (fewest columns, then in the given order) whose own
    classes already fall below k, and its smallest class."""
    for size in range(1, len(qis) + 1):
        for combo in itertools.combinations(qis, size):
            smallest = int(_sizes(frame, combo).min())
            if smallest < k:
                return combo, smallest
    return qis, int(_sizes(frame, qis).min())  # pragma: no cover — the full set is below k


def require_k(
    rows: Rows,
    quasi_identifiers: Sequence[str],
    k: int,
    sensitive: Sequence[str] | None = None,
    l: int | None = None,  # noqa: E741 — the letter of the definition
) -> KAnonymityReport:
    """The export gate: the report when ``rows`` are k-anonymous over ``quasi_identifiers``
    (and l-diverse over ``sensitive`` when ``l`` is given), else ``KAnonymityError`` saying
    the achieved k (or l), which QI combination breaks it and how many rows its smallest class
    holds — never the values. An empty table passes (it discloses nothing)."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError("k must be a whole number of at least 1")
    if l is not None and (isinstance(l, bool) or not isinstance(l, int) or l < 1):
        raise ValueError("l must be a whole number of at least 1")
    if l is not None and not sensitive:
        raise ValueError("l-diversity needs at least one sensitive column")
    report = kanon_report(rows, quasi_identifiers, sensitive)
    if report.rows == 0:
        return report
    qis = report.quasi_identifiers
    if report.k < k:
        frame = _frame(rows, qis)
        culprit, smallest = _culprit(frame, qis, k)
        sizes = _sizes(frame, qis)
        n_small, rows_small = int((sizes < k).sum()), int(sizes[sizes < k].sum())
        reason = (
            f"k-anonymity {report.k} is below the required k={k}: over "
            f"({', '.join(qis)}) {n_small} of {report.classes} classes hold fewer than {k} "
            f"rows ({rows_small} of {report.rows} rows); the combination "
            f"({', '.join(culprit)}) alone already has a class of {smallest} row(s)"
        )
        raise KAnonymityError(
            reason, report=report, required_k=k, required_l=l, culprit=culprit,
            smallest_class_rows=smallest,
        )  # fmt: skip
    if l is not None and report.l is not None and report.l < l:
        reason = (
            f"l-diversity {report.l} is below the required l={l}: some class over "
            f"({', '.join(qis)}) has fewer than {l} distinct values of "
            f"({', '.join(report.sensitive)})"
        )
        raise KAnonymityError(
            reason, report=report, required_k=k, required_l=l, culprit=qis,
            smallest_class_rows=report.k,
        )  # fmt: skip
    return report
