"""Queries over stored readings for charts and rules (no policy checks: callers have authorized).

Downsampling happens in SQL: rows are bucketed by floor((epoch - start) / width) and each bucket
answers min, max, mean and count, so a year of minute-level data returns a few hundred rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Float, Integer, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.monitoring.models import Reading
from careverse.monitoring.units import CODES


@dataclass(frozen=True, slots=True)
class Bucket:
    start: datetime
    min: float
    max: float
    mean: float
    n: int


def _epoch(session: AsyncSession):
    """Seconds since 1970 of effective_at, in the dialect's own SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", Reading.effective_at)
    # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" (UTC): julianday() parses it.
    return (func.julianday(Reading.effective_at) - literal(2440587.5)) * literal(86400.0)


async def latest(
    session: AsyncSession,
    patient_id: uuid.UUID,
    codes: Iterable[str] | None = None,
    since: datetime | None = None,
) -> dict[str, Reading]:
    """The newest reading of each code, in one round trip (an indexed newest-first lookup per
    code, as scalar subqueries)."""
    newest = []
    for code in sorted(codes if codes is not None else CODES):
        query = select(Reading.id).where(Reading.patient_id == patient_id, Reading.code == code)
        if since is not None:
            query = query.where(Reading.effective_at >= since)
        newest.append(
            query.order_by(Reading.effective_at.desc(), Reading.id.desc())
            .limit(1)
            .scalar_subquery()
        )
    if not newest:
        return {}
    rows = await session.scalars(select(Reading).where(or_(*(Reading.id == n for n in newest))))
    return {r.code: r for r in rows.all()}


async def series(
    session: AsyncSession, patient_id: uuid.UUID, code: str, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    """Raw values of one code in [start, end), oldest first."""
    rows = await session.execute(
        select(Reading.effective_at, Reading.value)
        .where(
            Reading.patient_id == patient_id,
            Reading.code == code,
            Reading.effective_at >= start,
            Reading.effective_at < end,
        )
        .order_by(Reading.effective_at, Reading.id)
    )
    return [(at, value) for at, value in rows.all()]


async def downsample(
    session: AsyncSession,
    patient_id: uuid.UUID,
    code: str,
    start: datetime,
    end: datetime,
    buckets: int,
) -> list[Bucket]:
    """min/max/mean/count per equal-width bucket of [start, end); empty buckets are left out."""
    buckets = max(1, int(buckets))
    width = max((end - start).total_seconds() / buckets, 1e-6)
    offset = (_epoch(session) - literal(clock.as_utc(start).timestamp())) / literal(width)
    if session.get_bind().dialect.name == "postgresql":
        index = cast(func.floor(offset), Integer)
    else:
        index = cast(offset, Integer)  # rows are >= start, so truncation is floor
    index = index.label("b")
    rows = await session.execute(
        select(
            index,
            func.min(Reading.value),
            func.max(Reading.value),
            func.avg(cast(Reading.value, Float)),
            func.count(),
        )
        .where(
            Reading.patient_id == patient_id,
            Reading.code == code,
            Reading.effective_at >= start,
            Reading.effective_at < end,
        )
        .group_by(index)
        .order_by(index)
    )
    out = []
    for b, lo, hi, mean, n in rows.all():
        b = min(int(b), buckets - 1)
        out.append(Bucket(start + timedelta(seconds=b * width), lo, hi, float(mean), n))
    return out


async def last_reading_at(
    session: AsyncSession, patient_id: uuid.UUID, code: str | None = None
) -> datetime | None:
    """When the newest reading (of one code, or of any) was measured."""
    newest: datetime | None = None
    for each in [code] if code is not None else CODES:
        at = (
            await session.execute(
                select(func.max(Reading.effective_at)).where(
                    Reading.patient_id == patient_id, Reading.code == each
                )
            )
        ).scalar_one_or_none()
        if at is not None:
            at = clock.as_utc(at)
            newest = at if newest is None or at > newest else newest
    return newest
