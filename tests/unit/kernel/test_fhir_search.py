"""The search toolkit without a database: parsing of each parameter type, matching, key-set
pages in both directions, strict and lenient handling."""

from __future__ import annotations

import uuid

import pytest

from careverse.kernel.fhir_search import (
    COMMON,
    DATE,
    REFERENCE,
    STRING,
    TOKEN,
    BadSearch,
    Param,
    Spec,
    matches,
    page,
    parse,
    subset,
)
from careverse.kernel.policy import Category

PID = uuid.uuid4()
SPEC = Spec(
    type="Flag",
    category=Category.VITALS,
    params=(
        Param("code", TOKEN, "", lambda r: [(c["system"], c["code"]) for c in r["code"]]),
        Param("date", DATE, "", lambda r: [r["date"]]),
        Param("encounter", REFERENCE, "", lambda r: [r["encounter"]]),
        Param("name", STRING, "", lambda r: [r["name"]]),
        *COMMON,
    ),
    sorts={"date": lambda r: r["date"]},
    default_sort="-date",
)


def flag(i: int, code: str = "a", system: str = "urn:x") -> dict:
    return {
        "resourceType": "Flag", "id": f"f{i:02d}", "code": [{"system": system, "code": code}],
        "date": f"2026-11-{i + 1:02d}T10:00:00Z", "encounter": f"Encounter/e{i}",
        "name": f"Ward {i}", "meta": {"lastUpdated": "2026-11-30T00:00:00Z"},
    }  # fmt: skip


def q(text: str, lenient: bool = False):
    pairs = [tuple(p.split("=", 1)) for p in text.split("&") if p]
    return parse(SPEC, [("patient", str(PID)), *pairs], lenient)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "hits"),
    [
        ("code=urn:x|a", True), ("code=a", True), ("code=urn:x|", True), ("code=|a", False),
        ("code=urn:y|a", False), ("code=b,a", True), ("code=a&code=b", False),
        ("date=2026-11-01", True), ("date=2026-11", True), ("date=ne2026-11-01", False),
        ("date=ge2026-11-01T10:00:00Z", True), ("date=gt2026-11-01T10:00:00Z", False),
        ("date=lt2026-11-01T10:00:00+00:00", False),
        ("date=le2026-11-01T11:00:00+01:00", True),
        ("encounter=Encounter/e0", True), ("encounter=e0", True), ("encounter=e1", False),
        ("name=ward", True), ("name=ward 0", True), ("name=bed", False),
        ("_id=f00", True), ("_id=f01", False), ("_lastUpdated=2026-11-30", True),
        ("code:not=a", False), ("code:not=b", True), ("code:not=urn:y|a", True),
        ("code:missing=false", True), ("code:missing=true", False),
        ("name:exact=Ward 0", True), ("name:exact=ward 0", False), ("name:exact=Ward", False),
        ("name:contains=rd 0", True), ("name:contains=bed", False),
        ("encounter:Encounter=e0", True), ("date:missing=true", False),
    ],
)  # fmt: skip
def test_each_parameter_type_matches(query, hits):
    assert matches(q(query), flag(0)) is hits


@pytest.mark.parametrize(
    "query",
    ["colour=red", "code:text=x", "date=sa2026", "date=yesterday", "date=2026-11-01T10:00",
     "date=2026,2027", "_sort=colour", "_summary=all", "_elements=a.b", "_count=-1",
     "_include=Flag:subject", "code=", "_cursor=a&_before=b", "_count=1&_count=2"],
)  # fmt: skip
def test_strict_refuses_without_echoing(query):
    with pytest.raises(BadSearch) as refused:
        q(query)
    assert "red" not in refused.value.message and "yesterday" not in refused.value.message


def test_lenient_ignores_unknown_parameters_only():
    query = q("colour=red&code=a", lenient=True)
    assert query.ignored == ("colour",) and ("colour", "red") not in query.pairs
    with pytest.raises(BadSearch):
        q("colour=red&date=yesterday", lenient=True)


def test_pages_forward_and_back_by_key_while_data_arrives():
    data = [flag(i) for i in range(10)]
    first, more, before = page(q("_count=4"), data)
    assert [r["id"] for r in first] == ["f09", "f08", "f07", "f06"] and more and not before
    data += [flag(20), flag(21)]  # newer ones arrive: they sort first
    second, more, before = page(q("_count=4&_cursor=f06"), data)
    assert [r["id"] for r in second] == ["f05", "f04", "f03", "f02"] and more and before
    back, more, before = page(q("_count=4&_before=f05"), data)
    assert [r["id"] for r in back] == ["f09", "f08", "f07", "f06"] and more and before
    with pytest.raises(BadSearch):
        page(q("_cursor=gone"), data)


def test_elements_keep_id_meta_and_are_tagged():
    out = subset(flag(0), ("name",))
    assert set(out) == {"resourceType", "id", "meta", "name"}
    assert out["meta"]["tag"][-1]["code"] == "SUBSETTED"


def test_modifiers_not_taken_answer_400_even_lenient():
    for query in ("code:exact=a", "date:not=2026", "name:not=a", "code:missing=perhaps",
                  "_count:missing=true", "patient:Device=x"):  # fmt: skip
        for lenient in (False, True):
            with pytest.raises(BadSearch):
                q(query, lenient)


def test_sort_on_several_keys():
    rows = [flag(0, "b"), flag(1, "a"), flag(2, "b"), flag(3, "a")]
    order = lambda text: [r["id"] for r in page(q(text), rows)[0]]  # noqa: E731
    assert order("_sort=code,date") == ["f01", "f03", "f00", "f02"]
    assert order("_sort=code,-date") == ["f03", "f01", "f02", "f00"]
    assert order("_sort=-code,-date") == ["f02", "f00", "f03", "f01"]
    assert order("_sort=-_id") == ["f03", "f02", "f01", "f00"]
    for bad in ("_sort=code,code", "_sort=code,-code", "_sort=a,b,c,d,e,f"):
        with pytest.raises(BadSearch):
            q(bad)


def test_summary_and_total_modes():
    query = q("_summary=text&_total=none")
    assert query.summary == "text" and query.total == "none" and not query.summary_count
    assert q("_summary=count").summary_count
    assert q("_totalMethod=count").pairs[-1] == ("_totalMethod", "count")
    with pytest.raises(BadSearch):
        q("_summary=data&_elements=code")
