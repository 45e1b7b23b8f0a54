"""Heart beats as they arrive: one event the monitoring ingest publishes, any capability hears.

Monitoring stores a wearable's RR intervals (Open mHealth ``rr-interval``) and heart rates with
every other reading. Wellbeing's breathing biofeedback needs them live, within a second of the
beat, on whichever node the patient's breathing page is open; it may not import monitoring, and
monitoring need not know who listens: the kernel holds only the event.

:class:`HeartBeatsRecorded` is published in the ingest's unit of work, one per patient per batch,
only for values newly stored (never for duplicates), and handled in the EVERYWHERE phase. Unlike
most events it carries values (each RR interval or heart rate and when it was measured): a
subscriber on another node has no other way to them. It crosses only the deployment's own bus
and is never logged.
"""

from __future__ import annotations

import uuid

from careverse.kernel.events import DomainEvent


class HeartBeatsRecorded(DomainEvent, frozen=True):
    """A patient's RR intervals and/or heart rates were committed (oldest first)."""

    patient_id: uuid.UUID
    rr_ms: tuple[float, ...] = ()  # RR intervals in milliseconds
    rr_at: tuple[float, ...] = ()  # when each interval ended, seconds since the epoch
    heart_rate: tuple[float, ...] = ()  # beats a minute
    heart_rate_at: tuple[float, ...] = ()
    received_at: float = 0.0  # time.time() when the request or message arrived
