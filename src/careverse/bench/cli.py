"""``careverse bench …``: benchmarks that print JSON (docs/performance.md)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

bench_app = typer.Typer(
    help="Benchmarks that print JSON (see docs/performance.md).", no_args_is_help=True
)
console = Console()


def _emit(result: dict, json_out: bool) -> None:
    """Print a benchmark's result: bare JSON for tools (``--json``), coloured for people."""
    if json_out:
        print(json.dumps(result))
    else:
        console.print_json(data=result)


@bench_app.command("world")
def bench_world(
    clients: Annotated[int, typer.Option(min=1, max=2000, help="Bots in one space.")] = 100,
    hz: Annotated[
        float, typer.Option(min=1, max=30, help="Moves per bot per second and server ticks.")
    ] = 10,
    seconds: Annotated[float, typer.Option(min=1, max=600, help="Measured duration.")] = 20,
    url: Annotated[
        str | None,
        typer.Option(
            help="A running server, seeded through this environment's CAREVERSE_* settings "
            "(its data dir or database, and key ring); default: start one."
        ),
    ] = None,
    tick_hz: Annotated[
        float, typer.Option(min=2, max=30, help="Server ticks per second (own server only).")
    ] = 20,
    aoi_radius: Annotated[
        float, typer.Option(min=2, max=500, help="Area of interest, metres (own server only).")
    ] = 25,
    bot_procs: Annotated[
        int | None, typer.Option(min=1, max=32, help="Bot processes (default: one per 80 bots).")
    ] = None,
    nodes: Annotated[
        int, typer.Option(min=1, max=8, help="Servers sharing the space (needs Redis).")
    ] = 1,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Bots in separate processes move and chat in one space; prints latency and throughput."""

    from careverse.bench.world import run_world_bench

    result = run_world_bench(
        clients, hz, seconds, url, tick_hz=tick_hz, bot_procs=bot_procs, nodes=nodes,
        aoi_radius=aoi_radius,
    )  # fmt: skip
    _emit(result, json_out)


@bench_app.command("ingest")
def bench_ingest(
    readings: Annotated[int, typer.Option(min=1, help="Readings to send in all.")] = 100_000,
    patients: Annotated[
        int, typer.Option(min=1, max=10_000, help="Patients (one device each).")
    ] = 20,
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Data points per batch.")] = 500,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Requests in flight.")] = 4,
    mqtt: Annotated[
        bool, typer.Option("--mqtt", help="Publish over MQTT instead of HTTP.")
    ] = False,
    url: Annotated[
        str | None, typer.Option(help="A running server (same database); default: start one.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Devices in this process send Open mHealth batches to a server process; prints readings/s
    and the alert latency a subscribed clinician sees."""

    from careverse.bench.ingest import run_ingest_bench

    result = run_ingest_bench(readings, patients, batch, url, mqtt=mqtt, concurrency=concurrency)
    _emit(result, json_out)


@bench_app.command("vitals-query")
def bench_vitals_query(
    days: Annotated[int, typer.Option(min=1, max=3660, help="Days of minute-level data.")] = 365,
    repeat: Annotated[int, typer.Option(min=1, max=50, help="Runs per query (median).")] = 5,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Chart queries over a year of minute-level readings for one patient."""

    from careverse.bench.ingest import run_vitals_query_bench

    result = run_vitals_query_bench(days, repeat)
    _emit(result, json_out)


@bench_app.command("wellbeing")
def bench_wellbeing(
    questionnaires: Annotated[
        int, typer.Option(min=10_000, max=50_000_000, help="Questionnaires to score.")
    ] = 500_000,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
    beats: Annotated[
        int,
        typer.Option(
            min=0,
            max=100_000,
            help="Beats sent one by one through the ingest to time the live RMSSD (0: skip).",
        ),
    ] = 300,
    crisis_submissions: Annotated[
        int,
        typer.Option(
            min=0,
            max=100_000,
            help="PHQ-9 answers with item 9 >= 1 posted to a node of its own, each timed to its "
            "alert on the clinician's alert stream (0: skip).",
        ),
    ] = 120,
    crisis_patients: Annotated[
        int, typer.Option(min=1, max=10_000, help="Patients who post them, in turn.")
    ] = 20,
    crisis_rate: Annotated[
        float, typer.Option(min=0.1, max=1000, help="Crisis answers posted a second, in all.")
    ] = 2.0,
) -> None:
    """Questionnaires (PHQ-9, GAD-7, WHO-5, PHQ-2, GAD-2) and C-SSRS screeners scored per second,
    in-process (the issue's target: 100,000 a second); and the biofeedback RMSSD update latency
    from a new beat's ingest to the breathing stream (target: within 1 s); and PHQ-9 item 9 from
    the patient's POST to the clinician's alert stream on a node (target: p99 within 1 s)."""

    from careverse.bench.crisis_alerts import run_crisis_alert_bench
    from careverse.bench.wellbeing import run_biofeedback_bench, run_wellbeing_bench

    result = run_wellbeing_bench(questionnaires)
    if beats:
        result["biofeedback"] = run_biofeedback_bench(beats)
    if crisis_submissions:
        result["crisis_alerts"] = run_crisis_alert_bench(
            crisis_submissions, crisis_patients, crisis_rate
        )
    _emit(result, json_out)


@bench_app.command("community")
def bench_community(
    posts: Annotated[
        int, typer.Option(min=100, max=1_000_000, help="Posts through the pipeline.")
    ] = 2000,
    labelled: Annotated[
        str | None, typer.Option(help="The labelled crisis set (default: the tests' own).")
    ] = None,
    posting: Annotated[
        bool, typer.Option(help="Also post through the service on a node (slow to set up).")
    ] = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Posters sending replies at the same time.")
    ] = 64,
    database_url: Annotated[
        str | None, typer.Option(help="An empty database to post in (default: SQLite, temporary).")
    ] = None,
) -> None:
    """Community moderation: posting with the full pipeline (posts a second, target 500), the
    crisis screen per post (ms, target 5) and its precision and recall on the labelled set."""
    from pathlib import Path

    from careverse.bench.community import run_community_bench

    result = run_community_bench(
        posts,
        Path(labelled) if labelled else None,
        posting,
        concurrency=concurrency,
        database_url=database_url,
    )
    _emit(result, json_out)


@bench_app.command("fhir")
def bench_fhir(
    days: Annotated[int, typer.Option(min=1, max=3660, help="Days of minute-level data.")] = 365,
    pages: Annotated[int, typer.Option(min=1, max=10_000, help="Pages followed.")] = 200,
    windows: Annotated[int, typer.Option(min=0, max=10_000, help="One-day searches.")] = 100,
    export: Annotated[bool, typer.Option(help="Also stream the whole record (the export).")] = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """FHIR Observation search pages (_count=100) over a year of minute-level readings: p50/p99
    through the app in-process (target p99 <= 100 ms)."""

    from careverse.bench.fhir import run_fhir_bench

    result = run_fhir_bench(days, pages, windows, export)
    _emit(result, json_out)


@bench_app.command("exposure")
def bench_exposure(
    scene: Annotated[
        list[str] | None,
        typer.Option(help="A scene to measure (heights, crowd, spider, speaking); repeatable."),
    ] = None,
    seconds: Annotated[float, typer.Option(min=1, max=600, help="Measured per scene.")] = 10,
    warmup: Annotated[float, typer.Option(min=0, max=120, help="Unmeasured, per scene.")] = 3,
    gl: Annotated[
        str, typer.Option(help="swiftshader (the browser tests' --disable-gpu) or llvmpipe.")
    ] = "swiftshader",
    width: Annotated[int, typer.Option(min=320, max=3840)] = 1280,
    height: Annotated[int, typer.Option(min=240, max=2160)] = 720,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """The exposure scenes' frame time (mean, p50, p95, fps, draw calls) in headless Debian
    Chromium at their default quality, against a node of its own serving the built client."""

    from careverse.bench.exposure import run_exposure_bench

    result = run_exposure_bench(scene, seconds, warmup, gl, (width, height))
    _emit(result, json_out)


@bench_app.command("training")
def bench_training(
    seconds: Annotated[
        float, typer.Option(min=10, max=86_400, help="Simulated seconds for one simulation.")
    ] = 3600,
    scenarios: Annotated[
        int, typer.Option(min=1, max=500, help="Simulations stepped together per tick.")
    ] = 20,
    tick_hz: Annotated[float, typer.Option(min=1, max=60, help="World ticks per second.")] = 20,
    ticks: Annotated[int, typer.Option(min=10, max=100_000, help="Ticks measured.")] = 1200,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
    labs: Annotated[
        int, typer.Option(min=0, max=200, help="Also run N live labs on a server (e.g. 20).")
    ] = 0,
    lab_seconds: Annotated[
        float, typer.Option(min=5, max=3600, help="Seconds the live labs are measured.")
    ] = 30,
) -> None:
    """The physiology engine: steps per second and real-time factor of one simulation (target
    200x), and the time to step N lab scenarios per world tick against the tick's budget.
    With ``--labs N``: N simulation labs on one server, p99 room events (target 100 ms)."""

    from careverse.bench.training import run_training_bench

    result = run_training_bench(seconds, scenarios, tick_hz, ticks)
    if labs:
        from careverse.bench.training_lab import run_lab_bench

        result["labs"] = run_lab_bench(labs, lab_seconds, tick_hz)
    _emit(result, json_out)


@bench_app.command("mentoring")
def bench_mentoring(
    candidates: Annotated[
        int, typer.Option(min=10, max=1_000_000, help="Approved mentors to match against.")
    ] = 10_000,
    runs: Annotated[int, typer.Option(min=10, max=100_000, help="Mentees matched.")] = 200,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Mentor matching: one mentee's need scored against N mentors, best five kept (target
    p99 ≤ 200 ms for 10,000)."""

    from careverse.bench.mentoring import run_mentoring_bench

    result = run_mentoring_bench(candidates, runs)
    _emit(result, json_out)


@bench_app.command("research")
def bench_research(
    rows: Annotated[int, typer.Option(min=10, max=10_000_000, help="Table rows.")] = 100_000,
    notes: Annotated[int, typer.Option(min=1, max=100_000, help="Notes scrubbed.")] = 300,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Research exports: the k-anonymity and l-diversity report on N rows and the export gate
    (target ≤ 10 s for 100,000 rows), and free-text scrubbing throughput (notes/s)."""
    from careverse.bench.research import run_research_bench

    _emit(run_research_bench(rows, notes), json_out)


@bench_app.command("insilico")
def bench_insilico(
    patients: Annotated[int, typer.Option(min=2, max=100_000, help="Virtual patients.")] = 1000,
    hours: Annotated[float, typer.Option(min=0.1, max=24, help="Simulated hours each.")] = 24,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 2,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """An in-silico trial (the sepsis fluids example) of N virtual patients x H hours: wall time
    (target ≤ 60 s for 1,000 x 24 h), and the engine's speed at 20 Hz and at the trials' 1 Hz."""

    from careverse.bench.insilico import run_insilico_bench

    _emit(run_insilico_bench(patients, hours, workers), json_out)


@bench_app.command("circle")
def bench_circle(
    circles: Annotated[int, typer.Option(min=1, max=50, help="Circles at once on one node.")] = 10,
    people: Annotated[int, typer.Option(min=3, max=24, help="People in each circle.")] = 24,
    seconds: Annotated[float, typer.Option(min=5, max=600, help="Measured duration.")] = 30,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Support circles with calls signalled and the facilitator panel live (raise hand, queue,
    timer, check-ins, support) on one server; p99 of room events (target 100 ms)."""

    from careverse.bench.circle import run_circle_bench

    _emit(run_circle_bench(circles, people, seconds), json_out)


@bench_app.command("research-export")
def bench_research_export(
    patients: Annotated[int, typer.Option(min=5, max=100_000, help="Cohort patients.")] = 200,
    readings: Annotated[
        int, typer.Option(min=0, max=10_000, help="Hourly readings per patient.")
    ] = 168,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """De-identifying a cohort's records for an export and the k-anonymity gate (target: 10,000
    patients with a year of hourly readings ≤ 60 s, projected from the rate measured)."""
    from careverse.bench.research_export import run_research_export_bench

    _emit(run_research_export_bench(patients, readings), json_out)


@bench_app.command("stage")
def bench_stage(
    audience: Annotated[
        int, typer.Option(min=1, max=499, help="People in the auditorium besides the host.")
    ] = 490,
    runs: Annotated[int, typer.Option(min=10, max=100_000, help="Slides shown.")] = 200,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """An event's stage: a host's start and slide changes reaching a full auditorium (target
    p99 ≤ 100 ms)."""

    from careverse.bench.stage import run_stage_bench

    _emit(run_stage_bench(audience, runs), json_out)


@bench_app.command("lightpath")
def bench_lightpath(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """The demo on emulated slow 3G with 4x CPU slowdown in Chromium: seconds to an interactive
    sign-in, to the waiting room, to a support group's 2D room, and bytes received."""

    from careverse.bench.lightpath import run_lightpath_bench

    _emit(run_lightpath_bench(), json_out)
