"""Cancelling an appointment ends the care relationship its booking opened, and only that one."""

from __future__ import annotations

from sqlalchemy import select

from careverse.identity.models import CareRelationship
from tests.integration.care.support import book
from tests.integration.privacy.support import assign


async def reaches(client, clinician, patient) -> bool:
    found = await client.get(f"/api/patients/{patient.patient_id}", headers=clinician.headers)
    assert found.status_code in (200, 404), found.text
    return found.status_code == 200


async def relationships(app, clinician) -> list[CareRelationship]:
    async with app.state.runtime.db.session() as session:
        rows = await session.scalars(
            select(CareRelationship).where(CareRelationship.clinician_id == clinician.id)
        )
        return list(rows.all())


async def test_cancelling_ends_the_bookings_relationship(
    app, client, person, clinician_with_hours, monday
):
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient")
    first = (await book(client, patient, clinician, "2026-03-24T09:00:00Z")).json()
    second = (await book(client, patient, clinician, "2026-03-25T09:00:00Z")).json()
    assert await reaches(client, clinician, patient)

    # Two visits: cancelling one leaves the other's relationship, so the clinician still reaches.
    cancelled = await client.post(
        f"/api/care/appointments/{first['id']}/cancel", json={}, headers=patient.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert await reaches(client, clinician, patient)
    ended = {r.source_id: r.revoked_at for r in await relationships(app, clinician)}
    assert ended[first["id"]] is not None and ended[second["id"]] is None

    # The last visit cancelled (by the clinician): nothing else needs the relationship.
    by_clinician = await client.post(
        f"/api/care/appointments/{second['id']}/cancel", json={}, headers=clinician.headers
    )
    assert by_clinician.status_code == 200, by_clinician.text
    assert not await reaches(client, clinician, patient)
    assert all(r.revoked_at is not None for r in await relationships(app, clinician))
    # Booking again opens a new one.
    again = await book(client, patient, clinician, "2026-03-26T09:00:00Z")
    assert again.status_code == 201
    assert await reaches(client, clinician, patient)


async def test_an_assignment_outlives_a_cancelled_visit(
    client, person, clinician_with_hours, monday
):
    clinician = await clinician_with_hours("UTC")
    patient, admin = await person("patient"), await person("admin")
    await assign(client, admin, clinician, patient)
    made = (await book(client, patient, clinician, "2026-03-24T09:00:00Z")).json()
    await client.post(
        f"/api/care/appointments/{made['id']}/cancel", json={}, headers=patient.headers
    )
    assert await reaches(client, clinician, patient)


async def test_end_by_source_ends_only_that_source(app, person):
    from careverse.identity.relationships import RelationshipService

    clinician, patient = await person("clinician"), await person("patient")
    async with app.state.runtime.db.session() as session:
        service = RelationshipService(session)
        await service.create(clinician.id, patient.patient_id, "appointment", source_id="a")
        await service.create(clinician.id, patient.patient_id, "appointment", source_id="a")
        await service.create(clinician.id, patient.patient_id, "appointment", source_id="b")
        assert await service.end_by_source("appointment", "a") == 2
        assert await service.end_by_source("appointment", "a") == 0  # already ended
    rows = await relationships(app, clinician)
    assert sorted((r.source_id, r.revoked_at is None) for r in rows) == [
        ("a", False), ("a", False), ("b", True),
    ]  # fmt: skip
