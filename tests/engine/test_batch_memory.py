"""A batch's memory is bounded (`sim.engine.ensemble.BATCH_BYTES`): a scenario of many
states and concessions runs in smaller batches, with the same tables. Without the bound,
250 states and 200 concessions took 2 GB at 2,000 runs (one batch); with it, 434 MB."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pandas as pd
from state_ids import code

from sim.engine import ensemble
from sim.engine.ensemble import BATCH, batch_runs, run_ensemble
from sim.rules import jit
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

FLAGSHIP = Path(__file__).resolve().parents[2] / "scenarios" / "isf" / "res2803.yaml"


def wide(scenario, states: int, concessions: int):
    """`states` contributors and `concessions` open concessions, a two-week deadline."""
    menu = [
        {"id": f"c{j}", "change": {"clarity": round(0.001 * (j + 1), 3)}}
        for j in range(concessions)
    ]
    return scenario(
        states={code(i): {} for i in range(states)},
        broker={"concessions": menu, "deadline": 2},
    )


def per_run(C) -> int:
    S, K = C.slot_kind.shape
    return S * (
        ensemble.BYTES_PER_CONCESSION * (len(C.concessions) + 1) + ensemble.BYTES_PER_SLOT * K
    )


def test_the_flagship_keeps_whole_batches() -> None:
    assert batch_runs(compile_scenario(load(FLAGSHIP))) == BATCH


def test_a_wide_scenario_gets_fewer_runs_a_batch_within_the_bound(scenario) -> None:
    C = wide(scenario, 250, 200)
    size = batch_runs(C)
    assert 1 <= size < BATCH
    assert size * per_run(C) <= ensemble.BATCH_BYTES < (size + 1) * per_run(C)
    assert batch_runs(wide(scenario, 250, 20)) > size  # fewer concessions: more runs a batch


def test_the_size_asked_for_is_kept_when_it_fits(scenario) -> None:
    assert batch_runs(wide(scenario, 3, 2), most=7) == 7


def traced_peak(C, runs: int) -> tuple[int, dict[str, pd.DataFrame]]:
    """The most memory Python and numpy held while the ensemble ran, and its tables."""
    tracemalloc.start()
    try:
        tables = run_ensemble(C, runs=runs, detail=2)
        return tracemalloc.get_traced_memory()[1], tables
    finally:
        tracemalloc.stop()


def test_a_bounded_batch_holds_less_memory_and_gives_the_same_tables(scenario, monkeypatch) -> None:
    C = wide(scenario, 40, 40)
    runs = 240
    # The numpy rules, whose temporaries grow with a batch, whatever runs this worker
    # started before (from `jit.MIN_RUNS` runs in a process, the compiled loops allocate
    # almost nothing and both peaks are the recording's).
    monkeypatch.setattr(jit, "MIN_RUNS", 2**62)
    monkeypatch.setattr(ensemble, "BATCH_BYTES", 10**12)
    assert batch_runs(C) == BATCH  # unbounded: the 240 runs in one batch
    whole_peak, whole = traced_peak(C, runs)
    monkeypatch.setattr(ensemble, "BATCH_BYTES", 30 * per_run(C))
    assert batch_runs(C) == 30
    bounded_peak, bounded = traced_peak(C, runs)
    assert bounded_peak < whole_peak / 3, (bounded_peak, whole_peak)
    for name, table in whole.items():
        pd.testing.assert_frame_equal(bounded[name], table, check_exact=True)
