"""The algorithms that drive care in Careverse, described for the public transparency page and
for the fairness audit: what each does, its inputs, its outputs, its known limits and how it is
audited. Data, not template text: the page renders whatever is here (``GET /api/transparency``).
Keep each entry true to the code it names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Algorithm:
    id: str
    name: str
    purpose: str
    inputs: tuple[str, ...]
    output: str
    human_oversight: str
    limits: tuple[str, ...]
    source: str  # the module that implements it
    reference: str
    audited: bool  # whether the fairness audit measures it yet
    audit_note: str


ALGORITHMS: tuple[Algorithm, ...] = (
    Algorithm(
        id="news2",
        name="NEWS2 early warning score",
        purpose=(
            "Scores a patient's latest vital signs with the Royal College of Physicians' National "
            "Early Warning Score 2 and raises an alert to the care team when the score or a "
            "single parameter reaches the chart's trigger levels."
        ),
        inputs=(
            "respiration rate",
            "oxygen saturation (scale 1, or scale 2 when a clinician sets it)",
            "whether on supplemental oxygen",
            "systolic blood pressure",
            "pulse",
            "level of consciousness (ACVPU)",
            "temperature",
        ),
        output="A score 0-20, a clinical risk band (low, low-medium, medium, high) and an alert.",
        human_oversight=(
            "Alerts go to the patient's clinicians, who acknowledge and resolve them; unanswered "
            "alerts escalate. The score never changes treatment by itself."
        ),
        limits=(
            "Validated for adults in hospital, not for children, pregnancy or home monitoring.",
            "Home devices may be less accurate; pulse oximeters can overestimate oxygen "
            "saturation in people with darker skin (Sjoding et al., NEJM 2020).",
            "Without a clinician's consciousness and oxygen entries those parameters score 0.",
        ),
        source="careverse.monitoring.news2",
        reference="Royal College of Physicians. National Early Warning Score (NEWS) 2, 2017.",
        audited=True,
        audit_note="Alert rate per monitored patient and minutes to acknowledgement.",
    ),
    Algorithm(
        id="care_plan",
        name="Care-plan alert rules",
        purpose=(
            "Checks each reading against the rules a clinician wrote for one patient "
            "(a threshold, a value sustained for some minutes, a trend over days, or no data "
            "for some hours) and raises an alert when one is met."
        ),
        inputs=("the patient's readings", "the rules their clinician set for them"),
        output="An alert with the rule's severity.",
        human_oversight="Rules are written and removed by clinicians; alerts are handled as above.",
        limits=(
            "Only as good as the rule: a rule set for one patient may not fit their later state.",
            "Missing readings trigger only a no-data rule, if one was set.",
        ),
        source="careverse.monitoring.rules",
        reference="Clinician-authored rules; no external model.",
        audited=True,
        audit_note="Alert rate per monitored patient and minutes to acknowledgement.",
    ),
    Algorithm(
        id="crisis_screen",
        name="Crisis screen of community posts and self-help text",
        purpose=(
            "Looks for words and phrases that suggest someone may be at risk of harming "
            "themselves, holds the post and shows crisis resources at once, and opens a case "
            "for a moderator."
        ),
        inputs=("the text of a post or a self-help entry", "a lexicon of risk phrases"),
        output="Held or not, with the matched rule; a crisis case for a human to take on.",
        human_oversight="A trained moderator reviews every held post and decides.",
        limits=(
            "Word matching misses risk said in other words or languages and flags quotes, "
            "jokes and recovery stories.",
            "The lexicon is in English; other languages are screened less well.",
        ),
        source="careverse.kernel.crisis_screen",
        reference="Suicide Risk Lexicon (construct-tracker) and Careverse's own rules.",
        audited=False,
        audit_note=(
            "Not measured yet: crisis cases belong to community pseudonyms, which are not "
            "linked to demographics for audit."
        ),
    ),
    Algorithm(
        id="mentor_matching",
        name="Mentor matching",
        purpose=(
            "Suggests peer mentors to a mentee: hard rules first (capacity, a shared language, "
            "an asked-for gender), then points for the same condition, treatment stage, "
            "language, age band and availability."
        ),
        inputs=(
            "the mentee's condition, stage, languages, age band, gender preference and times",
            "approved mentors' profiles and current load",
        ),
        output="The five best-scoring mentors with the reasons for each.",
        human_oversight="The mentee chooses; organisers approve mentors.",
        limits=(
            "People who speak a language few mentors share are offered fewer or no mentors.",
            "Age band and gender points favour similarity, which is a design choice.",
        ),
        source="careverse.mentoring.matching",
        reference="Careverse's own scoring (docs/mentoring.md).",
        audited=False,
        audit_note=(
            "Not measured yet: the mentee's answers are not stored, so match rates cannot be "
            "disaggregated."
        ),
    ),
)

AUDITED = tuple(a for a in ALGORITHMS if a.audited)
