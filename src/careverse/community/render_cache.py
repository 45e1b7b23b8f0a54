"""Posts' rendered HTML kept per process, by post id and the post's stored ciphertext.

A thread page shows up to 200 posts; decrypting and rendering each on every read was most of a
read's CPU time. Here a post's HTML is kept with the **ciphertext of its body as stored in its
row** as the version: every write of a body (posting, the pipeline's censoring, a moderator's
edit, an erasure's emptying, re-encryption under a new key) encrypts it again with a fresh random
AES-GCM nonce, so the stored text changes with every write, whichever node or statement made it
(ORM or bulk ``UPDATE``). A read loads the ciphertext (not decrypted) and takes the HTML from
here only when both the post id and that ciphertext match; otherwise it decrypts and renders as
before. Nothing has to remember to invalidate it for it to stay correct, on one node or many.

Whether a post is shown at all (published; held or hidden only to its author; removed never) is
decided from the row's state on every read, never from here; a post seen not shown is dropped
from here, and an erasure drops its posts on the node that runs it (``forget``). Bounded: at most
``MAX_ENTRIES`` posts and ``MAX_CHARS`` characters (ciphertexts and HTML), least recently used
out first; posts whose ciphertext is longer than ``MAX_POST_CHARS`` are rendered and not kept.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Iterable

from careverse.community import text
from careverse.kernel import crypto

MAX_ENTRIES = 8192
MAX_CHARS = 16_000_000  # about 16 MB of ciphertexts and HTML together, whatever the posts' sizes
MAX_POST_CHARS = 8000  # a ciphertext of about 5,900 bytes of Markdown


class RenderedPosts:
    """A bounded LRU of post id → (stored ciphertext, HTML)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS) -> None:
        self.max_entries, self.max_chars = max_entries, max_chars
        self._entries: OrderedDict[uuid.UUID, tuple[str, str]] = OrderedDict()
        self._chars = 0
        self.hits = self.misses = 0

    def html(self, post_id: uuid.UUID, sealed: str) -> str:
        """The sanitised HTML of the post whose body is stored as ``sealed``."""
        entry = self._entries.get(post_id)
        if entry is not None and entry[0] == sealed:
            self._entries.move_to_end(post_id)
            self.hits += 1
            return entry[1]
        self.misses += 1
        html = text.render(crypto.keyring().decrypt(sealed))  # as the Encrypted column would
        self._drop(post_id)
        if len(sealed) <= MAX_POST_CHARS:
            self._entries[post_id] = (sealed, html)
            self._chars += len(sealed) + len(html)
            while len(self._entries) > self.max_entries or self._chars > self.max_chars:
                self._drop(next(iter(self._entries)))
        return html

    def forget(self, post_ids: Iterable[uuid.UUID]) -> None:
        """Drop these posts (not shown any more, or erased)."""
        for post_id in post_ids:
            self._drop(post_id)

    def _drop(self, post_id: uuid.UUID) -> None:
        entry = self._entries.pop(post_id, None)
        if entry is not None:
            self._chars -= len(entry[0]) + len(entry[1])

    def __contains__(self, post_id: object) -> bool:
        return post_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._chars = 0


posts_html = RenderedPosts()  # the node's (module-level, as ``text.render``'s cache)
