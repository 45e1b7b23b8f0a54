"""The audit chain's hash: every field but the hash is covered, in one canonical form."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from careverse.kernel.audit import GENESIS, canonical, chain_hash

ROW = {
    "seq": 7,
    "at": datetime(2025, 3, 1, 12, 30, 45, 123456, tzinfo=UTC),
    "actor_id": uuid.UUID("11111111-2222-3333-4444-555555555555"),
    "actor_role": "clinician",
    "action": "record.read",
    "outcome": "success",
    "patient_id": uuid.UUID("66666666-7777-8888-9999-000000000000"),
    "resource_type": "Patient",
    "resource_id": "66666666-7777-8888-9999-000000000000",
    "purpose": "treatment",
    "address": "203.0.113.7",
    "detail": '{"basis": "care-relationship"}',
    "prev_hash": GENESIS,
}
CHANGES = {
    "seq": 8,
    "at": datetime(2025, 3, 1, 12, 30, 45, 123457, tzinfo=UTC),
    "actor_id": uuid.uuid4(),
    "actor_role": "admin",
    "action": "record.write",
    "outcome": "denied",
    "patient_id": uuid.uuid4(),
    "resource_type": "Consent",
    "resource_id": "x",
    "purpose": "research",
    "address": "203.0.113.8",
    "detail": '{"basis": "break-glass"}',
    "prev_hash": "1" * 64,
}


def test_the_hash_is_a_sha256_of_the_canonical_form():
    assert len(chain_hash(ROW)) == 64
    assert chain_hash(ROW) == chain_hash(dict(ROW))
    body = json.loads(canonical(ROW))
    assert set(body) == set(ROW)
    assert body["at"] == "2025-03-01T12:30:45.123456Z"
    assert body["actor_id"] == "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize("column", sorted(CHANGES))
def test_every_field_is_covered(column):
    assert set(CHANGES) == set(ROW)
    assert chain_hash({**ROW, column: CHANGES[column]}) != chain_hash(ROW)


@pytest.mark.parametrize("column", ["actor_id", "patient_id", "detail", "purpose", "address"])
def test_an_absent_value_differs_from_a_present_one(column):
    assert chain_hash({**ROW, column: None}) != chain_hash(ROW)


def test_the_stored_hash_itself_is_not_covered():
    assert chain_hash({**ROW, "hash": "a" * 64}) == chain_hash({**ROW, "hash": "b" * 64})


def test_a_naive_timestamp_from_sqlite_hashes_like_its_utc_value():
    naive = ROW["at"].replace(tzinfo=None)
    assert chain_hash({**ROW, "at": naive}) == chain_hash(ROW)
