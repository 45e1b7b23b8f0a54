"""The password policy and argon2id hashing."""

from __future__ import annotations

import pytest

from careverse.identity import passwords
from careverse.kernel.errors import InvalidInput


@pytest.mark.parametrize(
    "password",
    [
        "elevenchars",
        "Password123",
        "qwertyuiop123",
        "zzzzzzzzzzzzzzzz",
        "jamie.lee-secure-1",
        "Jamie Lee rocks!!",
    ],
)
def test_weak_passwords(password):
    with pytest.raises(InvalidInput):
        passwords.check_policy(password, email="jamie.lee@example.org", name="Jamie Lee")


def test_a_good_passphrase_passes():
    passwords.check_policy(
        "orange-Violin-window-31", email="jamie.lee@example.org", name="Jamie Lee"
    )


async def test_hash_is_argon2id_and_verifies(production_password_hashing):
    hashed = await passwords.hash_password("orange-Violin-window-31")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106 low-memory
    assert await passwords.verify_password(hashed, "orange-Violin-window-31")
    assert not await passwords.verify_password(hashed, "orange-Violin-window-32")
    assert not await passwords.verify_password(None, "anything")
    assert not await passwords.verify_password("not-a-hash", "anything")
