"""Psychoeducation modules as data: short, plain-language CBT self-help, each in sections.

The content follows the standard cognitive behavioural model (Beck's cognitive model: situations
trigger automatic thoughts, which shape emotions, body sensations and behaviour) and the NHS and
NICE self-help material it is drawn from. Each module names its sources. The words are for
patients: short sentences, no jargon without an explanation, nothing that replaces their clinician.
English only for now (docs/wellbeing.md, "Not done yet").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    body: tuple[str, ...]  # paragraphs


@dataclass(frozen=True, slots=True)
class Module:
    code: str
    title: str
    summary: str
    minutes: int
    sections: tuple[Section, ...]
    sources: tuple[str, ...]


NHS_EVERY_MIND = "NHS Every Mind Matters, self-help CBT techniques (nhs.uk/every-mind-matters)"
NICE_NG222 = "NICE guideline NG222, Depression in adults: treatment and management (2022)"
NICE_CG113 = (
    "NICE guideline CG113, Generalised anxiety disorder and panic disorder in adults (2011)"
)
BECK = "Beck AT, Rush AJ, Shaw BF, Emery G. Cognitive Therapy of Depression. Guilford, 1979"
BECK_J = "Beck JS. Cognitive Behavior Therapy: Basics and Beyond, 3rd ed. Guilford, 2020"

MODULES: tuple[Module, ...] = (
    Module(
        "low-mood", "Understanding low mood",
        "What low mood is, how it keeps itself going, and first steps out of it.", 8,
        (
            Section("what", "What low mood is", (
                "Everyone feels low sometimes. Low mood can mean feeling sad, tired, irritable, "
                "empty or without hope. When it lasts for more than two weeks and gets in the "
                "way of daily life, it may be depression, which is common and treatable.",
            )),
            Section("cycle", "The low mood cycle", (
                "When we feel low we often do less: we stop seeing friends or doing things we "
                "used to enjoy. Doing less gives fewer chances to feel good or capable, so mood "
                "drops further. Thoughts like \"what's the point?\" make doing things harder "
                "still. This is the cycle behavioural activation sets out to break.",
            )),
            Section("steps", "Small steps that help", (
                "Plan a few small activities each day: something routine (a shower, a meal), "
                "something that gives pleasure, and something necessary. Do them even if you do "
                "not feel like it: motivation often follows action rather than coming first. "
                "Rate your mood before and after, and notice what helps.",
                "Keep regular sleep and meal times, move your body a little every day and stay "
                "in touch with at least one person.",
            )),
            Section("help", "When to get more help", (
                "Talk to your clinician if low mood lasts more than two weeks, gets worse, or "
                "you have thoughts of harming yourself. If you feel unsafe now, use the crisis "
                "contacts shown on this site or call your local emergency number.",
            )),
        ),
        (NHS_EVERY_MIND, NICE_NG222, BECK),
    ),
    Module(
        "anxiety", "Anxiety and the fear cycle",
        "Why anxiety feels the way it does and how avoidance keeps it going.", 8,
        (
            Section("what", "What anxiety is", (
                "Anxiety is the body's alarm system. It prepares us to deal with danger: the "
                "heart beats faster, breathing quickens, muscles tense. It is unpleasant but "
                "not dangerous, and it passes.",
            )),
            Section("cycle", "The fear cycle", (
                "When we expect danger we feel anxious, and we avoid or escape the situation. "
                "Avoiding brings quick relief, so we learn to avoid again, and we never find "
                "out that the feared outcome was unlikely or that we could cope. The fear "
                "grows and life gets smaller.",
            )),
            Section("break", "Breaking the cycle", (
                "Facing feared situations step by step, starting with the easier ones and "
                "staying until the anxiety falls, teaches the brain that the situation is "
                "safer than it felt. Cutting down safety behaviours (always carrying something, "
                "checking, reassurance seeking) helps the learning stick.",
                "Notice worried predictions (\"I'll faint\", \"they'll laugh\") and test them "
                "with a thought record.",
            )),
        ),
        (NHS_EVERY_MIND, NICE_CG113, BECK_J),
    ),
    Module(
        "sleep", "Sleep",
        "How sleep works and habits that help it (sleep hygiene and stimulus control).", 6,
        (
            Section("how", "How sleep works", (
                "Sleep is driven by how long we have been awake and by our body clock. Lying in "
                "bed awake and worrying teaches the brain that bed is a place for being awake.",
            )),
            Section("habits", "Habits that help", (
                "Get up at the same time every day, even after a bad night. Go to bed only when "
                "sleepy. If you cannot sleep after about 20 minutes, get up, do something calm "
                "in dim light and go back when sleepy. Keep the bed for sleep.",
                "Cut down caffeine after midday and alcohol in the evening, get daylight in the "
                "morning, and avoid long naps.",
            )),
            Section("worry", "Worry at night", (
                "Set aside a short \"worry time\" earlier in the evening: write worries down "
                "and one next step for each, so they are parked before bed.",
            )),
        ),
        ("NHS, Insomnia (nhs.uk/conditions/insomnia)", NHS_EVERY_MIND,
         "NICE clinical knowledge summary, Insomnia (2022)"),
    ),
    Module(
        "breathing", "Breathing and the stress response",
        "What stress does to the body and how slow breathing calms it.", 5,
        (
            Section("stress", "The stress response", (
                "Under stress the body gets ready for action: breathing becomes fast and "
                "shallow, the heart speeds up. Breathing too fast can cause dizziness, tingling "
                "and a tight chest, which can feel frightening but is harmless.",
            )),
            Section("slow", "Slow breathing", (
                "Breathing slowly, about six breaths a minute, with a longer out-breath, "
                "activates the body's calming system. Breathe in gently through the nose for "
                "about four seconds and out for about six. Practise daily, not only when "
                "stressed, so it comes easily when needed. The breathing page on this site "
                "paces you.",
            )),
        ),
        (NHS_EVERY_MIND, "NHS, Breathing exercises for stress (nhs.uk/mental-health)"),
    ),
    Module(
        "thinking-traps", "Thinking traps",
        "Common unhelpful thinking patterns and how to catch and question them.", 8,
        (
            Section("model", "Thoughts, feelings and actions", (
                "In the cognitive model, it is not only what happens but how we interpret it "
                "that shapes how we feel and what we do. Automatic thoughts pop up quickly and "
                "feel true. When we are low or anxious they are often biased in typical ways.",
            )),
            Section("traps", "Common thinking traps", (
                "All-or-nothing thinking: seeing things in black and white. Catastrophising: "
                "expecting the worst. Mind reading: assuming we know what others think. "
                "Overgeneralising: one bad event means always. Discounting the positive. "
                "Emotional reasoning: I feel it, so it must be true. \"Should\" statements. "
                "Labelling: \"I'm a failure\". Personalising: blaming ourselves for things "
                "outside our control. Fortune telling: predicting the future as fact.",
            )),
            Section("question", "Questioning a thought", (
                "Catch the thought, then check it: what is the evidence for it, and against it? "
                "What would I say to a friend who thought this? Is there another way of seeing "
                "it? Write a more balanced thought and notice how strongly you feel now. A "
                "thought record on this site walks you through these steps.",
            )),
        ),
        (BECK, BECK_J, NHS_EVERY_MIND),
    ),
)  # fmt: skip

BY_CODE: dict[str, Module] = {m.code: m for m in MODULES}

# The thinking traps a thought record may be tagged with (the "traps" section above).
THINKING_TRAPS: tuple[str, ...] = (
    "all-or-nothing", "catastrophising", "mind-reading", "overgeneralising",
    "discounting-the-positive", "emotional-reasoning", "should-statements", "labelling",
    "personalising", "fortune-telling",
)  # fmt: skip
