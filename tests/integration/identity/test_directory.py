"""The identity directory: what other capabilities may know about people, as frozen briefs."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from careverse.identity import directory
from careverse.identity.patients import PatientService
from careverse.kernel.actor import Role
from tests.integration.privacy.support import cheap_password_hashing

__all__ = ["cheap_password_hashing"]


@pytest.fixture
def session_of(app):
    return app.state.runtime.db.session


async def test_account_briefs(app, make_account, session_of):
    patient = await make_account("patient", email="Ada.Byron@Example.org", name="Ada Byron")
    clinician = await make_account("clinician", name="Dr. Grace Hopper")
    async with session_of() as session:
        brief = await directory.account(session, patient.id)
        assert brief == directory.AccountBrief(
            id=patient.id, display_name="Ada Byron", role=Role.PATIENT, is_active=True,
            preferred_language=None, patient_id=patient.patient.id,
        )  # fmt: skip
        with pytest.raises(dataclasses.FrozenInstanceError):
            brief.display_name = "Someone else"  # type: ignore[misc]
        other = await directory.account(session, clinician.id)
        assert other is not None and other.role is Role.CLINICIAN and other.patient_id is None
        assert await directory.account(session, uuid.uuid4()) is None

        # By e-mail: the address's normal form, through its blind index.
        found = await directory.account_by_email(session, "  ada.byron@EXAMPLE.org ")
        assert found is not None and found.id == patient.id
        assert await directory.account_by_email(session, "nobody@example.org") is None


async def test_clinicians_are_the_active_ones_in_a_stable_order(app, make_account, session_of):
    first = await make_account("clinician", name="Dr. First")
    second = await make_account("clinician", name="Dr. Second")
    gone = await make_account("clinician", name="Dr. Gone")
    patient = await make_account("patient")
    async with session_of() as session:
        (await session.get(type(gone), gone.id)).is_active = False
        await session.commit()
    async with session_of() as session:
        assert [c.id for c in await directory.clinicians(session)] == [first.id, second.id]
        assert (await directory.active_clinician(session, first.id)).display_name == "Dr. First"
        assert await directory.active_clinician(session, gone.id) is None
        assert await directory.active_clinician(session, patient.id) is None
        assert await directory.active_clinician(session, uuid.uuid4()) is None


async def test_names_roles_and_existence(app, make_account, session_of):
    patient = await make_account("patient", name="Ada Byron")
    caregiver = await make_account("caregiver", name="Charles Babbage")
    missing = uuid.uuid4()
    async with session_of() as session:
        names = await directory.display_names(session, {patient.id, caregiver.id, missing})
        assert names == {patient.id: "Ada Byron", caregiver.id: "Charles Babbage"}
        assert await directory.display_names(session, set()) == {}
        assert await directory.account_role(session, caregiver.id) == "caregiver"
        assert await directory.account_role(session, missing) is None
        assert await directory.patient_exists(session, patient.patient.id)
        assert not await directory.patient_exists(session, missing)


async def test_patient_briefs(app, make_account, session_of):
    ada = await make_account("patient", email="ada@example.org", name="Ada Byron")
    bob = await make_account("patient", name="Bob Lovelace")
    async with session_of() as session:
        simulated = await PatientService(session).create_without_account("Simulated patient 1")
    pid = ada.patient.id
    async with session_of() as session:
        brief = await directory.patient(session, pid)
        assert brief == directory.PatientBrief(
            id=pid, account_id=ada.id, name="Ada Byron", preferred_language=None
        )
        assert not hasattr(brief, "contact_email")  # contact details are asked for apart
        assert await directory.patient(session, uuid.uuid4()) is None
        assert await directory.patient_email(session, pid) == "ada@example.org"
        assert await directory.patient_email(session, simulated) is None

        everyone = await directory.patients(session)
        assert [p.id for p in everyone] == [pid, bob.patient.id, simulated]
        assert everyone[2].account_id is None
        assert [p.id for p in await directory.patients(session, limit=2)] == [pid, bob.patient.id]
        some = await directory.patients(session, {simulated, uuid.uuid4()})
        assert [p.name for p in some] == ["Simulated patient 1"]
        assert await directory.patients(session, []) == []
        names = await directory.patient_names(session, [pid, simulated])
        assert names == {pid: "Ada Byron", simulated: "Simulated patient 1"}


async def test_the_service_module_reexports_the_directory():
    from careverse.identity import service

    assert service.display_names is directory.display_names
    assert service.account_role is directory.account_role
    assert service.patient_exists is directory.patient_exists
