"""A backend client's public keys published at its ``jwks_url``: fetched with httpx, checked,
cached.

Only an https address (http only on localhost) an admin registered is fetched, without
following redirects, within :data:`FETCH_TIMEOUT` seconds and :data:`MAX_BYTES`; the keys are
kept :data:`CACHE_SECONDS`, and fetched again sooner (at most every :data:`REFETCH_SECONDS`) when
an assertion names a key the cached set lacks, so a client can rotate its keys.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import httpx
import structlog
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

log = structlog.get_logger(__name__)

FETCH_TIMEOUT = 5.0
MAX_BYTES = 64 * 1024
CACHE_SECONDS = 300.0
REFETCH_SECONDS = 30.0


class JwksError(ValueError):
    """The JWKS could not be fetched, or is not a set of public RSA or EC keys."""


def public_key_set(jwks: object) -> KeySet:
    """A JWKS of 1 to 10 public RSA or EC keys; :class:`JwksError` for anything else."""
    listed = jwks.get("keys") if isinstance(jwks, dict) else None
    if (
        not isinstance(listed, list)
        or not 0 < len(listed) <= 10
        or not all(isinstance(k, dict) and k.get("kty") in ("RSA", "EC") for k in listed)
    ):
        raise JwksError("The JWKS must hold public RSA or EC keys only.")
    try:
        keys = KeySet.import_key_set(jwks)  # pyright: ignore[reportArgumentType]
    except (JoseError, ValueError, TypeError, KeyError, AttributeError):
        raise JwksError("Not a JWKS of public keys.") from None
    if any(k.is_private for k in keys):
        raise JwksError("The JWKS must hold public RSA or EC keys only.")
    return keys


@dataclass
class _Cached:
    keys: KeySet
    fetched: float


_cache: dict[str, _Cached] = {}


async def fetch(url: str) -> KeySet:
    """Fetch and check the JWKS at ``url`` (no cache)."""
    try:
        async with (
            httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=False) as client,
            client.stream("GET", url, headers={"Accept": "application/json"}) as response,
        ):
            if response.status_code != 200:
                raise JwksError(f"The JWKS URL answered {response.status_code}.")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > MAX_BYTES:
                    raise JwksError("The JWKS is too large.")
    except httpx.HTTPError as exc:
        raise JwksError(f"The JWKS URL could not be fetched ({type(exc).__name__}).") from None
    try:
        document = json.loads(bytes(body))
    except ValueError:
        raise JwksError("The JWKS URL did not answer JSON.") from None
    return public_key_set(document)


async def keys_at(url: str, *, fresh: bool = False) -> KeySet:
    """The cached keys of ``url``; ``fresh`` asks for a new fetch unless one was just made."""
    now = time.monotonic()
    cached = _cache.get(url)
    if cached is not None:
        age = now - cached.fetched
        if age < CACHE_SECONDS and not (fresh and age >= REFETCH_SECONDS):
            return cached.keys
    try:
        keys = await fetch(url)
    except JwksError as exc:
        log.warning("smart.jwks_url.failed", url=url, reason=str(exc))
        raise
    _cache[url] = _Cached(keys, now)
    return keys


def forget(url: str | None = None) -> None:
    """Drop the cached keys (of one URL, or all)."""
    if url is None:
        _cache.clear()
    else:
        _cache.pop(url, None)
