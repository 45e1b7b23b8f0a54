"""What identity publishes.

- :class:`DelegationRevoked` — a patient ended a caregiver's delegation (or the caregiver stepped
  back). Published in the revocation's unit of work, so handlers of the TRANSACTION phase change
  their rows with it: care ends the consult invitations that rested on the delegation (and the
  world lets the caregiver out of those consult rooms).

The policy reads delegations on every request, so access ends with the revocation whoever
listens; the event is for what others keep beside it (invitations, room memberships, sockets).
Expiry publishes nothing: it acts on the next request through the same look-up.
"""

from __future__ import annotations

import uuid

from careverse.kernel.events import DomainEvent


class DelegationRevoked(DomainEvent, frozen=True):
    """A caregiver's delegation from a patient ended before its expiry."""

    delegation_id: uuid.UUID
    patient_id: uuid.UUID
    caregiver_id: uuid.UUID
    by_id: uuid.UUID  # the patient, or the caregiver stepping back
