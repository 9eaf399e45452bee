"""The compiled inner pass of the demand search (`sim.rules.fused`) gives the bytes of
the numpy rule it sits beside, on random inputs and on every shipped scenario."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from shipped import runnable

from sim.engine.ensemble import run_ensemble
from sim.rules import fused, jit, payoff
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

pytest.importorskip("numba")

SHIPPED = runnable()


@pytest.fixture
def always_compiled(monkeypatch):
    """The compiled pass from the first run on."""
    monkeypatch.setattr(jit, "MIN_RUNS", 0)
    monkeypatch.delenv(jit.DISABLE, raising=False)


def random_case(rng: np.random.Generator, R: int, S: int, K: int, per_run: bool):
    """Inputs of the shapes the engine passes: slot parameters for one run or each run,
    payoff components per run and state, ties and states with no free kind."""
    first = R if per_run else 1
    sized = R if per_run in (True, "mixed") else 1  # a realised capacity is drawn per run

    def slot(lo, hi):
        return rng.uniform(lo, hi, (first if per_run is True else 1, S, K)).round(2)

    units = rng.choice([10.0, 50.0, 100.0], (sized, S, K))
    P = SimpleNamespace(
        slot=SimpleNamespace(
            visibility=slot(0, 1),
            exposure=slot(0, 1),
            risk=slot(0, 0.5),
            capacity=rng.choice([0.0, 5.0, 500.0, 2000.0], (sized, S, K)),
            unit=units,
            counts=rng.random((first, S, K)) < 0.7,
        ),
        decision=SimpleNamespace(pledge_min_share=rng.uniform(0, 0.5, R if per_run else 1)),
    )
    names = ("incentives", "distance", "domestic", "risk", "conformity", "bandwagon")
    comp = {n: rng.normal(0, 0.4, (R, S)).round(1) for n in names}  # rounding makes ties
    comp["side_payment"] = np.zeros((R, S))
    comp["noise"] = rng.normal(0, 0.1, (R, S))
    free = rng.random((R, S, K)) < 0.6
    vetoed = rng.random((first, S, K)) < 0.2
    return comp, P, free, vetoed


@pytest.mark.parametrize("per_run", [False, True, "mixed"])
@pytest.mark.parametrize("shape", [(1, 1, 1), (7, 5, 2), (300, 16, 3)])
def test_the_compiled_pass_gives_the_bytes_of_the_numpy_rule(
    always_compiled, shape, per_run, monkeypatch
):
    rng = np.random.default_rng(17)
    for _ in range(5):
        comp, P, free, vetoed = random_case(rng, *shape, per_run)
        want = fused.best_pledge_numpy(comp, P, free, vetoed, 0.15, 0.6)
        got = fused.best_pledge(comp, P, free, vetoed, 0.15, 0.6)
        u = payoff.by_kind(comp, P)  # every kind's payoff, compiled too
        with monkeypatch.context() as numpy_rules:
            numpy_rules.setenv(jit.DISABLE, "1")
            want, got = (*want, payoff.by_kind(comp, P)), (*got, u)
        for a, b in zip(want, got, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)
        # The cases exercise what could differ: no free kind, uncounted or vetoed kinds.
        assert (~want[2]).any() or shape[0] == 1
    assert jit.compiled()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_gives_the_same_tables_compiled_or_not(
    path, monkeypatch, always_compiled
):
    C = compile_scenario(load(path))
    compiled = run_ensemble(C, runs=40, detail=8)
    monkeypatch.setenv(jit.DISABLE, "1")
    assert not jit.compiled()
    plain = run_ensemble(C, runs=40, detail=8)
    for name in plain:
        pd.testing.assert_frame_equal(compiled[name], plain[name], obj=name)


def test_the_pass_starts_once_the_process_has_started_enough_runs(monkeypatch):
    """Below `MIN_RUNS` runs started in the process the numpy rule runs: numba's
    start-up would cost more than the pass saves. The count is of runs started."""
    monkeypatch.delenv(jit.DISABLE, raising=False)
    monkeypatch.setattr(jit, "_started", 0)
    monkeypatch.setattr(jit, "MIN_RUNS", 50)
    C = compile_scenario(load(SHIPPED[0]))
    run_ensemble(C, runs=30, detail=0)
    assert jit._started == 30 and not jit.compiled()
    run_ensemble(C, runs=20, detail=0)
    assert jit.compiled()


def test_a_process_with_many_runs_to_compute_starts_compiled(monkeypatch):
    """A process whose share of one ensemble reaches `MIN_RUNS` uses the compiled pass
    from its first batch on (numba's start-up is repaid by its later batches anyway),
    where an ensemble as small as one batch stays on numpy throughout."""
    from sim.engine import ensemble
    from sim.rules import demands

    monkeypatch.delenv(jit.DISABLE, raising=False)
    monkeypatch.setattr(jit, "MIN_RUNS", 50)
    monkeypatch.setattr(ensemble, "BATCH", 20)
    numpy_weeks = []
    plain = demands.present
    monkeypatch.setattr(demands, "present", lambda *a: (numpy_weeks.append(1), plain(*a))[1])
    C = compile_scenario(load(SHIPPED[0]))
    monkeypatch.setattr(jit, "_started", 0)
    run_ensemble(C, runs=20, detail=0)
    assert numpy_weeks and jit._started == 20  # one batch: numpy
    numpy_weeks.clear()
    monkeypatch.setattr(jit, "_started", 0)
    run_ensemble(C, runs=60, detail=0)  # three batches of 20, its share 60
    assert not numpy_weeks and jit.compiled()
