"""The key ring: AES-GCM round trips, rotation, key files and blind indexes."""

from __future__ import annotations

import re
import stat

import pytest
from cryptography.exceptions import InvalidTag

from careverse.kernel import crypto
from careverse.kernel.config import Settings
from careverse.kernel.crypto import KeyRing, KeyRingError, load_keyring, write_key_file


def test_round_trip_and_fresh_nonces():
    ring = KeyRing.generate()
    a, b = ring.encrypt("Amara Nwosu"), ring.encrypt("Amara Nwosu")
    assert a != b and "Amara" not in a
    assert ring.decrypt(a) == ring.decrypt(b) == "Amara Nwosu"


def test_tampering_is_detected():
    ring = KeyRing.generate()
    token = ring.encrypt("note")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises((InvalidTag, ValueError)):
        ring.decrypt(tampered)


def test_rotation_keeps_old_ciphertext_readable():
    ring = KeyRing.generate()
    old = ring.encrypt("before")
    rotated = ring.with_new_primary()
    assert rotated.primary != ring.primary
    assert rotated.decrypt(old) == "before"
    assert rotated.key_id_of(rotated.encrypt("after")) == rotated.primary
    assert rotated.blind_index("x", "email") == ring.blind_index("x", "email")


def test_blind_index_is_keyed_and_purpose_bound():
    a, b = KeyRing.generate(), KeyRing.generate()
    assert a.blind_index("x@example.org", "email") == a.blind_index("x@example.org", "email")
    assert a.blind_index("x@example.org", "email") != b.blind_index("x@example.org", "email")
    assert a.blind_index("x@example.org", "email") != a.blind_index("x@example.org", "login")


def test_embedded_default_writes_a_private_key_file(tmp_path):
    settings = Settings(data_dir=tmp_path)
    ring = load_keyring(settings)
    path = tmp_path / "keyring.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keyring(settings).decrypt(ring.encrypt("same")) == "same"


def test_spec_from_the_environment_is_validated():
    with pytest.raises(KeyRingError):
        KeyRing.from_spec("k1:abc")
    with pytest.raises(KeyRingError):
        KeyRing.from_spec("k1:" + "A" * 10 + ",index:" + "A" * 43)
    ring = KeyRing.generate()
    assert KeyRing.from_json(ring.to_json()).decrypt(ring.encrypt("x")) == "x"
    with pytest.raises(KeyRingError):
        KeyRing.from_json("{}")


def test_key_ids_are_k_and_eight_hex_digits():
    """Short, and safe inside ``kid:base64`` specs and ``cv1:<kid>:`` ciphertexts."""
    ring = KeyRing.generate()
    rotated = ring.with_new_primary()
    for kid in (ring.primary, rotated.primary):
        assert re.fullmatch(r"k[0-9a-f]{8}", kid), kid
    assert set(rotated.keys) == {ring.primary, rotated.primary}
    assert [len(k) for k in rotated.keys.values()] == [32, 32] and len(ring.index_key) == 32


def test_a_malformed_key_file_is_refused_with_a_clear_message():
    for text in ("{}", "not json", '{"keys": {"k1": "!!"}, "primary": "k1", "index_key": ""}'):
        with pytest.raises(KeyRingError, match=r"^the key file is malformed$"):
            KeyRing.from_json(text)


def test_a_created_key_file_is_discarded_once_and_only_if_unchanged(tmp_path):
    settings = Settings(data_dir=tmp_path)
    ring = load_keyring(settings)
    path = tmp_path / "keyring.json"
    assert ring.created_file == path
    crypto._discard_created_key_file(ring)
    assert ring.created_file is None and not path.exists()

    # Already gone (another node removed it): nothing to do, no error.
    ring = load_keyring(settings)
    path.unlink()
    crypto._discard_created_key_file(ring)
    assert ring.created_file is None

    # Replaced by another key ring meanwhile: that file is kept.
    ring = load_keyring(settings)
    write_key_file(path, KeyRing.generate())
    kept = path.read_text()
    crypto._discard_created_key_file(ring)
    assert ring.created_file is None and path.read_text() == kept


ADVICE = (
    " Start it with the key ring the data was written with (CAREVERSE_ENCRYPTION_KEYS or "
    "CAREVERSE_ENCRYPTION_KEY_FILE); refusing to start rather than misread the data."
)


@pytest.mark.parametrize("stored", ["garbage", "cv1", "cv1:", "cv2:k1:AAAA", ":k1:AAAA"])
def test_a_sentinel_that_is_no_careverse_ciphertext_is_refused_as_such(stored):
    ring = KeyRing.generate()
    index = ring.blind_index(crypto.SENTINEL_TEXT, crypto.SENTINEL_PURPOSE)
    with pytest.raises(KeyRingError) as refused:
        crypto._check_sentinel(ring, stored, index)
    assert str(refused.value) == "The stored key sentinel is not a Careverse ciphertext." + ADVICE


def test_the_sentinel_of_this_key_ring_passes():
    ring = KeyRing.generate()
    crypto._check_sentinel(
        ring,
        ring.encrypt(crypto.SENTINEL_TEXT),
        ring.blind_index(crypto.SENTINEL_TEXT, crypto.SENTINEL_PURPOSE),
    )


def test_a_sentinel_of_another_key_ring_is_refused_saying_which_key_differs():
    ring = KeyRing.generate()
    sealed = ring.encrypt(crypto.SENTINEL_TEXT)
    index = ring.blind_index(crypto.SENTINEL_TEXT, crypto.SENTINEL_PURPOSE)
    kid = ring.primary
    cases = {
        "Stored data is encrypted with key id "
        + kid
        + ", which this node's key ring does not hold.": KeyRing.generate(),
        f"This node's key {kid} differs from the key of that id the data was encrypted with.": (
            KeyRing({kid: bytes(32)}, kid, ring.index_key)
        ),
        "The index key differs: this node's blind-index key ('index') is not the one the stored "
        "data was indexed with, so sign-ins would fail and e-mail addresses could be registered "
        "twice.": KeyRing(ring.keys, kid, bytes(32)),
    }
    for reason, other in cases.items():
        with pytest.raises(KeyRingError) as refused:
            crypto._check_sentinel(other, sealed, index)
        assert str(refused.value) == reason + ADVICE


def test_a_key_file_is_written_into_directories_that_do_not_exist_yet(tmp_path):
    path = tmp_path / "not" / "yet" / "keyring.json"
    ring = KeyRing.generate()
    write_key_file(path, ring)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    read = KeyRing.from_json(path.read_text())
    assert (read.keys, read.primary, read.index_key) == (ring.keys, ring.primary, ring.index_key)
    assert list(path.parent.iterdir()) == [path]  # the temporary file is gone
