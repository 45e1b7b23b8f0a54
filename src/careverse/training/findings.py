"""What a trainee finds at the bedside of the lab's virtual patient: the "examine" and "ask"
answers, derived from the monitor's vitals and consciousness (ACVPU) in this one place.

Pure: vitals in, finding keys and their parameters out (the client says them through ``t()``,
``lab.find.*`` in ``client/src/i18n/en-training.ts``). Bands, after the Resuscitation Council
UK ABCDE approach and NEWS2 (RCP 2017):

- capillary refill from the mean arterial pressure: normal (≤ 2 s) at MAP ≥ 70 mmHg, slow
  (3 s) at 55 ≤ MAP < 70, prolonged (> 3 s) below 55; no pulse in arrest;
- skin: hot at ≥ 38.0 °C, cold and clammy at MAP < 65, else warm;
- colour from SpO2: pink at ≥ 94 %, pale/dusky at 85-93, cyanosed below 85;
- breathing: none below 2 /min, slow and shallow below 9, normal to 20, laboured 21-29,
  severe distress at ≥ 30;
- responsiveness: the ACVPU letter; "ask" answers only when alert (a symptom line for the
  scenario's condition), confused words when newly confused (C), nothing otherwise.

A teaching approximation, not a clinical tool.
"""

from __future__ import annotations

from typing import Any

Finding = dict[str, Any]  # {"key": "lab.find.…", "params": {...}}

SYMPTOMS = ("anaphylaxis", "asthma", "haemorrhage", "heart_failure", "opioid_overdose", "sepsis")


def _f(key: str, **params: Any) -> Finding:
    return {"key": f"lab.find.{key}", "params": params}


def capillary_refill(mean_bp: float, arrest: bool = False) -> str:
    """The capillary refill band from the mean arterial pressure (mmHg)."""
    if arrest:
        return "crt_none"
    if mean_bp >= 70:
        return "crt_normal"
    if mean_bp >= 55:
        return "crt_slow"
    return "crt_prolonged"


def examine(vitals: dict[str, Any]) -> list[Finding]:
    """The bedside examination's findings, in ABCDE order."""
    arrest = vitals.get("arrest") is True
    rate = float(vitals.get("respiration_rate", 14))
    spo2 = float(vitals.get("spo2", 97))
    mean = float(vitals.get("mean_bp", 90))
    temp = float(vitals.get("temperature", 37))
    level = str(vitals.get("consciousness", "A"))
    if arrest or rate < 2:
        breathing = _f("apnoea")
    elif rate < 9:
        breathing = _f("breath_slow", rate=round(rate))
    elif rate <= 20:
        breathing = _f("breath_normal", rate=round(rate))
    elif rate < 30:
        breathing = _f("breath_laboured", rate=round(rate))
    else:
        breathing = _f("breath_distress", rate=round(rate))
    if arrest:
        colour = _f("colour_blue", spo2=round(spo2))
    elif spo2 >= 94:
        colour = _f("colour_pink", spo2=round(spo2))
    elif spo2 >= 85:
        colour = _f("colour_dusky", spo2=round(spo2))
    else:
        colour = _f("colour_blue", spo2=round(spo2))
    if temp >= 38.0:
        skin = _f("skin_hot", temperature=round(temp, 1))
    elif arrest or mean < 65:
        skin = _f("skin_cold", temperature=round(temp, 1))
    else:
        skin = _f("skin_warm", temperature=round(temp, 1))
    level = "U" if arrest else level if level in "ACVPU" and len(level) == 1 else "A"
    return [
        breathing,
        colour,
        _f(capillary_refill(mean, arrest), mean_bp=round(mean)),
        skin,
        _f(f"avpu_{level}"),
    ]


def ask(vitals: dict[str, Any], condition: str) -> Finding:
    """What the patient answers to "how do you feel?": only when alert (A) a symptom line for
    the scenario's condition; confused words at C; no answer at V, P or U or in arrest."""
    level = "U" if vitals.get("arrest") is True else str(vitals.get("consciousness", "A"))
    if level == "A":
        return _f(f"say_{condition}" if condition in SYMPTOMS else "say_other")
    if level == "C":
        return _f("say_confused")
    return _f("say_none")
