"""sim.engine.design: runs at chosen positions inside the ranges.

A design row at a run's own uniforms must be that run; the ends of the ranges
must move the outcome the way the scenario says; a malformed design is refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.engine.design import run_design
from sim.engine.draws import draw_many
from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

FLAGSHIP = Path(__file__).resolve().parents[2] / "scenarios" / "isf" / "res2803.yaml"
COLUMNS = ["run", "outcome", "rounds", "force", "coalition"]


@pytest.fixture(scope="module")
def flagship():
    return compile_scenario(load(FLAGSHIP))


def test_rows_at_the_runs_own_uniforms_are_the_runs(flagship) -> None:
    seed, ids = 11, np.arange(12)
    U = draw_many(flagship, seed, ids).ranges
    designed = run_design(flagship, U, seed)["runs"][COLUMNS]
    ensemble = run_ensemble(flagship, runs=12, seed=seed, detail=1)["runs"][COLUMNS]
    pd.testing.assert_frame_equal(designed, ensemble)


def test_other_positions_give_other_runs(flagship) -> None:
    seed, ids = 11, np.arange(12)
    U = draw_many(flagship, seed, ids).ranges
    moved = run_design(flagship, 1 - U, seed)["params"]
    own = run_ensemble(flagship, runs=12, seed=seed, detail=1)["params"]
    assert not np.allclose(moved.drop(columns="run"), own.drop(columns="run"))


def test_favourable_ends_of_the_ranges_raise_p_formed(flagship) -> None:
    """Low opposition, high incentives and risk tolerance, a low target: more formed runs."""
    from sim.scenario.drawn import drawn_names

    names = drawn_names(flagship)
    up = np.array([favourable(n) for n in names], dtype=float)
    n = 60
    good = run_design(flagship, np.tile(up, (n, 1)), 5)["runs"]
    bad = run_design(flagship, np.tile(1 - up, (n, 1)), 5)["runs"]
    p_good = (good["outcome"] == "formed").mean()
    p_bad = (bad["outcome"] == "formed").mean()
    assert p_good > p_bad + 0.3, (p_good, p_bad)


def favourable(name: str) -> bool:
    """Whether the high end of a range helps a force form (by the model's formulas)."""
    against = ("domestic_opposition", "clarity_threshold", "broker.target", "hazard")
    return not any(word in name for word in against)


@pytest.mark.parametrize(
    ("shape", "fill"),
    [((4,), 0.5), ((3, 2), 0.5), ((2, 0), 0.5), ("full", 1.5), ("full", -0.1), ("full", np.nan)],
)
def test_bad_designs_are_refused(flagship, shape, fill) -> None:
    E = len(flagship.ranges)
    U = np.full((3, E) if shape == "full" else shape, fill)
    with pytest.raises(ValueError, match="design"):
        run_design(flagship, U)
