"""Monitoring's domain logic: devices and pairing, readings in, charts out.

Users go through the access policy (``authorize``: patient self, caregiver delegation with
``vitals:write``, clinician with a care relationship). A device is not an account: its
credential (random, shown once, stored as SHA-256) binds it to one patient, and it is looked up in
the database on every batch, so revoking it stops it at once.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.service import patient_exists
from careverse.kernel import audit, clock, tokens
from careverse.kernel.errors import DomainError, InvalidInput, NotAuthenticated, NotFound
from careverse.kernel.policy import Actor, Category, authorize
from careverse.monitoring import ingest, readings, units
from careverse.monitoring.events import ReadingListeners
from careverse.monitoring.models import DEVICE_KINDS, Device, PairingCode

PAIRING_TTL = timedelta(minutes=10)
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CREDENTIAL_PREFIX = "cvd"


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class Paired:
    device_id: uuid.UUID
    credential: str


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


class MonitoringService:
    def __init__(self, session: AsyncSession, listeners: ReadingListeners | None = None):
        self.session = session
        self.listeners = listeners

    # ---- devices -----------------------------------------------------------------------------

    async def _patient(self, patient_id: uuid.UUID) -> None:
        if not await patient_exists(self.session, patient_id):
            raise NotFound("Not found.")

    async def register_device(
        self, actor: Actor, patient_id: uuid.UUID, kind: str, label: str
    ) -> Device:
        await authorize(
            self.session, actor, patient_id, Category.VITALS, write=True, resource_type="Device"
        )
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
        await self.session.commit()
        return device

    async def devices(self, actor: Actor, patient_id: uuid.UUID) -> list[Device]:
        await authorize(self.session, actor, patient_id, Category.VITALS, resource_type="Device")
        rows = await self.session.scalars(
            select(Device).where(Device.patient_id == patient_id).order_by(Device.created_at)
        )
        result = list(rows.all())
        await self.session.commit()
        return result

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
        device = await self._device(actor, device_id, write=True)
        device.status = "revoked"
        device.revoked_at = clock.now()
        device.credential_hash = None
        await self.session.execute(
            update(PairingCode)
            .where(PairingCode.device_id == device.id, PairingCode.used_at.is_(None))
            .values(used_at=clock.now())
        )
        audit.record(
            self.session, "device.revoke", actor=actor, patient_id=device.patient_id,
            resource_type="Device", resource_id=device.id,
        )  # fmt: skip
        await self.session.commit()

    async def pairing_code(self, actor: Actor, device_id: uuid.UUID) -> tuple[str, datetime]:
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
            PairingCode(device_id=device.id, code_hash=tokens.digest(code), expires_at=expires_at)
        )
        audit.record(
            self.session, "device.pairing-code", actor=actor, patient_id=device.patient_id,
            resource_type="Device", resource_id=device.id,
        )  # fmt: skip
        await self.session.commit()
        return code, expires_at

    async def pair(self, code: str, address: str | None = None) -> Paired:
        """A device exchanges a pairing code (once, before it expires) for its credential."""
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
        device.status = "active"
        device.paired_at = now
        audit.record(
            self.session, "device.pair", patient_id=device.patient_id, resource_type="Device",
            resource_id=device.id, actor_role="device", address=address,
        )  # fmt: skip
        await self.session.commit()
        return Paired(device.id, credential)

    # ---- readings in -------------------------------------------------------------------------

    async def ingest_as_device(
        self, device: Device, items: list[ingest.Item], received: float, channel: str = "http"
    ) -> ingest.Outcome:
        async with ingest.write_lock(self.session):
            await ingest.store(
                self.session, items, patient_id=device.patient_id, device_id=device.id
            )
            ingest.audit_batch(self.session, items, device_id=device.id, channel=channel)
            await self.session.commit()
        ingest.committed(self.listeners, items, received)
        return ingest.Outcome(items)

    async def ingest_as_user(
        self,
        actor: Actor,
        patient_id: uuid.UUID,
        items: list[ingest.Item],
        received: float,
        channel: str = "http",
    ) -> ingest.Outcome:
        await authorize(
            self.session, actor, patient_id, Category.VITALS, write=True,
            resource_type="Observation",
        )  # fmt: skip
        await self._patient(patient_id)
        async with ingest.write_lock(self.session):
            await ingest.store(self.session, items, patient_id=patient_id, device_id=None)
            await self.session.commit()  # the authorize() audit event records the batch
        ingest.committed(self.listeners, items, received)
        return ingest.Outcome(items)

    async def ingest_many(
        self, actor: Actor, items: list[ingest.Item], received: float, *, atomic: bool = False
    ) -> ingest.Outcome:
        """Items that each name their patient (FHIR): each patient is authorized once."""
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
                    allowed[pid] = await patient_exists(self.session, pid)
                except DomainError:  # Forbidden or NotFound (audited as refused)
                    allowed[pid] = False
            if not allowed[pid]:
                item.reason = "not found, or not yours to write"
                item.values = []
        if atomic and any(i.reason for i in items):
            await self.session.rollback()
            return ingest.Outcome(items)
        async with ingest.write_lock(self.session):
            await ingest.store(self.session, items, patient_id=None, device_id=None)
            await self.session.commit()
        ingest.committed(self.listeners, items, received)
        return ingest.Outcome(items)

    # ---- readings out ------------------------------------------------------------------------

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
        await authorize(
            self.session, actor, patient_id, Category.VITALS, resource_type="Observation"
        )
        points = await readings.downsample(self.session, patient_id, code, start, end, buckets)
        await self.session.commit()
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
        await authorize(
            self.session, actor, patient_id, Category.VITALS, resource_type="Observation"
        )
        found = await readings.latest(self.session, patient_id)
        await self.session.commit()
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
