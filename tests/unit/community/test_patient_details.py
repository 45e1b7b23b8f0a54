"""The professional community's detector of identifiable patient details."""

from __future__ import annotations

import pytest

from careverse.community.patient_details import detect


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Saw Mr Smith today with chest pain", "name"),
        ("Mrs Jane Doe, 72, presented with falls", "name"),
        ("patient John Carter has refused the statin", "name"),
        ("DOB 12/03/1950, type 2 diabetes", "date-of-birth"),
        ("born on 3 March 1950", "date-of-birth"),
        ("date of birth: 1950-03-12", "date-of-birth"),
        ("NHS 943 476 5919 for the referral", "record-number"),
        ("MRN: 00123456 on the ward", "record-number"),
        ("hospital number K1234567", "record-number"),
        ("call her on 07700 900123", "phone-number"),
        ("landline 0161 496 0123", "phone-number"),
    ],
)
def test_each_kind_is_found(text, kind):
    assert kind in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "A 72-year-old woman with Type Two diabetes and Long Covid",  # capitalised, not a name
        "Reviewed in clinic on 12/03/2024, HbA1c 48",  # a clinic date is not a birth date
        "Dose 1000 mg twice daily for 3 months",
        "NHS 123 456 7890 is not a valid number",  # fails the modulus-11 check
        "Dr guidance from NICE NG28 is clear",  # "Dr guidance" is not a title + name pair
    ],
)
def test_ordinary_case_discussion_passes(text):
    assert detect(text) == []


def test_kinds_are_reported_once_each_in_order():
    found = detect("Mr Smith DOB 01/01/1950 MRN 1234567 tel 07700 900123, Mr Smith again")
    assert found == ["name", "date-of-birth", "record-number", "phone-number"]
