"""Same seed, same bytes; different seed, different bytes; batches do not matter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.engine import ensemble
from sim.engine.draws import generator
from sim.engine.ensemble import run_ensemble
from sim.parallel import ENGINE, Pool, Serial
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ISF = Path(__file__).resolve().parents[2] / "scenarios" / "isf"


@pytest.fixture(scope="module")
def flagship():
    return compile_scenario(load(ISF / "res2803.yaml"))


def csv_bytes(tables) -> dict[str, bytes]:
    return {k: tables[k].to_csv(index=False).encode() for k in ("runs", "rounds", "states")}


def test_run_generator_is_the_spawned_child() -> None:
    children = np.random.SeedSequence(2803).spawn(5)
    for i, child in enumerate(children):
        expected = np.random.Generator(np.random.PCG64(child)).random(3)
        assert np.array_equal(generator(2803, i).random(3), expected)


def test_same_seed_same_bytes(flagship) -> None:
    a = csv_bytes(run_ensemble(flagship, runs=60, seed=11, detail=10))
    b = csv_bytes(run_ensemble(flagship, runs=60, seed=11, detail=10))
    assert a == b


def test_different_seed_different_bytes(flagship) -> None:
    a = csv_bytes(run_ensemble(flagship, runs=60, seed=11, detail=10))
    b = csv_bytes(run_ensemble(flagship, runs=60, seed=12, detail=10))
    assert a["states"] != b["states"]
    assert a["rounds"] != b["rounds"]


def test_batch_size_does_not_change_results(flagship, monkeypatch) -> None:
    whole = csv_bytes(run_ensemble(flagship, runs=45, seed=5, detail=45))
    monkeypatch.setattr(ensemble, "BATCH", 7)
    split = csv_bytes(run_ensemble(flagship, runs=45, seed=5, detail=45))
    assert whole == split


def test_a_run_does_not_depend_on_how_many_ran(flagship) -> None:
    few = run_ensemble(flagship, runs=10, seed=3, detail=10)
    many = run_ensemble(flagship, runs=40, seed=3, detail=10)
    assert few["runs"].to_csv(index=False) == many["runs"].head(10).to_csv(index=False)
    assert few["states"].to_csv(index=False) == many["states"].to_csv(index=False)


def test_detail_is_kept_for_the_first_runs_only(flagship) -> None:
    tables = run_ensemble(flagship, runs=30, seed=3, detail=4)
    assert sorted(tables["states"]["run"].unique()) == [0, 1, 2, 3]
    assert sorted(tables["rounds"]["run"].unique()) == [0, 1, 2, 3]
    assert len(tables["runs"]) == 30


class _Backwards(Serial):
    """An executor whose batches finish last first, as a busy pool's may."""

    workers = 3

    def imap(self, fn, jobs):
        yield from reversed(list(super().imap(fn, jobs)))


def test_the_executor_and_the_order_batches_finish_in_do_not_matter(flagship) -> None:
    tables = ("runs", "rounds", "states", "commits", "coalitions", "bands", "params")
    here = run_ensemble(flagship, runs=45, seed=5, detail=20)
    done = []
    backwards = run_ensemble(
        flagship, runs=45, seed=5, detail=20, executor=_Backwards(), progress=done.append
    )
    with Pool(2, warm=ENGINE) as pool:
        pooled = run_ensemble(flagship, runs=45, seed=5, detail=20, executor=pool)
    assert done == [15, 15, 15]  # three workers: three batches of 15, each reported once
    for name in tables:
        expected = here[name].to_csv(index=False)
        assert backwards[name].to_csv(index=False) == expected, name
        assert pooled[name].to_csv(index=False) == expected, name
