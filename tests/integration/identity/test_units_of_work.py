"""Identity's units of work: each entry point commits once on its own, or joins its caller's;
and ``erase_account`` deletes identity's own rows of a person, explicitly, in the caller's."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from careverse.identity.emails import email_index
from careverse.identity.erasure import erase_account
from careverse.identity.models import (
    Account,
    AuthSession,
    CareRelationship,
    Delegation,
    LoginFailure,
    PasswordResetToken,
    Patient,
)
from careverse.identity.relationships import RelationshipService
from careverse.identity.service import IdentityService
from careverse.kernel.uow import unit_of_work
from tests.integration.privacy.support import (
    assign,
    cheap_password_hashing,
    count,
    delegate,
    person,
)

__all__ = ["cheap_password_hashing", "person"]


class Boom(Exception):
    """What makes the caller's unit of work fail."""


async def relationships_of(app, patient_id: uuid.UUID) -> list[CareRelationship]:
    async with app.state.runtime.db.session() as session:
        query = select(CareRelationship).where(CareRelationship.patient_id == patient_id)
        return list((await session.scalars(query)).all())


async def test_a_relationship_commits_alone_or_with_its_caller(app, person):
    clinician, patient = await person("clinician"), await person("patient")
    pid = patient.patient_id
    db = app.state.runtime.db

    # Inside a caller's unit of work that fails, the relationship goes with it.
    with pytest.raises(Boom):
        async with db.session() as session, unit_of_work(session):
            await RelationshipService(session).create(
                clinician.id, pid, "appointment", source_id="a-1"
            )
            raise Boom
    assert await relationships_of(app, pid) == []

    # On its own it commits.
    async with db.session() as session:
        await RelationshipService(session).create(clinician.id, pid, "appointment", source_id="a-1")
    async with db.session() as session:
        ended = await RelationshipService(session).end_by_source("appointment", "a-1")
    assert ended == 1
    [rel] = await relationships_of(app, pid)
    assert rel.revoked_at is not None


async def test_a_refused_sign_in_is_remembered(app, client, person):
    patient = await person("patient")
    refused = await client.post(
        "/api/auth/token", data={"username": patient.email, "password": "not-the-password"}
    )
    assert refused.status_code == 401
    # Raised after its unit of work committed: the failure counts towards the throttle.
    assert await count(app, LoginFailure) == 1


async def test_erase_account_deletes_identitys_rows_of_the_person(app, client, person):
    admin, clinician = await person("admin"), await person("clinician")
    patient, caregiver = await person("patient"), await person("caregiver")
    neighbour = await person("patient")
    pid = patient.patient_id
    await assign(client, admin, clinician, patient)
    await assign(client, admin, clinician, neighbour)
    await delegate(client, patient, caregiver, ["record:read"])
    await delegate(client, neighbour, caregiver, ["record:read"])
    db, settings = app.state.runtime.db, app.state.runtime.settings
    async with db.session() as session:
        await IdentityService(session, settings).admin_password_reset(None, patient.id)
    await client.post("/api/auth/token", data={"username": patient.email, "password": "wrong"})

    # Joined to a caller's unit of work that fails, nothing is erased.
    with pytest.raises(Boom):
        async with db.session() as session, unit_of_work(session):
            assert await erase_account(session, patient.id) == pid
            raise Boom
    assert await count(app, Patient, Patient.id == pid) == 1

    async with db.session() as session, unit_of_work(session):
        assert await erase_account(session, patient.id) == pid
    assert await count(app, Patient, Patient.id == pid) == 0
    for model in (Delegation, CareRelationship):
        assert await count(app, model, model.patient_id == pid) == 0, model.__name__
    for model in (AuthSession, PasswordResetToken):
        assert await count(app, model, model.account_id == patient.id) == 0, model.__name__
    assert await count(app, LoginFailure) == 0
    async with db.session() as session:
        tombstone = await session.get(Account, patient.id)
        assert tombstone.display_name == "Erased account" and not tombstone.is_active
        assert tombstone.email_index != email_index(patient.email)
        assert tombstone.patient is None

    # A caregiver's erasure ends the delegations they held; the patients' records stay.
    async with db.session() as session, unit_of_work(session):
        assert await erase_account(session, caregiver.id) is None
    assert await count(app, Delegation, Delegation.caregiver_id == caregiver.id) == 0
    assert await count(app, Patient, Patient.id == neighbour.patient_id) == 1
    # A clinician's erasure ends the relationships they held.
    async with db.session() as session:  # on its own, it is its own unit of work
        assert await erase_account(session, clinician.id) is None
    assert await count(app, CareRelationship) == 0
    assert await count(app, Patient, Patient.id == neighbour.patient_id) == 1

    async with db.session() as session:
        assert await erase_account(session, uuid.uuid4()) is None
