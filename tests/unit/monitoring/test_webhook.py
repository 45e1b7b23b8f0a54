"""The paging webhook's signature, checked against an HMAC computed here (not with ``sign``)."""

from __future__ import annotations

import hashlib
import hmac

from careverse.monitoring import webhook

BODY = b'{"alert_id":"5f0c","event":"opened"}'
SENT = 1_763_769_600


def receiver_signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """What docs/security.md tells a receiver to compute: HMAC-SHA256 over "<ts>.<body>"."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def test_the_signature_covers_the_timestamp_and_the_body():
    signature = webhook.sign("s3cret", str(SENT), BODY)
    assert signature == receiver_signature(b"s3cret", str(SENT), BODY)
    # The same body at another time is signed differently: the timestamp is inside the MAC.
    assert webhook.sign("s3cret", str(SENT + 1), BODY) != signature


def test_verify_accepts_a_fresh_request_and_refuses_forgeries():
    stamp = str(SENT)
    good = receiver_signature(b"s3cret", stamp, BODY)
    assert webhook.verify("s3cret", stamp, BODY, good, now=SENT + 10)
    assert not webhook.verify("other", stamp, BODY, good, now=SENT + 10)
    assert not webhook.verify("s3cret", stamp, BODY + b" ", good, now=SENT + 10)
    # A valid signature moved to another timestamp does not verify.
    assert not webhook.verify("s3cret", str(SENT + 5), BODY, good, now=SENT + 10)


def test_verify_refuses_a_replay_with_an_old_timestamp():
    stamp = str(SENT)
    signature = receiver_signature(b"s3cret", stamp, BODY)
    window = webhook.REPLAY_WINDOW
    assert webhook.verify("s3cret", stamp, BODY, signature, now=SENT + window)
    assert not webhook.verify("s3cret", stamp, BODY, signature, now=SENT + window + 1)
    assert not webhook.verify("s3cret", stamp, BODY, signature, now=SENT + 3600)
    # Nor one stamped in the future beyond the same window (a receiver's clock may lag a little).
    assert not webhook.verify("s3cret", stamp, BODY, signature, now=SENT - window - 1)
    assert webhook.verify("s3cret", stamp, BODY, signature, now=SENT - window)


def test_verify_refuses_a_timestamp_that_is_not_unix_seconds():
    # The last: full-width digits, which str.isdigit() accepts and int() reads.
    for stamp in ("", "-5", "1.5", "abc", "\uff11\uff12"):
        signature = receiver_signature(b"s3cret", stamp, BODY)
        assert not webhook.verify("s3cret", stamp, BODY, signature, now=SENT)
