"""The fast engine computes the very same runs as the Mesa model."""

from __future__ import annotations

from pathlib import Path

import pytest
from shipped import tracked

from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2] / "scenarios"


def _tracked() -> list[Path]:
    """Scenario files git tracks (a user's own file saved in scenarios/ is not
    shipped); every file found when there is no git checkout."""
    return tracked(ROOT) or sorted(ROOT.rglob("*.yaml"))


SCENARIOS = sorted(p for p in _tracked() if "sweeps" not in p.relative_to(ROOT).parts)


def shipped_runnable():
    """Every shipped scenario file except partials (files without a mandate)."""
    return [p for p in SCENARIOS if _has_mandate(p)]


def _has_mandate(path: Path) -> bool:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parents = data.get("extends") or []
    parents = [parents] if isinstance(parents, str) else parents
    return "mandate" in data or any(_has_mandate(path.parent / p) for p in parents)


@pytest.mark.parametrize("path", shipped_runnable(), ids=lambda p: p.stem)
def test_mesa_and_fast_give_identical_tables(path: Path) -> None:
    C = compile_scenario(load(path))
    fast = run_ensemble(C, runs=4, seed=9, detail=4, engine="fast")
    mesa = run_ensemble(C, runs=4, seed=9, detail=4, engine="mesa")
    for name in ("runs", "params", "rounds", "states", "commits", "coalitions", "bands"):
        assert fast[name].to_csv(index=False) == mesa[name].to_csv(index=False), name
