"""Post text: safe Markdown rendering, search terms and mentions.

Markdown is rendered by markdown-it-py with raw HTML off ("js-default" preset: no HTML, links
validated) and then sanitised by nh3 (ammonia) with a small allow-list, so what the client
inserts is always server-sanitised HTML, never what the author typed as HTML.

Search terms are keyed blind indexes (HMAC, the key ring's index key) of each normalised word,
truncated to 24 hex characters: equal words give equal terms and nothing is readable at rest.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

from careverse.kernel import crypto

_md = MarkdownIt("js-default", {"linkify": False, "typographer": False})

TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4",
    "h5", "h6", "hr", "del",
}  # fmt: skip
HEADING = re.compile(r"<(/?)h[12]>")
WORD = re.compile(r"[^\W_]{2,}", re.UNICODE)
MENTION = re.compile(r"(?<![\w@])@([A-Za-z][\w-]{1,39})")
TERM_PURPOSE = "community-term"
MAX_QUERY_TERMS = 8


# Rendered HTML by Markdown source, per process: a post is rendered when it is written (its view
# is returned) and each later read of the same text is a dictionary look-up. Keyed by the source
# itself, so an edit (a new source) can never be shown stale; long posts are not kept.
RENDER_CACHE_SIZE = 4096
RENDER_CACHE_MAX_CHARS = 4000


def render(source: str) -> str:
    """Markdown source → sanitised HTML (links open safely; big headings stepped down)."""
    if len(source) <= RENDER_CACHE_MAX_CHARS:
        return _render_cached(source)
    return _render(source)


def _render(source: str) -> str:
    html = HEADING.sub(r"<\1h3>", _md.render(source))
    return nh3.clean(
        html,
        tags=TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
    )


_render_cached = lru_cache(maxsize=RENDER_CACHE_SIZE)(_render)


def render_cache_clear() -> None:
    _render_cached.cache_clear()


def words(text: str) -> list[str]:
    """Normalised words: NFKC, case-folded, accents kept, two letters or more."""
    return WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def term(word: str) -> str:
    return crypto.keyring().blind_index(word, TERM_PURPOSE)[:24]


def terms(text: str) -> set[str]:
    return {term(w) for w in words(text)}


def mentions(text: str) -> list[str]:
    """The ``@names`` in a post, in order, without repeats."""
    seen: dict[str, None] = {}
    for name in MENTION.findall(text):
        seen.setdefault(name.casefold(), None)
    return list(seen)


def excerpt(text: str, length: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
