"""The area-of-interest grid answers exactly the brute-force neighbours."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careverse.world.aoi import Grid

coords = st.floats(min_value=-200, max_value=200, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    points=st.lists(st.tuples(coords, coords), min_size=1, max_size=60),
    probe=st.tuples(coords, coords),
    radius=st.floats(min_value=0.5, max_value=80),
    cell=st.floats(min_value=1, max_value=40),
)
def test_near_matches_brute_force(points, probe, radius, cell):
    grid = Grid(cell)
    for i, (x, z) in enumerate(points):
        grid.place(i, x, z)
    expected = {
        i
        for i, (x, z) in enumerate(points)
        if (x - probe[0]) ** 2 + (z - probe[1]) ** 2 <= radius**2
    }
    assert set(grid.near(*probe, radius)) == expected


def test_moves_and_removals_are_tracked():
    grid = Grid(10)
    rng = random.Random(7)
    where = {}
    for step in range(2000):
        key = rng.randrange(50)
        if rng.random() < 0.1:
            grid.remove(key)
            where.pop(key, None)
        else:
            where[key] = (rng.uniform(-100, 100), rng.uniform(-100, 100))
            grid.place(key, *where[key])
        if step % 100 == 0:
            assert len(grid) == len(where)
            assert set(grid.near(0, 0, 1000)) == set(where)
    assert all(k in grid for k in where)


def test_cell_size_must_be_positive():
    with pytest.raises(ValueError):
        Grid(0)
