"""``careverse bench community``: the moderation pipeline and the crisis screen, measured.

Three figures (docs/performance.md):

* **posting with the full pipeline**: replies posted through the community service on a node
  (``create_app``, SQLite in a temporary directory, every capability's event handlers, the
  moderation reviewer with a site rule, the crisis path and its alerts), one transaction per
  post, by 300 members within their rate limits; posts a second (target ≥ 500);
* **reading a thread**: the fullest thread's first 200 posts, read by a member through the
  service with 10,000 threads in the database (p99, target ≤ 50 ms);
* **the pipeline alone** (``pipeline.review``, pure) and **the crisis screen** per post (mean and
  p99, target ≤ 5 ms);
* **precision and recall** of the crisis screen on the labelled set written for the tests
  (``tests/unit/community/crisis_labelled.py``, read from the source tree when it is there).
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from types import ModuleType

from careverse.community import abuse, crisis, pipeline
from careverse.community.content_rules import ContentRule

TARGET_POSTS_PER_SECOND = 500
TARGET_SCREEN_MS = 5.0
TARGET_READ_MS = 50.0
READ_PAGE = 200
ROUNDS = 3  # posting is measured in three rounds: posts/s is their median
POSTING_MEASURES = (
    "replies through ThreadService.reply (the service call the API makes, without HTTP) on a "
    "started node, one session per reply, full pipeline, through the node's group commit "
    "(replies sent while a batch is written share the next transaction); posting_concurrency "
    "posters each send their next reply when the last is answered; median of 3 rounds"
)
READING_MEASURES = (
    "ThreadService.read of the fullest thread (first 200 posts) by a member, one session per "
    "read, 100 reads after one uncached read; p50/p99 of the 100"
)
LABELLED = Path(__file__).resolve().parents[3] / "tests/unit/community/crisis_labelled.py"
ORDINARY = [
    "Does anyone have tips for getting a decent night's sleep while caring?",
    "Thank you all, this group has helped me more than I can say.",
    "My dad's new medication seems to make him dizzy in the mornings, is that common?",
    "We found a lovely respite service in town, happy to share details.",
    "Me too! The paperwork is endless. Batch it on a Sunday and reward yourself after.",
]


def _labelled(path: Path | None) -> ModuleType | None:
    path = path or LABELLED
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("crisis_labelled", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def accuracy(crisis_posts: list[str], other_posts: list[str]) -> dict:
    tp = sum(crisis.screen(p).flagged for p in crisis_posts)
    fp = sum(crisis.screen(p).flagged for p in other_posts)
    fn = len(crisis_posts) - tp
    return {
        "crisis_posts": len(crisis_posts), "non_crisis_posts": len(other_posts),
        "true_positives": tp, "false_positives": fp, "false_negatives": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
    }  # fmt: skip


def _screen_timings(corpus: list[str], rounds: int) -> dict:
    """Wall time per post, and CPU time per post (what the screen costs whatever else runs)."""
    crisis.screen(corpus[0])
    samples, cpu_samples = [], []
    for _ in range(rounds):
        for text in corpus:
            started, cpu = time.perf_counter(), time.thread_time()
            crisis.screen(text)
            samples.append((time.perf_counter() - started) * 1000)
            cpu_samples.append((time.thread_time() - cpu) * 1000)
    samples.sort()
    cpu_samples.sort()
    p99 = int(len(samples) * 0.99) - 1
    return {
        "screen_ms_mean": round(statistics.fmean(samples), 4),
        "screen_ms_p99": round(samples[p99], 4),
        "screen_cpu_ms_p99": round(cpu_samples[p99], 4),
        "screen_ms_max": round(samples[-1], 4),
        "screen_target_ms": TARGET_SCREEN_MS,
    }


def _pipeline_rate(corpus: list[str], posts: int) -> tuple[float, float]:
    rules = [ContentRule("miracle cure", "block"), ContentRule("darn", "censor")]
    pipeline.review(corpus[0], community_kind="caregiver", trust_level=0, rules=rules)
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(posts):
        pipeline.review(corpus[i % len(corpus)], community_kind="caregiver",
                        trust_level=i % 3, rules=rules)  # fmt: skip
    return posts / (time.perf_counter() - started), posts / (time.process_time() - cpu)


async def _posting_rate(
    corpus: list[str], posts: int, reading_threads: int = 10_000, concurrency: int = 1,
    database_url: str | None = None,
) -> dict:  # fmt: skip
    """Replies through the service on a started node (see the module doc)."""
    from careverse.app import create_app
    from careverse.community.batching import PostBatcher
    from careverse.community.moderation_desk import ModerationDesk
    from careverse.community.posts import ThreadService
    from careverse.community.review import PostReviewer
    from careverse.community.service import CommunityService
    from careverse.identity.models import Account
    from careverse.identity.service import email_index
    from careverse.kernel.config import Settings
    from careverse.kernel.errors import Conflict
    from careverse.kernel.policy import Actor, Role

    members_count = 300
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), migrate_on_start=True, log_json=False,
                            log_level="WARNING", **_url(database_url))  # fmt: skip
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            runtime = app.state.runtime
            gc.freeze()  # what start loaded, out of the collector's walks (as careverse serve)
            reviewer = runtime.get(PostReviewer)
            batcher = runtime.get(PostBatcher)
            people = []
            async with runtime.db.session() as session:
                for i in range(members_count + 1):
                    role = Role.ADMIN if i == 0 else Role.PATIENT
                    account = Account(
                        id=uuid.uuid4(), email=f"m{i}@bench.example.org",
                        email_index=email_index(f"m{i}-{uuid.uuid4()}@bench.example.org"),
                        password_hash="!bench", role=role.value, display_name=f"Member {i}",  # noqa: S106
                    )  # fmt: skip
                    account.patient = None
                    session.add(account)
                    people.append(Actor(account_id=account.id, role=role))
                await session.commit()
            admin, members = people[0], people[1:]
            async with runtime.db.session() as session:
                await CommunityService(session).create(
                    admin, slug="bench-carers", name="Bench carers", kind="caregiver",
                    visibility="public", guidelines="Be kind.")  # fmt: skip
            async with runtime.db.session() as session:
                await ModerationDesk(session, settings).add_rule(admin, None, "darn", "censor")
            for member in people:
                async with runtime.db.session() as session:
                    await CommunityService(session).join(
                        member, "bench-carers", accept_guidelines=True, guidelines_version=1
                    )
            threads = []
            for k in range(10):
                async with runtime.db.session() as session:
                    started = await ThreadService(session, reviewer).start(
                        admin, "bench-carers", f"Topic {k}", ORDINARY[k % len(ORDINARY)]
                    )
                    assert started.thread is not None
                    threads.append(started.thread.thread.id)
            database = runtime.db.engine.url.get_backend_name()
            held = retried = 0
            queue = iter(range(posts))

            async def poster() -> None:  # one member's client: its replies one after another
                nonlocal held, retried
                for i in queue:
                    while True:
                        try:
                            async with runtime.db.session() as session:
                                posted = await ThreadService(session, reviewer, batcher).reply(
                                    members[i % members_count], threads[i % len(threads)],
                                    corpus[i % len(corpus)], "pseudonym", None, "en")  # fmt: skip
                            break
                        except Conflict:  # another reply took the same place: send it again
                            retried += 1
                    held += posted.post.post.state == "held"

            batcher.timings.clear()
            rates, cpus = [], []
            step = posts // ROUNDS
            for k in range(ROUNDS):  # the same node, the posts in three equal rounds
                queue = iter(range(k * step, (k + 1) * step))
                began, cpu = time.perf_counter(), time.process_time()
                await asyncio.gather(*(poster() for _ in range(concurrency)))
                rates.append(step / (time.perf_counter() - began))
                cpus.append((time.process_time() - cpu) * 1000 / step)
            reading = await _reading(runtime, admin, members[0], threads, reading_threads)
    # The CPU time per post says what the node spends whatever else shares the machine.
    cpu_ms = statistics.median(cpus)
    return {"database": database, "posting_measures": POSTING_MEASURES,
            "posting_concurrency": concurrency, "posting_conflicts_retried": retried,
            "posts": posts // ROUNDS * ROUNDS, "held": held,
            "posting_per_second": round(statistics.median(rates), 1),
            "posting_per_second_rounds": [round(r, 1) for r in rates],
            "posting_cpu_ms_per_post": round(cpu_ms, 2),
            "posting_cpu_ms_rounds": [round(c, 2) for c in cpus],
            **_batch_figures(batcher.timings),
            "posting_per_cpu_second": round(1000 / cpu_ms, 1),
            "posting_target_per_second": TARGET_POSTS_PER_SECOND} | reading  # fmt: skip


def _url(database_url: str | None) -> dict:
    return {"database_url": database_url} if database_url else {}


def _batch_figures(timings) -> dict:
    """How the group commit went: batches, their mean size, fallbacks, time per post by stage."""
    posts = max(1, timings.posts)
    return {"posting_batches": timings.batches,
            "posting_mean_batch": round(timings.posts / max(1, timings.batches), 1),
            "posting_batch_fallbacks": timings.fallbacks,
            "posting_stage_ms_per_post": {k: round(v * 1000 / posts, 3)
                                          for k, v in timings.stages.items()}}  # fmt: skip


async def _reading(runtime, admin, reader, threads: list, total_threads: int) -> dict:
    """Reading the fullest thread (its first 200 posts; topped up in bulk to 201 when fewer were
    posted) as a member, with ``total_threads`` threads (one post each, added in bulk) in the
    database: p50/p99 over 100 reads."""
    from careverse.community import text
    from careverse.community.demo import add_threads, fill_thread
    from careverse.community.posts import ThreadService

    fullest_id = threads[0]  # replies go round the threads: the first has the most
    async with runtime.db.session() as session:
        await add_threads(session, fullest_id, admin.account_id, total_threads - len(threads),
                          ORDINARY)  # fmt: skip
    async with runtime.db.session() as session:  # at least 201 posts, whatever --posts was
        await fill_thread(session, fullest_id, admin.account_id, READ_PAGE + 1, ORDINARY)
    text.render_cache_clear()  # the first read renders every post, as after a restart
    async with runtime.db.session() as session:
        started = time.perf_counter()
        await ThreadService(session).read(reader, fullest_id)
        cold = (time.perf_counter() - started) * 1000
    samples, cpu_samples, shown = [], [], 0
    for _ in range(100):
        started, cpu = time.perf_counter(), time.process_time()
        async with runtime.db.session() as session:
            *_, views = await ThreadService(session).read(reader, fullest_id)
        samples.append((time.perf_counter() - started) * 1000)
        cpu_samples.append((time.process_time() - cpu) * 1000)
        shown = len(views)
    samples.sort()
    cpu_samples.sort()
    return {"reading_measures": READING_MEASURES, "reading_ms_first_uncached": round(cold, 2),
            "reading_threads": total_threads, "reading_posts_shown": shown,
            "reading_ms_p50": round(samples[49], 2), "reading_ms_p99": round(samples[98], 2),
            "reading_cpu_ms_p50": round(cpu_samples[49], 2),
            "reading_cpu_ms_p99": round(cpu_samples[98], 2),
            "reading_target_ms_p99": TARGET_READ_MS}  # fmt: skip


def run_community_bench(
    posts: int = 2000,
    labelled: Path | None = None,
    posting: bool = True,
    concurrency: int = 1,
    database_url: str | None = None,
) -> dict:
    module = _labelled(labelled)
    crisis_posts: list[str] = list(getattr(module, "CRISIS", []))
    others: list[str] = list(getattr(module, "NON_CRISIS", []))
    corpus = ORDINARY * 8 + crisis_posts[:20] + others[:40] if module else ORDINARY
    result: dict = {"abuse_engine": abuse.engine()}
    result["lexicon_entries"] = sum(len(v) for v in crisis.lexicon().values())
    result |= _screen_timings(crisis_posts + others or ORDINARY, rounds=5)
    wall, cpu = _pipeline_rate(corpus, posts)
    result["pipeline_per_second"] = round(wall, 1)
    result["pipeline_per_cpu_second"] = round(cpu, 1)
    if module is not None:
        result["labelled"] = accuracy(crisis_posts, others)
    if posting:
        result |= asyncio.run(
            _posting_rate(
                corpus, min(posts, 2700), concurrency=max(1, concurrency), database_url=database_url
            )
        )
    return result
