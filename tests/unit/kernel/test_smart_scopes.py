"""SMART v2 scopes: their syntax, what an app may be granted, and what a grant reaches."""

from __future__ import annotations

import uuid

import pytest

from careverse.kernel.policy import Category
from careverse.kernel.smart import CATEGORY_OF_TYPE, AppGrant, BadScope, allowed, parse_scope


@pytest.mark.parametrize(
    "scope",
    ["patient/Observation.rs", "user/Appointment.cruds", "patient/*.r", "user/Patient.read",
     "launch/patient", "launch", "openid", "fhirUser", "offline_access"],
)  # fmt: skip
def test_good_scopes_parse(scope):
    parse_scope(scope)


@pytest.mark.parametrize(
    "scope",
    ["patient/Observation.sr", "patient/Observation.rr", "patient/Observation.x", "patient/Foo.rs",
     "admin/Observation.rs", "patient/Observation", "launch/other", "", "patient/observation.rs"],
)  # fmt: skip
def test_bad_scopes_are_refused(scope):
    with pytest.raises(BadScope):
        parse_scope(scope)


def test_an_app_is_granted_only_what_it_was_registered_for():
    registered = ["patient/*.rs", "launch/patient"]
    assert allowed("patient/Observation.rs", registered)
    assert allowed("patient/Observation.r", registered)
    assert not allowed("patient/Observation.cruds", registered)
    assert not allowed("user/Observation.rs", registered)
    assert not allowed("offline_access", registered)


def test_every_category_of_the_table_is_a_policy_category():
    assert set(CATEGORY_OF_TYPE.values()) <= {c.value for c in Category}


def test_a_grant_reaches_its_types_and_only_its_launch_patient():
    me, other = uuid.uuid4(), uuid.uuid4()
    grant = AppGrant(uuid.uuid4(), "MyBP", uuid.uuid4(), ("patient/Observation.rs",), me)
    assert grant.permits(Category.VITALS, False, me)
    assert not grant.permits(Category.VITALS, False, other)
    assert not grant.permits(Category.VITALS, True, me)  # read only
    assert not grant.permits(Category.APPOINTMENTS, False, me)
    assert grant.permits_type("Observation", False)
    assert not grant.permits_type("Appointment", False)
    unlaunched = AppGrant(uuid.uuid4(), "X", uuid.uuid4(), ("patient/Observation.rs",), None)
    assert not unlaunched.permits(Category.VITALS, False, me)
    user = AppGrant(uuid.uuid4(), "X", uuid.uuid4(), ("user/*.rs",), None)
    assert user.permits(Category.WELLBEING, False, other)
    assert not user.permits(Category.WELLBEING, True, other)
