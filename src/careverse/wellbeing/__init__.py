"""Wellbeing: validated questionnaires (PHQ-9, GAD-7, WHO-5, PHQ-2, GAD-2, the C-SSRS screener)
and their crisis path (docs/wellbeing.md)."""
