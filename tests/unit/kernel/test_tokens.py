"""Bearer secrets: prefixed for secret scanners, 256 bits of randomness, stored as SHA-256 only."""

from __future__ import annotations

import base64
import hashlib

from careverse.kernel import tokens


def test_a_secret_is_its_prefix_and_32_random_bytes_url_safe():
    secret = tokens.new_secret("cva")
    prefix, sep, body = secret.partition("_")
    assert (prefix, sep) == ("cva", "_")
    assert len(body) == 43  # 32 bytes in unpadded URL-safe base64
    assert len(base64.urlsafe_b64decode(body + "=")) == 32
    assert tokens.new_secret("cva") != secret


def test_the_stored_form_is_the_hex_sha256_of_the_utf8_secret():
    assert tokens.digest("cva_abc") == hashlib.sha256(b"cva_abc").hexdigest()
    # A fixed vector, so that the test does not only repeat the code.
    assert tokens.digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert tokens.digest("é") == hashlib.sha256("é".encode()).hexdigest()
