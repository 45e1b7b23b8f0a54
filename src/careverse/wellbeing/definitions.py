"""What an instrument is, as data: items, answer options with scores, bands, alert rules.

An :class:`Instrument` carries everything the engine (:mod:`careverse.wellbeing.instruments`),
the FHIR ``Questionnaire`` (:mod:`careverse.wellbeing.fhir`) and the client need: no scoring rule
lives in code that is not written here first. The instruments themselves are in
:mod:`careverse.wellbeing.catalogue`; the sources of every cut-off are in docs/wellbeing.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LOINC = "http://loinc.org"

Scoring = Literal["sum", "cssrs-triage"]


@dataclass(frozen=True, slots=True)
class AnswerOption:
    """One answer a patient may pick, and the score it carries."""

    score: int
    text: str
    loinc: str | None = None  # the LOINC answer code (LA…), where LOINC has one


@dataclass(frozen=True, slots=True)
class Item:
    """One question. ``link_id`` is its name in a QuestionnaireResponse and in the C-SSRS
    answers mapping; ``loinc`` its LOINC question code, where LOINC has one."""

    link_id: str
    text: str
    loinc: str | None = None


@dataclass(frozen=True, slots=True)
class Band:
    """A label for totals ``low``..``high`` (inclusive) on the instrument's band scale."""

    low: int
    high: int
    label: str


@dataclass(frozen=True, slots=True)
class AlertRule:
    """A flag raised when item ``item`` (0-based) is answered ``at_least``; ``crisis`` flags
    take the crisis path (docs/wellbeing.md). It fires on the item alone: other items may be
    missing."""

    flag: str
    item: int
    at_least: int
    crisis: bool
    reason: str  # "PHQ-9 item 9 answered '{answer}'": {answer} is the option's text, lowercased


@dataclass(frozen=True, slots=True)
class Instrument:
    """A questionnaire as data."""

    code: str
    title: str
    loinc: str | None  # the panel's LOINC code
    total_loinc: str | None  # the total score's LOINC code
    period: str  # the question stem: "Over the last 2 weeks, how often …"
    items: tuple[Item, ...]
    options: tuple[AnswerOption, ...]
    scoring: Scoring
    bands: tuple[Band, ...] = ()
    band_scale: Literal["total", "percentage"] = "total"
    percentage_factor: int | None = None  # WHO-5: percentage = raw x 4
    positive_at: int | None = None  # a total at or above this is a positive screen
    positive_flag: str | None = None
    alert_rules: tuple[AlertRule, ...] = ()
    missing_rule: str = ""
    licence: str = ""
    sources: tuple[str, ...] = ()
    # The minimal clinically important change, on the band scale (total, or WHO-5's percentage),
    # and whether a higher score is better (WHO-5) or worse (PHQ-9, GAD-7). None: not charted.
    mcid: int | None = None
    higher_is_better: bool = False

    @property
    def max_item_score(self) -> int:
        return max(o.score for o in self.options)

    @property
    def max_total(self) -> int:
        return self.max_item_score * len(self.items)

    def option(self, score: int) -> AnswerOption:
        for option in self.options:
            if option.score == score:
                return option
        raise ValueError(f"{self.title} has no answer scoring {score}")
