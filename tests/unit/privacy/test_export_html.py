"""The readable export's renderer: every kind of resource in words, escaped, and nothing active."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from careverse.privacy.export_html import CSP, STYLE, STYLE_HASH, render


def bundle(*resources: dict) -> dict:
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": r} for r in resources]}  # fmt: skip


PATIENT = {
    "resourceType": "Patient", "id": "p1", "name": [{"given": ["Amara"], "family": "Nwosu"}],
    "birthDate": "1958-03-14", "gender": "female",
    "telecom": [{"system": "email", "value": "amara@example.org"}],
}  # fmt: skip


def test_readings_visits_and_unknown_kinds_are_tables_of_words():
    pressure = {
        "resourceType": "Observation", "status": "final",
        "code": {"coding": [{"code": "85354-9", "display": "Blood pressure"}]},
        "effectiveDateTime": "2026-11-30T06:40:00Z",
        "component": [
            {"code": {"text": "Systolic"}, "valueQuantity": {"value": 182.0, "unit": "mmHg"}},
            {"code": {"text": "Diastolic"}, "valueQuantity": {"value": 95, "unit": "mmHg"}},
        ],
    }  # fmt: skip
    rate = {"resourceType": "Observation", "code": {"text": "Heart rate"},
            "valueQuantity": {"value": 72.5, "unit": "/min"},
            "effectiveDateTime": "2026-11-29T08:00:00+00:00"}  # fmt: skip
    visit = {"resourceType": "Encounter", "status": "finished", "class": {"code": "VR"},
             "period": {"start": "2026-11-28T09:30:00Z"}}  # fmt: skip
    alert = {"resourceType": "Flag", "status": "active", "code": {"text": "SpO2 below 92 %"}}
    odd = {"resourceType": "RiskAssessment", "status": "final", "code": {"text": "Falls risk"}}
    page = render(
        bundle(PATIENT, pressure, rate, visit, alert, odd), datetime(2026, 11, 30, tzinfo=UTC)
    )
    assert "<h1>Health record of Amara Nwosu</h1>" in page
    assert "<dd>14 Mar 1958</dd>" in page and "amara@example.org" in page
    assert "Systolic: 182 mmHg; Diastolic: 95 mmHg" in page and "72.5 /min" in page
    assert "30 Nov 2026 06:40 UTC" in page
    # Newest first within a section.
    assert page.index("Blood pressure") < page.index("Heart rate")
    assert "<h2>Visits</h2>" in page and "<h2>Alerts</h2>" in page and "SpO2 below 92 %" in page
    # A kind the renderer has no title for still shows, under its FHIR name.
    assert "<h2>RiskAssessment</h2>" in page and "Falls risk" in page


def test_nothing_from_the_record_becomes_markup_and_the_policy_is_strict():
    hostile = {"resourceType": "Observation", "code": {"text": "<img src=x onerror=alert(1)>"},
               "valueString": "</td><script>alert(1)</script>",
               "text": {"div": "<div><script>alert(2)</script></div>"}}  # fmt: skip
    page = render(bundle(hostile), datetime(2026, 11, 30, tzinfo=UTC))
    assert "<script" not in page and "<img" not in page and "alert(2)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "default-src 'none'" in CSP and STYLE_HASH in CSP and "unsafe-inline" not in CSP
    assert re.findall(r"<style>(.*?)</style>", page) == [STYLE]
    assert "Health record</h1>" in page and "holds nothing else" not in page


def test_an_empty_record_says_so():
    page = render(bundle(PATIENT), datetime(2026, 11, 30, tzinfo=UTC))
    assert "Your record holds nothing else yet." in page
