"""The instruments: PHQ-9, GAD-7, WHO-5, PHQ-2, GAD-2 and the C-SSRS screener, as data.

Wording follows the published English versions. Cut-offs, missing-data rules and licences are
cited per instrument here and explained in docs/wellbeing.md; change one only with its source.
"""

from __future__ import annotations

from careverse.wellbeing.definitions import AlertRule, AnswerOption, Band, Instrument, Item

PHQ_OPTIONS = (
    AnswerOption(0, "Not at all", "LA6568-5"),
    AnswerOption(1, "Several days", "LA6569-3"),
    AnswerOption(2, "More than half the days", "LA6570-1"),
    AnswerOption(3, "Nearly every day", "LA6571-9"),
)

PHQ_LICENCE = (
    "PHQ and GAD-7 screeners (Spitzer, Williams, Kroenke and colleagues, educational grant from "
    "Pfizer Inc): no permission is required to reproduce, translate, display or distribute them "
    "(phqscreeners.com)."
)
PHQ_STEM = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
NO_PRORATION = (
    "The instructions give no proration rule: with any item missing the total (and band) is "
    "not given, never scored as if the missing item were 0; item flags still fire."
)

PHQ9_ITEMS = (
    Item("phq9-1", "Little interest or pleasure in doing things", "44250-9"),
    Item("phq9-2", "Feeling down, depressed, or hopeless", "44255-8"),
    Item("phq9-3", "Trouble falling or staying asleep, or sleeping too much", "44259-0"),
    Item("phq9-4", "Feeling tired or having little energy", "44254-1"),
    Item("phq9-5", "Poor appetite or overeating", "44251-7"),
    Item(
        "phq9-6",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "44258-2",
    ),
    Item(
        "phq9-7",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "44252-5",
    ),
    Item(
        "phq9-8",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "44253-3",
    ),
    Item(
        "phq9-9",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
        "44260-8",
    ),
)

PHQ9 = Instrument(
    code="phq9",
    title="PHQ-9",
    loinc="44249-1",
    total_loinc="44261-6",
    period=PHQ_STEM,
    items=PHQ9_ITEMS,
    options=PHQ_OPTIONS,
    scoring="sum",
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    alert_rules=(
        AlertRule("phq9-item9", 8, 1, crisis=True, reason="PHQ-9 item 9 answered '{answer}'"),
    ),
    missing_rule=NO_PRORATION,
    licence=PHQ_LICENCE,
    sources=(
        "Kroenke K, Spitzer RL, Williams JB. The PHQ-9: validity of a brief depression severity "
        "measure. J Gen Intern Med 2001;16:606-13 (cut-offs 5, 10, 15, 20).",
        "Löwe B, Unützer J, Callahan CM, Perkins AJ, Kroenke K. Monitoring depression treatment "
        "outcomes with the Patient Health Questionnaire-9. Med Care 2004;42:1194-201 (a change "
        "of 5 points is the minimal clinically important difference).",
    ),
    mcid=5,
)

GAD7 = Instrument(
    code="gad7",
    title="GAD-7",
    loinc="69737-5",
    total_loinc="70274-6",
    period=PHQ_STEM,
    items=(
        Item("gad7-1", "Feeling nervous, anxious, or on edge", "69725-0"),
        Item("gad7-2", "Not being able to stop or control worrying", "68509-9"),
        Item("gad7-3", "Worrying too much about different things", "69733-4"),
        Item("gad7-4", "Trouble relaxing", "69734-2"),
        Item("gad7-5", "Being so restless that it is hard to sit still", "69735-9"),
        Item("gad7-6", "Becoming easily annoyed or irritable", "69689-8"),
        Item("gad7-7", "Feeling afraid, as if something awful might happen", "69736-7"),
    ),
    options=PHQ_OPTIONS,
    scoring="sum",
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    missing_rule=NO_PRORATION,
    licence=PHQ_LICENCE,
    sources=(
        "Spitzer RL, Kroenke K, Williams JB, Löwe B. A brief measure for assessing generalized "
        "anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092-7 (cut-offs 5, 10, 15).",
        "Toussaint A, Hüsing P, Gumz A, et al. Sensitivity to change and minimal clinically "
        "important difference of the 7-item Generalized Anxiety Disorder Questionnaire (GAD-7). "
        "J Affect Disord 2020;265:395-401 (a change of 4 points).",
    ),
    mcid=4,
)

PHQ2 = Instrument(
    code="phq2",
    title="PHQ-2",
    loinc="55757-9",
    total_loinc="55758-7",
    period=PHQ_STEM,
    items=PHQ9_ITEMS[:2],
    options=PHQ_OPTIONS,
    scoring="sum",
    bands=(Band(0, 2, "negative screen"), Band(3, 6, "positive screen")),
    positive_at=3,
    positive_flag="phq2-positive",
    missing_rule=NO_PRORATION,
    licence=PHQ_LICENCE,
    sources=(
        "Kroenke K, Spitzer RL, Williams JB. The Patient Health Questionnaire-2: validity of a "
        "two-item depression screener. Med Care 2003;41:1284-92 (positive at 3 or more).",
    ),
)

GAD2 = Instrument(
    code="gad2",
    title="GAD-2",
    loinc=None,  # no LOINC panel code we could confirm: none rather than a guess
    total_loinc=None,
    period=PHQ_STEM,
    items=GAD7.items[:2],
    options=PHQ_OPTIONS,
    scoring="sum",
    bands=(Band(0, 2, "negative screen"), Band(3, 6, "positive screen")),
    positive_at=3,
    positive_flag="gad2-positive",
    missing_rule=NO_PRORATION,
    licence=PHQ_LICENCE,
    sources=(
        "Kroenke K, Spitzer RL, Williams JB, Monahan PO, Löwe B. Anxiety disorders in primary "
        "care: prevalence, impairment, comorbidity, and detection. Ann Intern Med "
        "2007;146:317-25 (GAD-2, positive at 3 or more).",
    ),
)

WHO5 = Instrument(
    code="who5",
    title="WHO-5 Well-Being Index",
    loinc=None,  # no LOINC panel code we could confirm: none rather than a guess
    total_loinc=None,
    period="Over the last two weeks:",
    items=(
        Item("who5-1", "I have felt cheerful and in good spirits"),
        Item("who5-2", "I have felt calm and relaxed"),
        Item("who5-3", "I have felt active and vigorous"),
        Item("who5-4", "I woke up feeling fresh and rested"),
        Item("who5-5", "My daily life has been filled with things that interest me"),
    ),
    options=(
        AnswerOption(0, "At no time"),
        AnswerOption(1, "Some of the time"),
        AnswerOption(2, "Less than half of the time"),
        AnswerOption(3, "More than half of the time"),
        AnswerOption(4, "Most of the time"),
        AnswerOption(5, "All of the time"),
    ),
    scoring="sum",
    # Bands on the percentage (raw x 4): ≤ 28 likely depression; raw < 13 (percentage ≤ 48)
    # poor wellbeing, an indication for testing for depression.
    bands=(
        Band(0, 28, "likely depression"),
        Band(29, 48, "poor wellbeing"),
        Band(49, 100, "adequate wellbeing"),
    ),
    band_scale="percentage",
    percentage_factor=4,
    missing_rule=NO_PRORATION.replace("The instructions give", "The WHO-5 manual gives"),
    licence=(
        "WHO-5 (Psychiatric Research Unit, WHO Collaborating Centre in Mental Health, "
        "Frederiksborg General Hospital): free to use without permission."
    ),
    sources=(
        "WHO Regional Office for Europe. Wellbeing measures in primary health care: the DepCare "
        "project. Copenhagen, 1998 (raw score below 13: poor wellbeing, test for depression).",
        "Topp CW, Østergaard SD, Søndergaard S, Bech P. The WHO-5 Well-Being Index: a systematic "
        "review of the literature. Psychother Psychosom 2015;84:167-76 (percentage ≤ 28: likely "
        "depression; a change of 10 percentage points is clinically relevant).",
    ),
    mcid=10,
    higher_is_better=True,
)

CSSRS_YES_NO = (AnswerOption(1, "Yes", "LA33-6"), AnswerOption(0, "No", "LA32-8"))

CSSRS = Instrument(
    code="cssrs",
    title="C-SSRS Screener",
    loinc=None,  # no LOINC panel code we could confirm: none rather than a guess
    total_loinc=None,
    period="In the past month:",
    items=(
        Item(
            "q1", "Have you wished you were dead or wished you could go to sleep and not wake up?"
        ),
        Item("q2", "Have you actually had any thoughts of killing yourself?"),
        Item("q3", "Have you been thinking about how you might do this?"),
        Item("q4", "Have you had these thoughts and had some intention of acting on them?"),
        Item(
            "q5",
            "Have you started to work out or worked out the details of how to kill yourself? "
            "Do you intend to carry out this plan?",
        ),
        Item(
            "q6",
            "Have you ever done anything, started to do anything, or prepared to do anything to "
            "end your life?",
        ),
        Item("q6_past_3_months", "Was this within the past 3 months?"),
    ),
    options=CSSRS_YES_NO,
    scoring="cssrs-triage",
    missing_rule=(
        "Every question the screener asks must be answered: q1, q2 and q6 always, q3-q5 when q2 "
        "is yes, q6_past_3_months when q6 is yes; q3-q5 are skipped when q2 is no. A missing "
        "answer is refused, never taken as no."
    ),
    licence=(
        "C-SSRS © The Research Foundation for Mental Hygiene, Inc. (Columbia Lighthouse "
        "Project): free for clinical and non-profit use; commercial use may need permission."
    ),
    sources=(
        "Posner K et al. Columbia-Suicide Severity Rating Scale, Screen Version — Recent, with "
        "triage points (Columbia Lighthouse Project; NINDS CDE listing "
        "'C-SSRS-Screener-recent-with-triage-colors').",
    ),
)

SCORED = {i.code: i for i in (PHQ9, GAD7, WHO5, PHQ2, GAD2)}
ALL = {**SCORED, CSSRS.code: CSSRS}
