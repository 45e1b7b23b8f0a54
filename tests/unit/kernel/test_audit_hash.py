"""The audit chain's canonical form and hash, pinned byte for byte.

An auditor recomputes the chain outside Careverse from docs/security.md ("SHA-256 over the previous
hash and its own canonical JSON"), so the canonical form is a contract: these tests spell it out
rather than asking the code what it is.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta, timezone

from careverse.kernel import audit

ACTOR = uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
PATIENT = uuid.UUID("6fa459ea-ee8a-3ca4-894e-db77e160355e")
PREV = "ab" * 32
ACTOR_JSON, PATIENT_JSON = f'"{ACTOR}"'.encode(), f'"{PATIENT}"'.encode()

ROW = {
    "seq": 7,
    "at": datetime(2026, 3, 23, 9, 0, 0, 250, tzinfo=UTC),
    "actor_id": ACTOR,
    "actor_role": "clinician",
    "action": "record.read",
    "outcome": "success",
    "patient_id": PATIENT,
    "resource_type": "Observation",
    "resource_id": "42",
    "purpose": "treatment",
    "address": "203.0.113.7",
    "detail": '{"why": "Zoë"}',
    "prev_hash": PREV,
    "hash": "not covered by itself",
}
# Sorted keys, no spaces, UTF-8 as is, the time in UTC with microseconds and "Z", ids as strings.
CANONICAL = (
    '{"action":"record.read","actor_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427",'
    '"actor_role":"clinician","address":"203.0.113.7","at":"2026-03-23T09:00:00.000250Z",'
    '"detail":"{\\"why\\": \\"Zoë\\"}","outcome":"success",'
    '"patient_id":"6fa459ea-ee8a-3ca4-894e-db77e160355e","prev_hash":"' + PREV + '",'
    '"purpose":"treatment","resource_id":"42","resource_type":"Observation","seq":7}'
).encode()


def test_the_canonical_form_of_a_row_is_sorted_compact_utf8_json():
    assert audit.canonical(ROW) == CANONICAL


def test_a_rows_hash_is_the_hex_sha256_of_its_canonical_form():
    assert audit.chain_hash(ROW) == hashlib.sha256(CANONICAL).hexdigest()


def test_missing_ids_are_null_and_a_naive_time_is_utc():
    row = {
        **ROW,
        "actor_id": None,
        "patient_id": None,
        "at": datetime(2026, 3, 23, 9, 0, 0, 250),  # as SQLite answers it
    }
    body = audit.canonical(row)
    assert body == CANONICAL.replace(ACTOR_JSON, b"null").replace(PATIENT_JSON, b"null")


def test_a_time_with_another_offset_is_converted_to_utc_not_relabelled():
    # 11:00 at +02:00 is 09:00 UTC: the same instant has the same canonical form, whatever
    # offset the driver or the caller gave it (never "11:00...Z").
    at = datetime(2026, 3, 23, 11, 0, 0, 250, tzinfo=timezone(timedelta(hours=2)))
    assert audit.canonical({**ROW, "at": at}) == CANONICAL


def test_the_hash_covers_every_field_but_itself():
    base = audit.chain_hash(ROW)
    assert audit.chain_hash({**ROW, "hash": "something else"}) == base
    for key, other in {
        "seq": 8, "at": ROW["at"] + timedelta(microseconds=1), "actor_id": PATIENT,
        "actor_role": "admin", "action": "record.write", "outcome": "denied",
        "patient_id": ACTOR, "resource_type": "Alert", "resource_id": "43",
        "purpose": "emergency", "address": "203.0.113.8", "detail": None, "prev_hash": "cd" * 32,
    }.items():  # fmt: skip
        assert audit.chain_hash({**ROW, key: other}) != base, key


def test_the_chain_starts_from_sixty_four_zeros():
    assert audit.GENESIS == "0" * 64
