"""A lab run's PEARLS debrief as a PDF for the trainee's portfolio (fpdf2: pure Python).

What the debrief screen shows, on paper: the scenario and outcome, the team's score and the
reader's own (the instructor's copy has every trainee's), the weighted checklist, critical
errors, time to critical actions, the vitals timeline drawn as a chart with fpdf2's lines and
every action marked on it, and the instructor's notes for each PEARLS phase. Text uses the
core Helvetica font, so anything outside Latin-1 is replaced (names, notes).
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from careverse.training.models import LabRun, LabTrainee

PHASES = (
    ("reactions", "Reactions"),
    ("description", "Description"),
    ("analysis", "Analysis"),
    ("summary", "Summary"),
)
# Vitals on the chart: key, label, RGB, the axis' range.
SERIES = (
    ("heart_rate", "Heart rate /min", (200, 30, 30)),
    ("mean_bp", "Mean BP mmHg", (30, 60, 200)),
    ("spo2", "SpO2 %", (20, 140, 60)),
    ("respiration_rate", "Resp. rate /min", (150, 90, 0)),
)
CHART_TOP_VALUE = 200.0


def latin(text: object) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "not done"
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def debrief_pdf(
    run: LabRun, trainees: list[LabTrainee], reader: uuid.UUID, *, instructor: bool
) -> bytes:
    """The debrief of ``run`` as read by ``reader``: the team's score, and the individual
    scores the reader may see (their own; all of them for the instructor)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(latin(f"Debrief: {run.title}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 10, latin(f"Simulation debrief: {run.title}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    score = run.score or {}
    lines = [
        f"Scenario: {run.scenario}",
        f"Instructor: {run.instructor_name}",
        f"Run: {run.started_at:%Y-%m-%d %H:%M} to {run.ended_at:%H:%M} UTC",
        f"Outcome: {run.outcome}",
        f"Team score: {float(score.get('total', 0.0)):.1f} "
        f"(checklist {float(score.get('checklist_percent', 0.0)):.1f} %, "
        f"penalties {float(score.get('penalty', 0.0)):g}) - "
        + ("passed" if score.get("passed") else "not passed"),
    ]
    for line in lines:
        pdf.multi_cell(0, 6, latin(line), new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, "Vitals timeline")
    _chart(pdf, run.timeline or [], run.log or [])

    _heading(pdf, "Team checklist")
    _checklist(pdf, score)
    _heading(pdf, "Critical errors")
    errors = score.get("critical_errors") or []
    if not errors:
        _line(pdf, "None.")
    for error in errors:
        _line(pdf, f"{_minutes(error.get('at_s'))}  {error.get('description', '')} "
                   f"(-{float(error.get('penalty', 0)):g})")  # fmt: skip
    _heading(pdf, "Time to critical actions")
    critical = score.get("time_to_critical_s") or {}
    if not critical:
        _line(pdf, "No critical actions in this scenario.")
    for name, at in critical.items():
        _line(pdf, f"{name}: {_minutes(at)}")

    _heading(pdf, "Actions")
    names = {str(t.account_id): t.name for t in trainees}
    actions = [e for e in (run.log or []) if e.get("kind") == "action"]
    if not actions:
        _line(pdf, "No actions.")
    for number, entry in enumerate(actions, 1):
        who = names.get(str(entry.get("by")), "")
        params = ", ".join(f"{k} {v}" for k, v in (entry.get("params") or {}).items())
        _line(pdf, f"{number}. {_minutes(entry.get('t'))}  {entry.get('name')}"
                   + (f" ({params})" if params else "") + (f" - {who}" if who else ""))  # fmt: skip

    for trainee in trainees:
        if trainee.score is None or not (instructor or trainee.account_id == reader):
            continue
        own = trainee.score
        _heading(pdf, f"Individual score: {trainee.name}")
        _line(pdf, f"Score {float(own.get('total', 0.0)):.1f} "
                   f"(checklist {float(own.get('checklist_percent', 0.0)):.1f} %)")  # fmt: skip
        _checklist(pdf, own)

    _heading(pdf, "Debrief notes (PEARLS)")
    notes = run.notes or {}
    for key, label in PHASES:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 7, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 5, latin(notes.get(key) or "-"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _heading(pdf: Any, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 8, latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)


def _line(pdf: Any, text: str) -> None:
    pdf.multi_cell(0, 5, latin(text), new_x="LMARGIN", new_y="NEXT")


def _checklist(pdf: Any, score: dict[str, Any]) -> None:
    for item in score.get("items") or []:
        done = item.get("done_at_s")
        mark = "in time" if item.get("in_time") else ("late" if done is not None else "missed")
        earned = f"{float(item.get('earned', 0)):g}/{float(item.get('weight', 0)):g}"
        within = _minutes(item.get("within_s"))
        what = item.get("description", item.get("id"))
        _line(pdf, f"[{mark}] {what} - {_minutes(done)} (within {within}), {earned}")


def _chart(pdf: Any, timeline: list[dict[str, Any]], log: list[dict[str, Any]]) -> None:
    """The vitals against scenario time as polylines, a dashed line at each action."""
    if pdf.get_y() > 200:
        pdf.add_page()
    left, top, width, height = pdf.l_margin + 10, pdf.get_y() + 2, 170.0, 70.0
    end = max([float(r.get("time_s", 0)) for r in timeline] + [1.0])

    def x(t: float) -> float:
        return left + width * min(max(t, 0.0), end) / end

    def y(v: float) -> float:
        return top + height * (1 - min(max(v, 0.0), CHART_TOP_VALUE) / CHART_TOP_VALUE)

    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.rect(left, top, width, height)
    pdf.set_font("Helvetica", "", 7)
    pdf.set_draw_color(220, 220, 220)
    for v in (50, 100, 150):
        pdf.line(left, y(v), left + width, y(v))
        pdf.text(left - 7, y(v) + 1, str(v))
    pdf.text(left, top + height + 4, "0:00")
    pdf.text(left + width - 8, top + height + 4, _minutes(end))
    for entry in log:
        if entry.get("kind") != "action":
            continue
        at = float(entry.get("t", 0))
        pdf.set_draw_color(120, 0, 160)
        pdf.set_dash_pattern(dash=1, gap=1)
        pdf.line(x(at), top, x(at), top + height)
        pdf.set_dash_pattern()
        pdf.text(x(at) + 0.5, top + 3, latin(entry.get("name", ""))[:14])
    for key, _label, rgb in SERIES:
        points = [
            (x(float(r["time_s"])), y(float(r[key])))
            for r in timeline
            if isinstance(r.get(key), int | float) and "time_s" in r
        ]
        pdf.set_draw_color(*rgb)
        pdf.set_line_width(0.5)
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            pdf.line(x0, y0, x1, y1)
    pdf.set_line_width(0.2)
    legend_y = top + height + 9
    for i, (_key, label, rgb) in enumerate(SERIES):
        pdf.set_fill_color(*rgb)
        pdf.rect(left + i * 42, legend_y - 2.5, 3, 3, style="F")
        pdf.set_text_color(0, 0, 0)
        pdf.text(left + i * 42 + 4, legend_y, label)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(legend_y + 4)
