"""Self-help's rules as pure functions: thought records (the CBT seven columns) and the
behavioural activation planner's summaries. No database, no HTTP: the service calls these.

- A **thought record** (Beck's seven columns; Greenberger & Padesky, *Mind Over Mood*):
  situation; emotions each rated 0-100; automatic thoughts with one marked the "hot thought";
  evidence for it; evidence against it; a balanced (alternative) thought; the same emotions
  re-rated 0-100. Optional tags from :data:`~careverse.wellbeing.selfhelp_modules.THINKING_TRAPS`.
  :func:`intensity_change` gives each emotion's change (after minus before: negative is relief).
- **Behavioural activation** (Martell, Dimidjian & Herman-Dunn, *Behavioral Activation for
  Depression*, 2010; NICE NG222): activities planned in one of four categories, done or not, mood
  0-10 before and after, pleasure and mastery 0-10. :func:`activity_summary` links each category
  to the mood change it brought, and counts adherence (done of those whose time has come).

Bad input raises ``ValueError`` with a message naming the field, never repeating what was written.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from careverse.wellbeing.selfhelp_modules import THINKING_TRAPS

CATEGORIES = ("routine", "pleasure", "necessary", "values")
TEXT_FIELDS = ("situation", "evidence_for", "evidence_against", "balanced_thought")


def check_thought_record(record: Mapping) -> None:
    """Raise ``ValueError`` naming what is wrong with a thought record (shape checked by the
    schema; this checks what ties the columns together)."""
    names = [e["name"].strip().lower() for e in record["emotions"]]
    if len(set(names)) != len(names):
        raise ValueError("emotions: each emotion may be named once.")
    rerated = [e["name"].strip().lower() for e in record["rerated"]]
    if len(set(rerated)) != len(rerated) or not set(rerated) <= set(names):
        raise ValueError("rerated: re-rate the emotions named in emotions, each once.")
    if not 0 <= record["hot_thought"] < len(record["automatic_thoughts"]):
        raise ValueError("hot_thought: must be the position of one of the automatic thoughts.")
    for key in TEXT_FIELDS:
        if not str(record[key]).strip():
            raise ValueError(f"{key}: must not be blank.")
    if any(not str(t).strip() for t in record["automatic_thoughts"]):
        raise ValueError("automatic_thoughts: must not be blank.")
    unknown = set(record.get("traps") or ()) - set(THINKING_TRAPS)
    if unknown:
        raise ValueError("traps: unknown thinking trap; see the list of thinking traps.")


def intensity_change(record: Mapping) -> list[dict]:
    """Each emotion with its intensity before and after re-rating, and the change (after minus
    before; ``None`` when it was not re-rated)."""
    after = {e["name"].strip().lower(): e["intensity"] for e in record["rerated"]}
    out = []
    for e in record["emotions"]:
        later = after.get(e["name"].strip().lower())
        change = None if later is None else later - e["intensity"]
        out.append({"name": e["name"], "before": e["intensity"], "after": later, "change": change})
    return out


def screened_text(fields: Iterable[object]) -> str:
    """The free text of a record joined one field a line, for the crisis screen."""
    return "\n".join(str(f) for f in fields if f)


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def activity_summary(activities: Sequence[Mapping], now: datetime) -> dict:
    """Adherence and the link between activity and mood, over ``activities`` (dicts with
    ``category``, ``planned_for``, ``done`` and the optional ratings).

    Adherence counts the activities whose planned time has come (``planned_for <= now``): done
    of due. Mood change is after minus before for done activities rated both times.
    """
    due = [a for a in activities if a["planned_for"] <= now]
    done = [a for a in activities if a["done"]]

    def rated(rows: Iterable[Mapping]) -> list[int]:
        return [
            a["mood_after"] - a["mood_before"]
            for a in rows
            if a.get("mood_before") is not None and a.get("mood_after") is not None
        ]

    categories = []
    for category in CATEGORIES:
        rows = [a for a in done if a["category"] == category]
        categories.append({
            "category": category,
            "planned": sum(1 for a in activities if a["category"] == category),
            "done": len(rows),
            "mood_change_mean": _mean(rated(rows)),
            "pleasure_mean": _mean([a["pleasure"] for a in rows if a.get("pleasure") is not None]),
            "mastery_mean": _mean([a["mastery"] for a in rows if a.get("mastery") is not None]),
        })  # fmt: skip
    due_done = sum(1 for a in due if a["done"])
    return {
        "planned": len(activities),
        "due": len(due),
        "done": len(done),
        "adherence": round(due_done / len(due), 2) if due else None,
        "mood_change_mean": _mean(rated(done)),
        "categories": categories,
    }
