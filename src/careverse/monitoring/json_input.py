"""Decoding JSON that arrives from outside (HTTP readings, FHIR Observations and Bundles, MQTT).

Every ingest path decodes its body through :func:`decode`, which refuses nesting deeper than
:data:`MAX_DEPTH` before msgspec sees the bytes. Without it a deeply nested body reaches
msgspec's recursion limit (a ``RecursionError``: a 500 over HTTP, "try again" forever over MQTT),
and anything deeper than a few levels is never a reading anyway.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

import msgspec

from careverse.kernel.errors import InvalidInput

T = TypeVar("T")

MAX_DEPTH = 32  # an Observation or an Open mHealth data point nests about six levels

# Every byte except the brackets and the quote, for bytes.translate to delete.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')


class TooDeep(InvalidInput):
    """The body nests arrays and objects deeper than :data:`MAX_DEPTH` (a permanent refusal)."""

    def __init__(self, limit: int = MAX_DEPTH):
        # Never echo the input: the message says only what is wrong.
        super().__init__(f"The JSON nests arrays and objects deeper than {limit} levels.")


def too_deep(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Does this JSON nest arrays and objects deeper than ``limit``?

    Linear and without recursion, in C-speed byte operations: escaped backslashes and quotes go,
    then everything but quotes and brackets; what lies between quotes (strings) goes; each round
    of removing adjacent ``[]`` pairs then takes one level off. Exact for valid JSON; on invalid
    JSON it may answer False for nesting up to twice ``limit`` (the decoder refuses it anyway,
    long before its recursion limit).
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False  # the usual small body
    # Outside strings valid JSON has no backslash, so these pairs are all inside strings; the
    # escaped backslash goes first so that "\\" followed by a closing quote stays a closing quote.
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = data.translate(None, _NOT_STRUCTURE)
    brackets = b"".join(skeleton.split(b'"')[::2])  # the even parts lie outside strings
    brackets = brackets.replace(b"{", b"[").replace(b"}", b"]")
    if b"[" * (limit + 1) in brackets:
        return True  # the usual shape of an attack, found without the rounds below
    for _ in range(limit):
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break  # no pairs left
        brackets = shorter
    if b"[]" in brackets:
        return True  # a pair survived `limit` rounds: it has more than `limit` levels inside
    # What remains is unmatched: closes, then opens that never close (truncated input).
    return brackets.count(b"[") > limit


@overload
def decode(data: bytes) -> Any: ...


@overload
def decode(data: bytes, *, into: type[T]) -> T: ...


def decode(data: bytes, *, into: Any = Any) -> Any:
    """msgspec's JSON decode (to the type ``into``), refusing too deep nesting first
    (:class:`TooDeep`).

    msgspec's own ``ValidationError`` and ``DecodeError`` pass through for the caller to word.
    """
    if too_deep(data):
        raise TooDeep()
    return msgspec.json.decode(data, type=into)
