"""Watched words and content rules, as data (Discourse's watched words, with the same actions).

A :class:`ContentRule` is a word or phrase (``*`` matches any letters, e.g. ``viagr*``; matched
case-insensitively on whole words) and an action:

* ``block`` — the post is refused (the writer is told which rule; nothing is stored);
* ``censor`` — the matched text is replaced with ``■`` characters;
* ``require_approval`` — the post is held until a moderator approves it;
* ``flag`` — the post is published and a system flag puts it in the moderation queue;
* ``replace`` — the matched text is replaced with ``replacement``;
* ``tag`` — the thread gets the tag ``replacement``;
* ``link`` — the matched text becomes a Markdown link to ``replacement`` (an https URL).

:func:`apply_rules` is pure; rules are stored per community (or site-wide) by the moderation
service (:mod:`careverse.community.moderation_models`) and passed to the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

ACTIONS = ("block", "censor", "require_approval", "flag", "replace", "tag", "link")
CENSOR_CHAR = "\u25a0"
_WORD = re.compile(r"^[\w*][\w*' .-]{0,98}[\w*]$|^\w$", re.UNICODE)
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class RuleError(ValueError):
    """A rule that cannot be stored; ``field`` names the bad field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class ContentRule:
    word: str
    action: str
    replacement: str = ""

    def __post_init__(self) -> None:
        validate(self.word, self.action, self.replacement)


def validate(word: str, action: str, replacement: str = "") -> None:
    """Raise :class:`RuleError` naming the field when a rule is not well formed."""
    if action not in ACTIONS:
        raise RuleError("action", f"action must be one of {', '.join(ACTIONS)}")
    if not _WORD.match(word.strip()) or word.strip("* ") == "":
        raise RuleError("word", "word: 1-100 letters, digits, spaces, ' . - or * (wildcard)")
    if action == "replace" and not replacement.strip():
        raise RuleError("replacement", "replace needs a replacement text")
    if action == "tag" and not _TAG.match(replacement):
        raise RuleError("replacement", "tag needs a tag: lowercase letters, digits and -")
    if action == "link" and not re.match(r"^https://[^\s()<>\]\[]{1,300}$", replacement):
        raise RuleError("replacement", "link needs an https URL")
    if len(replacement) > 300:
        raise RuleError("replacement", "replacement is at most 300 characters")


@lru_cache(maxsize=4096)
def _pattern(word: str) -> re.Pattern[str]:
    body = r"\w*".join(re.escape(part) for part in word.strip().split("*"))
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE | re.UNICODE)


@dataclass
class RuleOutcome:
    text: str
    blocked: bool = False
    requires_approval: bool = False
    flag: bool = False
    tags: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def apply_rules(text: str, rules: Sequence[ContentRule]) -> RuleOutcome:
    """Apply every matching rule to ``text``; the reasons say ``watched-word:<action>:<word>``."""
    out = RuleOutcome(text=text)
    for rule in rules:
        pattern = _pattern(rule.word)
        if not pattern.search(out.text):
            continue
        out.reasons.append(f"watched-word:{rule.action}:{rule.word}")
        if rule.action == "block":
            out.blocked = True
        elif rule.action == "censor":
            out.text = pattern.sub(lambda m: CENSOR_CHAR * len(m.group(0)), out.text)
        elif rule.action == "require_approval":
            out.requires_approval = True
        elif rule.action == "flag":
            out.flag = True
        elif rule.action == "replace":
            out.text = pattern.sub(lambda _m, r=rule.replacement: r, out.text)
        elif rule.action == "tag":
            if rule.replacement not in out.tags:
                out.tags.append(rule.replacement)
        elif rule.action == "link":
            out.text = pattern.sub(lambda m, u=rule.replacement: f"[{m.group(0)}]({u})", out.text)
    return out
