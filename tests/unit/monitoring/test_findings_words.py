"""The words alerts are written in: a clinician reads these in an alert's title and "why"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from careverse.monitoring import units
from careverse.monitoring.findings import amount, day_hhmm, hhmm, label_of, unit_of


@pytest.mark.parametrize(
    ("code", "label"),
    [
        (units.SPO2, "SpO2"),  # the short label, not "Oxygen saturation"
        (units.SYSTOLIC, "Systolic BP"),
        (units.RR_INTERVAL, "RR interval"),  # no short label: the code's own
        ("99999-9", "99999-9"),  # a code we do not know: named by its code
    ],
)
def test_a_code_is_named_by_its_short_label_then_its_label_then_itself(code, label):
    assert label_of(code) == label


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        (units.TEMPERATURE, "°C"),  # UCUM "Cel" as people write it
        (units.SYSTOLIC, "mmHg"),
        (units.STEPS, "steps"),
        (units.SPO2, "%"),  # no display form: the UCUM unit itself
        (units.WEIGHT, "kg"),
        ("99999-9", ""),
    ],
)
def test_units_are_written_as_people_read_them(code, unit):
    assert unit_of(code) == unit


@pytest.mark.parametrize(
    ("code", "value", "words"),
    [
        (units.SPO2, 89.0, "89 %"),  # no ".0"
        (units.TEMPERATURE, 38.44, "38.4 °C"),  # one decimal
        (units.TEMPERATURE, 38.46, "38.5 °C"),  # rounded, not cut
        (units.HEART_RATE, 120, "120 /min"),
        (units.WEIGHT, 2.5, "2.5 kg"),
        ("99999-9", 7.0, "7"),  # no unit: no trailing space
    ],
)
def test_an_amount_is_rounded_to_one_decimal_with_its_unit(code, value, words):
    assert amount(code, value) == words


def test_times_are_written_in_utc_whether_or_not_the_database_kept_the_zone():
    aware = datetime(2026, 12, 1, 14, 5, 59, tzinfo=UTC)
    naive = datetime(2026, 3, 9, 7, 0)  # SQLite gives naive datetimes, which are UTC
    assert hhmm(aware) == "14:05 UTC"
    assert hhmm(naive) == "07:00 UTC"
    assert day_hhmm(aware) == "01 Dec 14:05 UTC"
    assert day_hhmm(naive) == "09 Mar 07:00 UTC"
