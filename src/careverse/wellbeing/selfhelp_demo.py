"""The demo patient's self-help (``careverse demo``): a guide her clinician recommended, half
read; one thought record; a week of planned activities, the past ones done and rated."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.policy import Actor
from careverse.wellbeing.selfhelp_service import SelfHelpService

DEMO_RECORD = {
    "situation": "My sister did not call back on Sunday",
    "emotions": [{"name": "sad", "intensity": 70}, {"name": "worried", "intensity": 55}],
    "automatic_thoughts": ["She is fed up with me", "I always get things wrong"],
    "hot_thought": 0,
    "evidence_for": "She did not call back when she said she would",
    "evidence_against": "She texted on Monday that her phone had died; she visited last week",
    "balanced_thought": "She was probably busy or her phone was off; she has been warm lately",
    "rerated": [{"name": "sad", "intensity": 35}, {"name": "worried", "intensity": 20}],
    "traps": ["mind-reading", "overgeneralising"],
    "shared": True,
}
# (day offset from today, hour, title, category, done, mood before, after, pleasure, mastery)
DEMO_ACTIVITIES = [
    (-6, 9, "Shower and breakfast", "routine", True, 3, 4, 3, 5),
    (-5, 11, "Walk to the park", "pleasure", True, 3, 6, 7, 4),
    (-4, 14, "Pay the gas bill", "necessary", True, 4, 5, 1, 7),
    (-3, 18, "Call my sister", "values", True, 4, 7, 8, 5),
    (-2, 10, "Gardening for 20 minutes", "pleasure", False, None, None, None, None),
    (-1, 9, "Shower and breakfast", "routine", True, 4, 5, 3, 5),
    (1, 11, "Walk to the park", "pleasure", False, None, None, None, None),
]


async def seed_demo_selfhelp(
    session: AsyncSession, settings: Settings, patient: Actor, clinician: Actor
) -> None:
    """Seed once: nothing is added when the patient already has a thought record."""
    service = SelfHelpService(session, settings)
    if await service.thought_records(patient) or patient.patient_id is None:
        return
    await service.recommend(clinician, patient.patient_id, "low-mood")
    for section in ("what", "cycle"):
        await service.read_section(patient, "low-mood", section)
    await service.write_thought_record(patient, DEMO_RECORD, "en")
    today = clock.now().replace(minute=0, second=0, microsecond=0)
    for days, hour, title, category, done, before, after, pleasure, mastery in DEMO_ACTIVITIES:
        when = today.replace(hour=hour) + timedelta(days=days)
        made, _ = await service.plan_activity(
            patient, {"title": title, "category": category, "planned_for": when}, "en"
        )
        if done:
            await service.update_activity(
                patient, made["id"],
                {"done": True, "mood_before": before, "mood_after": after,
                 "pleasure": pleasure, "mastery": mastery},
            )  # fmt: skip
