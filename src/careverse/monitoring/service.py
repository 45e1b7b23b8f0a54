"""Monitoring's domain logic: devices and pairing, readings in, charts out.

Users go through the access policy (``authorize``: patient self, caregiver delegation with
``vitals:write``, clinician with a care relationship). A device is not an account: its
credential (random, shown once, stored as SHA-256) binds it to one patient, and it is looked up in
the database on every batch, so revoking it stops it at once. Over MQTT the broker checks the
credential (its password-file hash is stored at pairing) and the topic names the device.

Each entry point is one unit of work. Ingest takes the SQLite writer queue (``ingest.write_lock``)
around its unit of work, and publishes ``ReadingsCommitted`` in it: the batch is answered, and
the rules run, only after the commit.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.kernel import audit, clock, tokens
from careverse.kernel.errors import DomainError, InvalidInput, NotAuthenticated, NotFound
from careverse.kernel.policy import Actor, Category, authorize
from careverse.kernel.uow import UnitOfWork, unit_of_work
from careverse.monitoring import broker, ingest, readings, units
from careverse.monitoring.models import DEVICE_KINDS, Device, PairingCode, Reading

PAIRING_TTL = timedelta(minutes=10)
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CREDENTIAL_PREFIX = "cvd"


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class Paired:
    device_id: uuid.UUID
    credential: str


class _NothingStored(Exception):
    """An all-or-nothing batch had a bad item: its unit of work rolls back."""


async def device_for_credential(session: AsyncSession, credential: str | None) -> Device:
    """The active device behind a credential (a database lookup: no cache outlives a revoke)."""
    if (
        not credential
        or not credential.startswith(CREDENTIAL_PREFIX + "_")
        or len(credential) > 200
    ):
        raise NotAuthenticated("Unknown or revoked device credential.")
    device = await session.scalar(
        select(Device).where(
            Device.credential_hash == tokens.digest(credential), Device.status == "active"
        )
    )
    if device is None:
        raise NotAuthenticated("Unknown or revoked device credential.")
    return device


async def device_for_topic(session: AsyncSession, device_id: str | None) -> Device:
    """The active device an MQTT topic names. The broker authenticated the publisher as this
    device (username = device id) and its ACL let it publish only there, so the topic is the
    proof; the database lookup still stops a revoked device at once."""
    try:
        key = uuid.UUID(device_id or "")
    except ValueError:
        raise NotAuthenticated("Unknown or revoked device.") from None
    device = await session.get(Device, key)
    if device is None or device.status != "active":
        raise NotAuthenticated("Unknown or revoked device.")
    return device


async def broker_accounts(session: AsyncSession) -> dict[str, str]:
    """``device id -> password-file hash`` of every active device that can use the broker."""
    rows = await session.execute(
        select(Device.id, Device.broker_hash).where(
            Device.status == "active", Device.broker_hash.is_not(None)
        )
    )
    return {str(device_id): hashed for device_id, hashed in rows.all() if hashed}


class MonitoringService:
    def __init__(self, session: AsyncSession):
        self.session = session

    # ---- devices -----------------------------------------------------------------------------

    async def _patient(self, patient_id: uuid.UUID) -> None:
        if not await directory.patient_exists(self.session, patient_id):
            raise NotFound("Not found.")

    async def register_device(
        self, actor: Actor, patient_id: uuid.UUID, kind: str, label: str
    ) -> Device:
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.VITALS, write=True,
                resource_type="Device",
            )  # fmt: skip
            await self._patient(patient_id)
            if kind not in DEVICE_KINDS:
                raise InvalidInput("Unknown device kind.", field="kind")
            device = Device(
                patient_id=patient_id,
                kind=kind,
                label=label.strip() or kind,
                status="pending",
                created_by=actor.account_id,
            )
            self.session.add(device)
            await self.session.flush()
            audit.record(
                self.session, "device.create", actor=actor, patient_id=patient_id,
                resource_type="Device", resource_id=device.id, detail={"kind": kind},
            )  # fmt: skip
        return device

    async def devices(self, actor: Actor, patient_id: uuid.UUID) -> list[Device]:
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.VITALS, resource_type="Device"
            )
            rows = await self.session.scalars(
                select(Device).where(Device.patient_id == patient_id).order_by(Device.created_at)
            )
            return list(rows.all())

    async def _device(self, actor: Actor, device_id: uuid.UUID, *, write: bool) -> Device:
        device = await self.session.get(Device, device_id)
        if device is None:
            raise NotFound("Not found.")
        await authorize(
            self.session, actor, device.patient_id, Category.VITALS, write=write,
            resource_type="Device", resource_id=device.id,
        )  # fmt: skip
        return device

    async def revoke_device(self, actor: Actor, device_id: uuid.UUID) -> None:
        async with unit_of_work(self.session):
            device = await self._device(actor, device_id, write=True)
            device.status = "revoked"
            device.revoked_at = clock.now()
            device.credential_hash = None
            device.broker_hash = None
            await self.session.execute(
                update(PairingCode)
                .where(PairingCode.device_id == device.id, PairingCode.used_at.is_(None))
                .values(used_at=clock.now())
            )
            audit.record(
                self.session, "device.revoke", actor=actor, patient_id=device.patient_id,
                resource_type="Device", resource_id=device.id,
            )  # fmt: skip

    async def pairing_code(self, actor: Actor, device_id: uuid.UUID) -> tuple[str, datetime]:
        async with unit_of_work(self.session):
            device = await self._device(actor, device_id, write=True)
            if device.status == "revoked":
                raise InvalidInput("This device was revoked; register a new one.", code="revoked")
            now = clock.now()
            await self.session.execute(
                update(PairingCode)
                .where(PairingCode.device_id == device.id, PairingCode.used_at.is_(None))
                .values(used_at=now)
            )
            code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(8))
            expires_at = now + PAIRING_TTL
            self.session.add(
                PairingCode(
                    device_id=device.id, code_hash=tokens.digest(code), expires_at=expires_at
                )
            )
            audit.record(
                self.session, "device.pairing-code", actor=actor, patient_id=device.patient_id,
                resource_type="Device", resource_id=device.id,
            )  # fmt: skip
        return code, expires_at

    async def pair(self, code: str, address: str | None = None) -> Paired:
        """A device exchanges a pairing code (once, before it expires) for its credential."""
        async with unit_of_work(self.session):
            now = clock.now()
            pairing = await self.session.scalar(
                select(PairingCode).where(
                    PairingCode.code_hash == tokens.digest(normalize_code(code)),
                    PairingCode.used_at.is_(None),
                    PairingCode.expires_at > now,
                )
            )
            device = await self.session.get(Device, pairing.device_id) if pairing else None
            if pairing is None or device is None or device.status == "revoked":
                raise NotFound("Unknown or expired pairing code.", code="pairing_code_invalid")
            pairing.used_at = now
            credential = tokens.new_secret(CREDENTIAL_PREFIX)
            device.credential_hash = tokens.digest(credential)
            device.broker_hash = broker.mosquitto_hash(credential)
            device.status = "active"
            device.paired_at = now
            audit.record(
                self.session, "device.pair", patient_id=device.patient_id, resource_type="Device",
                resource_id=device.id, actor_role="device", address=address,
            )  # fmt: skip
        return Paired(device.id, credential)

    # ---- readings in -------------------------------------------------------------------------

    @staticmethod
    async def _committed(uow: UnitOfWork, items: list[ingest.Item], received: float) -> None:
        event = ingest.readings_committed(items, received)
        if event is not None:
            await uow.publish(event)
        for beats in ingest.heart_beats_recorded(items, received):  # live biofeedback (wellbeing)
            await uow.publish(beats)

    async def ingest_as_device(
        self, device: Device, items: list[ingest.Item], received: float, channel: str = "http"
    ) -> ingest.Outcome:
        """A device's batch, for its own patient; answers after the commit."""
        async with ingest.write_lock(self.session), unit_of_work(self.session) as uow:
            await ingest.store(
                self.session, items, patient_id=device.patient_id, device_id=device.id
            )
            ingest.audit_batch(self.session, items, device_id=device.id, channel=channel)
            await self._committed(uow, items, received)
        return ingest.Outcome(items)

    async def ingest_as_user(
        self,
        actor: Actor,
        patient_id: uuid.UUID,
        items: list[ingest.Item],
        received: float,
        channel: str = "http",
    ) -> ingest.Outcome:
        """A signed-in user's batch for one patient (the authorize() audit event records it)."""
        async with ingest.write_lock(self.session), unit_of_work(self.session) as uow:
            await authorize(
                self.session, actor, patient_id, Category.VITALS, write=True,
                resource_type="Observation",
            )  # fmt: skip
            await self._patient(patient_id)
            await ingest.store(self.session, items, patient_id=patient_id, device_id=None)
            await self._committed(uow, items, received)
        return ingest.Outcome(items)

    async def ingest_many(
        self, actor: Actor, items: list[ingest.Item], received: float, *, atomic: bool = False
    ) -> ingest.Outcome:
        """Items that each name their patient (FHIR): each patient is authorized once.

        A patient the actor may not write to fails its items only (the refusal is audited after
        the commit); ``atomic``: any failed item stores nothing.
        """
        try:
            async with ingest.write_lock(self.session), unit_of_work(self.session) as uow:
                allowed: dict[uuid.UUID, bool] = {}
                for item in items:
                    if item.reason is not None or item.patient_id is None:
                        continue
                    pid = item.patient_id
                    if pid not in allowed:
                        try:
                            await authorize(
                                self.session, actor, pid, Category.VITALS, write=True,
                                resource_type="Observation",
                            )  # fmt: skip
                            allowed[pid] = await directory.patient_exists(self.session, pid)
                        except DomainError:  # Forbidden or NotFound (audited as refused)
                            allowed[pid] = False
                    if not allowed[pid]:
                        item.reason = "not found, or not yours to write"
                        item.values = []
                if atomic and any(i.reason for i in items):
                    raise _NothingStored
                await ingest.store(self.session, items, patient_id=None, device_id=None)
                await self._committed(uow, items, received)
        except _NothingStored:
            pass
        return ingest.Outcome(items)

    async def ingest_observations(
        self,
        writer: Device | Actor,
        items: list[ingest.Item],
        *,
        atomic: bool,
        bundle: str | None = None,
    ) -> dict[int, list[Reading]]:
        """FHIR Observations (one, or a ``batch``/``transaction`` Bundle's) from a device or a
        user; answers the stored rows of each stored or duplicate item, by index."""
        received = received_now()
        if isinstance(writer, Device):
            for item in items:
                if item.reason is None and item.patient_id not in (None, writer.patient_id):
                    item.reason, item.values = "a device writes only to its own patient", []
                item.patient_id = writer.patient_id
            if atomic and any(i.reason for i in items):
                return {}
            await self.ingest_as_device(writer, items, received, channel="fhir")
        else:
            for item in items:
                if item.reason is None and item.patient_id is None:
                    item.reason, item.values = "subject (Patient/<id>) is required", []
            await self.ingest_many(writer, items, received, atomic=atomic)
        failed = sum(1 for i in items if i.reason)
        async with unit_of_work(self.session):
            rows = await self._stored_rows(items)
            if bundle is not None and isinstance(writer, Actor) and not (atomic and failed):
                audit.record(
                    self.session, "fhir.bundle", actor=writer, resource_type="Bundle",
                    detail={"type": bundle, "entries": len(items), "failed": failed},
                )  # fmt: skip
        return rows

    async def _stored_rows(self, items: list[ingest.Item]) -> dict[int, list[Reading]]:
        keys = [
            (i.patient_id, v.source_id, v.code)
            for i in items
            if i.status in ("stored", "duplicate")
            for v in i.values
        ]
        rows: dict[tuple, Reading] = {}
        for start in range(0, len(keys), 300):
            chunk = keys[start : start + 300]
            found = await self.session.scalars(
                select(Reading).where(
                    tuple_(Reading.patient_id, Reading.source_id, Reading.code).in_(chunk)
                )
            )
            rows.update({(r.patient_id, r.source_id, r.code): r for r in found})
        return {
            i.index: [
                rows[k] for v in i.values if (k := (i.patient_id, v.source_id, v.code)) in rows
            ]
            for i in items
            if i.status in ("stored", "duplicate")
        }

    # ---- readings out ------------------------------------------------------------------------

    async def reading(self, actor: Actor, reading_id: int | None) -> Reading:
        """One stored reading (``None``: an id that cannot be one)."""
        async with unit_of_work(self.session):
            reading = (
                await self.session.get(Reading, reading_id) if reading_id is not None else None
            )
            if reading is None:
                raise NotFound("Not found.")
            await authorize(
                self.session, actor, reading.patient_id, Category.VITALS,
                resource_type="Observation", resource_id=reading.id,
            )  # fmt: skip
            return reading

    async def vitals(
        self,
        actor: Actor,
        patient_id: uuid.UUID,
        code: str,
        start: datetime | None,
        end: datetime | None,
        buckets: int,
    ) -> dict:
        code = units.canonical(code)
        spec = units.CODES.get(code)
        if spec is None:
            raise InvalidInput("Unsupported code.", field="code")
        end = end or clock.now()
        start = start or end - timedelta(days=1)
        if start >= end:
            raise InvalidInput("start must be before end.", field="start")
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.VITALS, resource_type="Observation"
            )
            points = await readings.downsample(self.session, patient_id, code, start, end, buckets)
        return {
            "code": code,
            "label": spec.label,
            "unit": spec.unit,
            "points": [
                {"t": b.start, "min": b.min, "max": b.max, "mean": round(b.mean, 3), "n": b.n}
                for b in points
            ],
        }

    async def latest(self, actor: Actor, patient_id: uuid.UUID) -> dict:
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.VITALS, resource_type="Observation"
            )
            found = await readings.latest(self.session, patient_id)
        return {
            "readings": {
                code: {
                    "value": r.value,
                    "unit": r.unit,
                    "at": r.effective_at,
                    "label": units.CODES[code].label,
                }
                for code, r in found.items()
            }
        }


def received_now() -> float:
    return time.time()
