"""Scenarios as data: the schema, the six shipped scenarios (data/*.json) and their loader."""

from __future__ import annotations

import json
from pathlib import Path

from careverse.training.scenarios.schema import Scenario

DATA = Path(__file__).parent / "data"


def scenario_ids() -> list[str]:
    """The ids of the scenarios shipped with Careverse."""
    return sorted(p.stem for p in DATA.glob("*.json"))


def load(name_or_path: str | Path) -> Scenario:
    """A shipped scenario by id, or a scenario JSON file by path (validated either way)."""
    path = Path(name_or_path)
    if str(name_or_path) in scenario_ids():
        path = DATA / f"{name_or_path}.json"
    elif path.suffix != ".json" or not path.is_file():
        raise ValueError(
            f"no scenario {str(name_or_path)!r}: give one of {', '.join(scenario_ids())} "
            "or the path of a .json file"
        )
    return Scenario.model_validate(json.loads(path.read_text()))


__all__ = ["Scenario", "load", "scenario_ids"]
