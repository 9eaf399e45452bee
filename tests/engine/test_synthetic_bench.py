"""`bench/synthetic.py` (the scaling benchmarks' scenarios, `make bench`) builds a
scenario that validates and runs for any state count: the flagship it starts from
names its own states (a caveat grant, a veto), which the generated states replace.
No other test imports the benchmark, so a change to the flagship broke it unseen."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario

BENCH = Path(__file__).resolve().parents[2] / "bench" / "synthetic.py"


def _bench():
    """bench/synthetic.py as a module (bench/ is not on the tests' import path)."""
    spec = importlib.util.spec_from_file_location("bench_synthetic", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.mark.parametrize("states", [1, 2, 5, 40, 250])
def test_synthetic_validates_and_names_only_its_own_states(states: int) -> None:
    """Every state a concession grants a caveat to, or a veto player vetoes, is a
    generated one, declaring the caveat granted; under several seeds."""
    for seed in range(3):
        sc = bench.synthetic(states, seed=seed)
        assert list(sc.states) == [bench.code(i) for i in range(states)]
        grants = [c.grants for c in sc.broker.concessions if c.grants is not None]
        assert grants, "the flagship's caveat grant is kept, re-pointed"
        for g in grants:
            assert g.caveat in [c.id for c in sc.states[g.state].caveats]
        for vp in sc.veto_players.values():
            for target in vp.vetoes:
                assert (target if isinstance(target, str) else target.state) in sc.states


@pytest.mark.parametrize("states", [5, 40, 250])
def test_synthetic_runs_a_few_short_runs(states: int) -> None:
    """A few runs of four weeks each: one row per run, none longer than four weeks,
    and every generated state in the commitments table."""
    sc = bench.synthetic(states, seed=1, rounds=4)
    tables = run_ensemble(compile_scenario(sc), runs=3, seed=7, detail=0)
    assert len(tables["runs"]) == 3
    assert tables["runs"]["rounds"].max() <= 4
    assert set(tables["commits"]["state"]) == set(sc.states)
