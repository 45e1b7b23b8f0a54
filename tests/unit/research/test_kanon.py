"""k-anonymity and l-diversity report and the export gate (careverse.research.kanon)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycanon import anonymity

from careverse.research.kanon import KAnonymityError, kanon_report, require_k

QIS = ["age_band", "sex", "zip3"]


def _rows() -> list[dict]:
    rows = []
    for i in range(12):
        rows.append({"age_band": "40-44", "sex": "F", "zip3": "021", "dx": f"d{i % 3}"})
    for i in range(5):
        rows.append({"age_band": "50-54", "sex": "M", "zip3": "021", "dx": f"d{i % 2}"})
    rows.append({"age_band": "90+", "sex": "M", "zip3": "000", "dx": "rare-secret"})
    return rows


def test_report_counts_classes_k_and_l() -> None:
    report = kanon_report(_rows(), QIS, sensitive=["dx"])
    assert (report.rows, report.k, report.classes, report.l) == (18, 1, 3, 1)
    assert report.class_sizes == {11: 1, 5: 1, 1: 1}
    assert report.classes_below(5) == (1, 1)
    assert report.classes_below(11) == (2, 6)
    assert report.as_dict()["quasi_identifiers"] == QIS


def test_the_gate_refuses_with_the_reason_and_no_values() -> None:
    with pytest.raises(KAnonymityError) as caught:
        require_k(_rows(), QIS, k=5)
    err = caught.value
    assert err.achieved_k == 1 and err.required_k == 5
    assert err.culprit == ("age_band",)  # "90+" alone is a class of one
    assert err.smallest_class_rows == 1
    message = str(err)
    assert "k-anonymity 1 is below the required k=5" in message
    assert "1 of 3 classes" in message and "(1 of 18 rows)" in message
    for value in ("90+", "000", "rare-secret", "40-44", "021"):
        assert value not in message


def test_the_gate_passes_and_returns_the_report() -> None:
    rows = [r for r in _rows() if r["age_band"] != "90+"]
    report = require_k(rows, QIS, k=5, sensitive=["dx"], l=2)
    assert report.k == 5 and report.l == 2


def test_the_gate_refuses_a_class_without_diversity() -> None:
    rows = [r for r in _rows() if r["age_band"] != "90+"]
    rows += [{"age_band": "60-64", "sex": "F", "zip3": "100", "dx": "same"}] * 6
    with pytest.raises(KAnonymityError, match=r"l-diversity 1 is below the required l=2") as c:
        require_k(rows, QIS, k=5, sensitive=["dx"], l=2)
    assert "same" not in str(c.value) and c.value.achieved_l == 1


def test_a_combination_of_qis_can_be_the_culprit() -> None:
    rows = [{"a": a, "b": b} for a in "xy" for b in "pq" for _ in range(3)]
    kept = [r for r in rows if not (r["a"] == "y" and r["b"] == "q")]
    rows = [*kept, {"a": "y", "b": "q"}]
    with pytest.raises(KAnonymityError) as caught:
        require_k(rows, ["a", "b"], k=3)
    assert caught.value.culprit == ("a", "b") and caught.value.smallest_class_rows == 1


def test_missing_values_form_their_own_class() -> None:
    rows = [{"a": "x", "b": "p"}] * 4 + [{"a": None, "b": "p"}]
    assert kanon_report(rows, ["a", "b"]).k == 1


def test_empty_tables_pass_and_bad_arguments_are_refused() -> None:
    assert require_k([], QIS, k=5).rows == 0
    with pytest.raises(ValueError, match="unknown column"):
        kanon_report([{"age_band": "1"}], ["age_band", "postcode"])
    with pytest.raises(ValueError, match="non-empty list"):
        kanon_report(_rows(), [])
    with pytest.raises(ValueError, match="non-empty list"):
        kanon_report(_rows(), "sex")
    with pytest.raises(ValueError, match="k must be"):
        require_k(_rows(), QIS, k=0)
    with pytest.raises(ValueError, match="sensitive column"):
        require_k(_rows(), QIS, k=1, l=2)
    with pytest.raises(ValueError, match="both"):
        kanon_report(_rows(), QIS, sensitive=["sex"])


_ROW = st.fixed_dictionaries(
    {
        "age": st.sampled_from(["20-29", "30-39", "40-49", "90+"]),
        "sex": st.sampled_from(["F", "M", "X"]),
        "zip3": st.sampled_from(["021", "100", "000"]),
        "dx": st.sampled_from(["a", "b", "c", "d"]),
        "score": st.integers(0, 3),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=120))
def test_k_and_l_match_pycanon(rows: list[dict]) -> None:
    frame = pd.DataFrame(rows)
    qis = ["age", "sex", "zip3"]
    ours = kanon_report(frame, qis, sensitive=["dx", "score"])
    assert ours.k == anonymity.k_anonymity(frame, qis)
    assert ours.l == anonymity.l_diversity(frame, qis, ["dx", "score"])
    assert kanon_report(rows, qis, sensitive=["dx", "score"]).k == ours.k
