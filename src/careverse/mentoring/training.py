"""The short training module a mentor takes before approval, defined as data.

The questions have the education library's shape and are scored by its function
(``community.library.score``), on the server; passing needs ``PASS_MARK`` right answers. The
module is the same for every community; a community's own library modules are not required.
"""

from __future__ import annotations

TITLE = "Being a peer mentor"
BODY = (
    "A peer mentor shares their own experience; they do not diagnose, treat or advise in place "
    "of a clinician. Keep what your mentee tells you private. Meet in the private mentoring room "
    "and keep messages in the mentoring thread. If your mentee says they are in danger, tell "
    "them to call their local emergency number and report it at once: a moderator is told. "
    "You may end a mentoring relationship at any time, and so may your mentee."
)
QUESTIONS: list[dict] = [
    {
        "prompt": "Your mentee asks whether to stop a medicine. What do you do?",
        "options": [
            "Tell them what worked for you", "Suggest they ask their clinician", "Say nothing",
        ],
        "correct": [1],
        "explanation": "Mentors share experience; treatment decisions belong with a clinician.",
    },
    {
        "prompt": "Your mentee says they are thinking of ending their life. What do you do?",
        "options": [
            "Wait for the next meeting",
            "Tell them to call emergency services and report it",
            "Keep it private",
        ],
        "correct": [1],
        "explanation": "Danger always reaches a human at once: emergency services and a moderator.",
    },
    {
        "prompt": "Where should you meet and write to each other?",
        "options": ["A private social media chat", "The mentoring room and thread", "Anywhere"],
        "correct": [1],
        "explanation": "The mentoring room and thread are private and can be reported.",
    },
    {
        "prompt": "Which of these may you share with others?",
        "options": ["Your own story", "Your mentee's story", "Your mentee's name"],
        "correct": [0],
        "explanation": "Your own story is yours to share; your mentee's is theirs.",
    },
]  # fmt: skip
PASS_MARK = 3


def public_questions() -> list[dict]:
    """The questions without their answers."""
    return [{"prompt": q["prompt"], "options": q["options"]} for q in QUESTIONS]
