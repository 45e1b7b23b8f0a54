"""Abuse score of a post: alt-profanity-check's linear SVM (its model ships inside the wheel).

``score(text)`` is the model's probability that the text is offensive (0-1). ``band`` turns it into
an action by trust level (thresholds as data, :data:`BANDS`): new members' posts are held at a
lower score than trusted members'. Crisis language also scores high on this model ("I want to
die"), which is why the crisis screen runs first and decides on its own.

If the library cannot be imported (not installed), :func:`score` falls back to a short word list
(:data:`FALLBACK_WORDS`) and :func:`engine` says ``"fallback"``, so the fallback is visible.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# (hold at or above, flag at or above) per trust level; levels above the last use the last.
BANDS: dict[int, tuple[float, float]] = {0: (0.85, 0.6), 1: (0.9, 0.7), 2: (0.95, 0.8)}
FALLBACK_WORDS = ("fuck", "cunt", "retard", "bitch", "wanker", "twat", "slut", "whore")
_FALLBACK = re.compile(r"\b(?:" + "|".join(FALLBACK_WORDS) + r")\w*", re.IGNORECASE)


@dataclass(frozen=True)
class _Linear:
    """alt-profanity-check's own model (TF-IDF + five sigmoid-calibrated linear SVMs), evaluated
    directly from its fitted parameters: the same probabilities as ``predict_prob`` (a unit test
    compares them) in microseconds instead of sklearn's per-call milliseconds."""

    terms: dict[str, tuple[float, tuple[float, ...]]]  # term -> (idf, one weight per SVM)
    intercepts: tuple[float, ...]
    sigmoids: tuple[tuple[float, float], ...]  # (a, b) per SVM
    token: re.Pattern[str]

    def __call__(self, texts: list[str]) -> list[float]:
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> float:
        counts: dict[str, int] = {}
        for token in self.token.findall(text.lower()):
            if token in self.terms:
                counts[token] = counts.get(token, 0) + 1
        weights = [(c * self.terms[t][0], self.terms[t][1]) for t, c in counts.items()]
        norm = math.sqrt(sum(w * w for w, _ in weights)) or 1.0
        total = 0.0
        for k, (intercept, (a, b)) in enumerate(zip(self.intercepts, self.sigmoids, strict=True)):
            decision = intercept + sum(w / norm * coefs[k] for w, coefs in weights)
            total += 1.0 / (1.0 + math.exp(a * decision + b))
        return total / len(self.intercepts)


@lru_cache(maxsize=1)
def _model() -> Callable[[list[str]], list[float]] | None:
    try:
        from profanity_check import profanity_check as library
    except ImportError:  # pragma: no cover - exercised only without the dependency
        return None
    vectorizer, model = library.vectorizer, library.model
    parts = model.calibrated_classifiers_
    unigrams = vectorizer.get_params()["ngram_range"] == (1, 1)
    if not unigrams or any(p.method != "sigmoid" for p in parts):
        return lambda texts: [float(p) for p in library.predict_prob(texts)]  # pragma: no cover
    coefs = [part.estimator.coef_[0] for part in parts]
    terms = {
        term: (float(vectorizer.idf_[i]), tuple(float(c[i]) for c in coefs))
        for term, i in vectorizer.vocabulary_.items()
    }
    return _Linear(
        terms=terms,
        intercepts=tuple(float(p.estimator.intercept_[0]) for p in parts),
        sigmoids=tuple((float(p.calibrators[0].a_), float(p.calibrators[0].b_)) for p in parts),
        token=re.compile(vectorizer.get_params()["token_pattern"]),
    )


def engine() -> str:
    return "alt-profanity-check" if _model() is not None else "fallback"


# Telling someone to harm themselves is abuse whatever the model says.
_INCITE = re.compile(
    r"\b(?:kill|hang|hurt|cut) (?:yourself|your self|urself)\b|\bkys\b|\bgo (?:and )?die\b",
    re.IGNORECASE,
)
# Words of distress that the model scores as offensive; masked before scoring so that people
# who speak about their own pain are not held as abusive (the crisis screen handles them).
_DISTRESS = re.compile(
    r"\b(?:kill\w*|die|dying|died|dead|death|suicid\w*|self[- ]?harm\w*|hurt\w*|myself|cut\w*|"
    r"hate|hated|hating|pain|overdos\w*|wrists?)\b",
    re.IGNORECASE,
)


def incites_self_harm(text: str) -> bool:
    return bool(_INCITE.search(text))


def score(text: str) -> float:
    """Probability (0-1) that ``text`` is abusive (1.0 when it tells someone to harm themselves)."""
    if incites_self_harm(text):
        return 1.0
    text = _DISTRESS.sub(" ", text)
    if not text.strip():
        return 0.0
    predict = _model()
    if predict is None:
        hits = len(_FALLBACK.findall(text))
        return min(1.0, 0.5 * hits)
    return float(predict([text])[0])


def band(value: float, trust_level: int) -> str:
    """``hold``, ``flag`` or ``ok`` for an abuse score at a trust level."""
    hold_at, flag_at = BANDS.get(trust_level, BANDS[max(BANDS)])
    if value >= hold_at:
        return "hold"
    if value >= flag_at:
        return "flag"
    return "ok"
