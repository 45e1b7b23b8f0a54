"""Safe Harbor generalisers and one patient's record de-identified (careverse.research.deid)."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careverse.research.deid import (
    AGE_BAND_URL,
    age_band,
    age_years,
    birth_year,
    date_shift_days,
    deidentify_record,
    patient_deny_list,
    pseudonym,
    restricted_zip3,
    shift_date,
    year_only,
    zip3,
)

KEY_A = b"study-A-secret-key-0123456789"
KEY_B = b"study-B-secret-key-0123456789"


def test_the_shipped_table_holds_the_17_hhs_zip3_areas() -> None:
    assert len(restricted_zip3()) == 17
    assert {"036", "059", "102", "203", "692", "893"} <= restricted_zip3()


@pytest.mark.parametrize(
    ("zip5", "expected"),
    [
        ("02139", "021"),
        ("02139-4307", "021"),
        ("036 01".replace(" ", ""), "000"),
        ("10210", "000"),
        ("89301", "000"),
        ("90210", "902"),
    ],
)
def test_zip3_keeps_three_digits_or_000_for_small_areas(zip5: str, expected: str) -> None:
    assert zip3(zip5) == expected


@pytest.mark.parametrize("bad", ["SW1A 1AA", "1234", "", "abcde"])
def test_zip3_refuses_what_is_not_a_us_zip(bad: str) -> None:
    with pytest.raises(ValueError, match="not a US ZIP"):
        zip3(bad)


def test_ages_and_bands() -> None:
    assert age_years("1950-06-15", "2026-06-14") == 75
    assert age_years("1950-06-15", "2026-06-15") == 76
    assert age_band(44) == "40-44"
    assert age_band(89) == "85-89"
    assert age_band(90) == "90+"
    assert age_band(104, width=10) == "90+"
    assert age_band(86, width=7) == "84-89"
    assert age_band(33, width=1) == "33"
    with pytest.raises(ValueError):
        age_band(-1)
    with pytest.raises(ValueError):
        age_years("2030-01-01", "2026-01-01")


def test_birth_year_is_removed_when_it_reveals_an_age_over_89() -> None:
    assert birth_year("1950-06-15", date(2026, 12, 1)) == 1950
    assert birth_year("1936-12-02", date(2026, 12, 1)) == 1936  # 89 today
    assert birth_year("1936-12-01", date(2026, 12, 1)) is None  # 90 today


def test_pseudonyms_are_keyed_stable_and_differ_between_studies() -> None:
    a1, a2, b = pseudonym(KEY_A, "p-1"), pseudonym(KEY_A, "p-1"), pseudonym(KEY_B, "p-1")
    assert a1 == a2 and a1 != b and len(a1) == 64
    assert pseudonym(KEY_A, "p-2") != a1
    with pytest.raises(ValueError, match="16 bytes"):
        pseudonym(b"short", "p-1")


@given(st.text(min_size=1, max_size=40), st.integers(min_value=1, max_value=400))
def test_date_shift_is_within_the_window_never_zero_and_stable(pid: str, window: int) -> None:
    days = date_shift_days(KEY_A, pid, window)
    assert 1 <= abs(days) <= window
    assert days == date_shift_days(KEY_A, pid, window)


def test_date_shifts_spread_over_the_window_and_differ_per_study() -> None:
    shifts = [date_shift_days(KEY_A, f"p{i}", 30) for i in range(600)]
    assert min(shifts) == -30 and max(shifts) == 30 and 0 not in shifts
    other = [date_shift_days(KEY_B, f"p{i}", 30) for i in range(600)]
    assert sum(a == b for a, b in zip(shifts, other, strict=True)) < 60


def test_shift_date_keeps_the_shape_and_intervals() -> None:
    assert shift_date("2024-03-01", -2) == "2024-02-28"
    assert shift_date("2024-03-01T10:00:00Z", 3) == "2024-03-04T10:00:00Z"
    assert shift_date("2024-03-01T10:00:00+01:00", 1) == "2024-03-02T10:00:00+01:00"
    assert shift_date("2024-03", 10) == "2024"
    assert shift_date(date(2024, 1, 1), 1) == "2024-01-02"
    assert shift_date(datetime(2024, 1, 1, 9), 1) == "2024-01-02T09:00:00"
    assert year_only("2024-03-01T10:00:00Z") == "2024"


def _record() -> dict:
    return {
        "Patient": {
            "resourceType": "Patient",
            "id": "pat-42",
            "meta": {"source": "https://10.1.2.3/ehr"},
            "identifier": [{"system": "urn:mrn", "value": "MRN-778899"}],
            "name": [{"given": ["Mary-Jane"], "family": "O'Brien", "text": "Mary-Jane O'Brien"}],
            "telecom": [
                {"system": "phone", "value": "+44 7700 900123"},
                {"system": "email", "value": "mj.obrien@example.org"},
            ],
            "gender": "female",
            "birthDate": "1961-04-17",
            "address": [
                {
                    "line": ["14 Quarry Lane"],
                    "city": "Harwell",
                    "state": "MA",
                    "postalCode": "02139-4307",
                    "country": "US",
                }
            ],
            "photo": [{"contentType": "image/jpeg", "data": "AAAA"}],
            "contact": [
                {
                    "name": {"given": ["Tom"], "family": "Keel"},
                    "telecom": [{"system": "phone", "value": "555-867-5309"}],
                }
            ],
            "extension": [
                {
                    "url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
                    "extension": [{"url": "text", "valueString": "Not Hispanic or Latino"}],
                },
                {"url": "https://example.org/secret-ext", "valueString": "Tom Keel"},
            ],
        },
        "Observation": [
            {
                "resourceType": "Observation",
                "id": "obs-1",
                "status": "final",
                "code": {
                    "coding": [
                        {"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}
                    ]
                },
                "subject": {"reference": "Patient/pat-42", "display": "Mary-Jane O'Brien"},
                "performer": [{"reference": "Practitioner/dr-1", "display": "Dr Who"}],
                "device": {"reference": "Device/watch-SN123456"},
                "effectiveDateTime": "2024-03-12T10:15:00Z",
                "valueQuantity": {"value": 88, "unit": "beats/minute"},
                "note": [
                    {
                        "authorString": "Tom Keel",
                        "time": "2024-03-12",
                        "text": "Mary-Jane called from 07700 900123, lives at 14 Quarry Lane",
                    }
                ],
            }
        ],
        "QuestionnaireResponse": [
            {
                "resourceType": "QuestionnaireResponse",
                "id": "qr-9",
                "questionnaire": "http://loinc.org/q/44249-1",
                "status": "completed",
                "subject": {"reference": "Patient/pat-42"},
                "authored": "2024-05-02T08:00:00+01:00",
                "text": {"status": "generated", "div": "<div>Mary-Jane O'Brien</div>"},
                "item": [
                    {
                        "linkId": "free",
                        "answer": [
                            {"valueString": "Ask mary at mj.obrien@example.org or MRN-778899"},
                            {"valueInteger": 3},
                        ],
                    }
                ],
            }
        ],
        "notes": [
            "O'BRIEN, MARY-JANE seen 12/03/2024 with Tom. ZIP 02139. Born 17 April 1961.",
            {"date": "2024-06-01", "text": "Husband Tom Keel rang 555-867-5309."},
        ],
    }


PLANTED = [
    "Mary",
    "Jane",
    "O'Brien",
    "OBRIEN",
    "Tom",
    "Keel",
    "7700",
    "900123",
    "867-5309",
    "obrien@",
    "MRN-778899",
    "778899",
    "Quarry",
    "Harwell",
    "02139",
    "1961-04-17",
    "April",
    "10.1.2.3",
    "pat-42",
    "obs-1",
    "qr-9",
    "SN123456",
    "Dr Who",
    "AAAA",
    "secret-ext",
    "12/03",
    "03-12",
    "05-02",
    "06-01",
]


def test_a_record_with_planted_identifiers_keeps_none_of_them() -> None:
    record = _record()
    before = copy.deepcopy(record)
    out = deidentify_record(record, KEY_A, on=date(2026, 12, 1))
    assert record == before  # the input is not modified
    text = json.dumps(out).upper()
    for planted in PLANTED:
        assert planted.upper() not in text, planted


def test_a_record_keeps_what_analysis_needs() -> None:
    out = deidentify_record(_record(), KEY_A, on=date(2026, 12, 1))
    patient = out["Patient"]
    assert patient["id"] == pseudonym(KEY_A, "pat-42")
    assert patient["gender"] == "female"
    assert patient["birthDate"] == "1961"
    assert {"url": AGE_BAND_URL, "valueString": "65-69"} in patient["extension"]
    assert patient["address"] == [{"state": "MA", "country": "US", "postalCode": "021"}]
    ethnicity = [e for e in patient["extension"] if "ethnicity" in e["url"]]
    assert ethnicity[0]["extension"][0]["valueString"] == "Not Hispanic or Latino"
    obs = out["Observation"][0]
    assert obs["subject"] == {"reference": f"Patient/{patient['id']}"}
    assert obs["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "8867-4",
        "display": "Heart rate",
    }
    assert obs["valueQuantity"] == {"value": 88, "unit": "beats/minute"}
    assert obs["effectiveDateTime"] == "2024"
    assert "performer" not in obs and "device" not in obs
    assert obs["note"][0]["text"] == "[NAME] called from [PHONE], lives at [NAME]"
    qr = out["QuestionnaireResponse"][0]
    assert qr["questionnaire"] == "http://loinc.org/q/44249-1" and "text" not in qr
    assert qr["item"][0]["answer"][1] == {"valueInteger": 3}
    assert out["notes"][1]["date"] == "2024"


def test_over_89_loses_the_birth_year_and_is_banded_90_plus() -> None:
    record = {"Patient": {"id": "old-1", "birthDate": "1930-01-01", "gender": "male"}}
    out = deidentify_record(record, KEY_A, on=date(2026, 12, 1))
    assert "birthDate" not in out["Patient"]
    assert out["Patient"]["extension"] == [{"url": AGE_BAND_URL, "valueString": "90+"}]
    year_only_born = deidentify_record(
        {"Patient": {"id": "old-2", "birthDate": "1930"}}, KEY_A, on=date(2026, 12, 1)
    )
    assert "birthDate" not in year_only_born["Patient"]


def test_shift_mode_moves_every_date_of_a_patient_by_the_same_offset() -> None:
    out = deidentify_record(_record(), KEY_A, dates="shift", on=date(2026, 12, 1))
    days = date_shift_days(KEY_A, "pat-42")
    expected = (date(2024, 3, 12) + timedelta(days=days)).isoformat()
    assert out["Observation"][0]["effectiveDateTime"].startswith(expected)
    assert out["notes"][1]["date"] == (date(2024, 6, 1) + timedelta(days=days)).isoformat()
    assert out["Patient"]["birthDate"] == (date(1961, 4, 17) + timedelta(days=days)).isoformat()
    assert "12/03/2024" not in json.dumps(out)


def test_non_us_postcodes_are_dropped_and_bad_calls_refused() -> None:
    out = deidentify_record(
        {"Patient": {"id": "uk-1", "address": [{"postalCode": "SW1A 1AA", "country": "GB"}]}},
        KEY_A,
        on=date(2026, 1, 1),
    )
    assert out["Patient"]["address"] == [{"country": "GB"}]
    with pytest.raises(ValueError, match=r"Patient\.id"):
        deidentify_record({"Observation": []}, KEY_A)
    with pytest.raises(ValueError, match="'year' or 'shift'"):
        deidentify_record({"patient_id": "x"}, KEY_A, dates="month")  # type: ignore[arg-type]


def test_the_deny_list_comes_from_the_patient() -> None:
    terms = patient_deny_list(_record()["Patient"])
    for term in [
        "Mary-Jane",
        "O'Brien",
        "+44 7700 900123",
        "MRN-778899",
        "14 Quarry Lane",
        "Harwell",
        "Tom",
        "Keel",
        "555-867-5309",
        "1961-04-17",
    ]:
        assert term in terms
    assert patient_deny_list(None) == []


def _strings(value: object) -> list[str]:
    """Every string value, except pseudonyms (hex could hold any five digits by chance)."""
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in ("id", "reference") for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@settings(max_examples=40, deadline=None)
@given(
    given_name=st.from_regex(r"Zq[a-z]{3,8}", fullmatch=True),
    family=st.from_regex(r"Xv[a-z]{3,8}(-Wy[a-z]{2,5})?", fullmatch=True),
    phone=st.from_regex(r"0[1-9]\d{2,3} \d{3} \d{3,4}", fullmatch=True),
    mrn=st.from_regex(r"[A-Z]{1,3}\d{6,9}", fullmatch=True),
    zip5=st.from_regex(r"[0-9]{5}", fullmatch=True),
    born=st.dates(date(1920, 1, 1), date(2010, 12, 31)),
)
def test_planted_identifiers_never_reach_the_export(
    given_name: str, family: str, phone: str, mrn: str, zip5: str, born: date
) -> None:
    email = f"{given_name.lower()}.{family.lower()}@example.net"
    record = {
        "Patient": {
            "id": "p-1",
            "name": [{"given": [given_name], "family": family}],
            "telecom": [{"system": "phone", "value": phone}, {"system": "email", "value": email}],
            "identifier": [{"value": mrn}],
            "birthDate": born.isoformat(),
            "address": [{"line": ["3 Elm Road"], "postalCode": zip5, "state": "NY"}],
        },
        "Observation": [{"resourceType": "Observation", "id": "o", "status": "final",
                         "valueString": f"{family.upper()} said call {phone}",
                         "effectiveDateTime": "2024-02-03T04:05:06Z"}],
        "notes": [f"{given_name} {family} ({mrn}), {email}, zip {zip5}, born {born:%d %B %Y}; "
                  f"lives at 3 Elm Road; {given_name.lower()} is well."],
    }  # fmt: skip
    out = deidentify_record(record, KEY_A, on=date(2026, 12, 1))
    text = "\n".join(_strings(out)).lower()
    for planted in [given_name, family, *family.split("-"), phone, email, mrn, zip5,
                    born.isoformat(), f"{born:%d %B}", "elm road", "02-03"]:  # fmt: skip
        assert planted.lower() not in text, planted
