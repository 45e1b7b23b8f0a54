"""Area of interest: a uniform spatial grid over the floor plane (x, z).

Each tick asks, for every client, which avatars stand within its radius. A grid turns that from
"everyone against everyone" into "everyone against the few cells around them"; moving an avatar
costs one dict update when it changes cell.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable

Cell = tuple[int, int]


class Grid:
    def __init__(self, cell_size: float = 12.0):
        if cell_size <= 0:
            raise ValueError("cell size must be positive")
        self.cell_size = cell_size
        # cell → {key: (x, z)}: a query reads positions straight from the cells it visits
        self._cells: dict[Cell, dict[Hashable, tuple[float, float]]] = defaultdict(dict)
        self._where: dict[Hashable, tuple[Cell, float, float]] = {}

    def _cell(self, x: float, z: float) -> Cell:
        return (math.floor(x / self.cell_size), math.floor(z / self.cell_size))

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._where

    def place(self, key: Hashable, x: float, z: float) -> None:
        """Insert or move ``key`` to (x, z)."""
        cell = self._cell(x, z)
        old = self._where.get(key)
        if old is not None and old[0] != cell:
            members = self._cells[old[0]]
            members.pop(key, None)
            if not members:
                del self._cells[old[0]]
        self._cells[cell][key] = (x, z)
        self._where[key] = (cell, x, z)

    def remove(self, key: Hashable) -> None:
        old = self._where.pop(key, None)
        if old is None:
            return
        members = self._cells[old[0]]
        members.pop(key, None)
        if not members:
            del self._cells[old[0]]

    def position(self, key: Hashable) -> tuple[float, float] | None:
        where = self._where.get(key)
        return None if where is None else (where[1], where[2])

    def within(self, x: float, z: float, radius: float) -> set[Hashable]:
        """The keys within ``radius`` of (x, z) as a set (the fast path of the tick)."""
        reach = math.ceil(radius / self.cell_size)
        cx, cz = self._cell(x, z)
        r2 = radius * radius
        cells = self._cells
        found: set[Hashable] = set()
        for i in range(cx - reach, cx + reach + 1):
            for j in range(cz - reach, cz + reach + 1):
                members = cells.get((i, j))
                if members:
                    found.update(
                        [
                            k
                            for k, (kx, kz) in members.items()
                            if (kx - x) ** 2 + (kz - z) ** 2 <= r2
                        ]
                    )
        return found

    def near(self, x: float, z: float, radius: float) -> Iterable[Hashable]:
        """Every key within ``radius`` of (x, z), the point's own key included."""
        reach = math.ceil(radius / self.cell_size)
        cx, cz = self._cell(x, z)
        r2 = radius * radius
        for i in range(cx - reach, cx + reach + 1):
            for j in range(cz - reach, cz + reach + 1):
                for key, (kx, kz) in self._cells.get((i, j), {}).items():
                    if (kx - x) ** 2 + (kz - z) ** 2 <= r2:
                        yield key
