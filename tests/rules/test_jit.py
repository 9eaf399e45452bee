"""The rules' compiled loops (`sim.rules.jit`) give the bytes of the numpy rules they
sit beside: red lines held and the slots they block, the distance from each state's
ideal terms, the share of a caveated pledge, linear effects of the terms (incentives,
perception, risk, acceptance, consent) and bundled demands, on every shipped
scenario under random mandates, world conditions and kinds (the demand search's
compiled pass is checked in `tests/rules/test_search.py`; every shipped scenario's
tables compiled or not in `tests/rules/test_fused.py`)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from shipped import SCENARIOS, runnable

import sim.rules
from sim.engine.draws import draw_many, parameters
from sim.rules import actors, caveats, decide, demands, jit, payoff, red_lines
from sim.scenario.arrays import OP_CODES, compile_scenario
from sim.scenario.loader import load

pytest.importorskip("numba")

SHIPPED = runnable()
R = 300


def random_mandates(C, rng: np.random.Generator) -> np.ndarray:
    """(R, F) mandates: each column the scenario's own value, a value a concession
    sets, 0, 1 or a level index, at random, so every line is both met and violated."""
    m = np.repeat(C.mandate0[None], R, axis=0)
    values = [{0.0, 0.5, 1.0, 2.0, 3.0, float(C.mandate0[f])} for f in range(m.shape[1])]
    for changes in C.concession_changes:
        for col, value, _ in changes:
            values[col].add(float(value))
    for f, options in enumerate(values):
        pick = rng.random(R) < 0.5
        m[pick, f] = rng.choice(sorted(options), pick.sum())
    return m


def both(monkeypatch, fn, *args):
    """`fn(*args)` with the numpy rules, then with the compiled loops."""
    monkeypatch.setenv(jit.DISABLE, "1")
    assert not jit.compiled()
    plain = fn(*args)
    monkeypatch.delenv(jit.DISABLE)
    monkeypatch.setattr(jit, "MIN_RUNS", 0)
    assert jit.compiled()
    return plain, fn(*args)


def blocked(C, m, world, allowed, ok):
    """The slots violated lines rule out, as the demand search asks (no first line)."""
    return red_lines.blocked(C, m, world, allowed, first=False, ok=ok)[0]


def first_blocked(C, m, world, allowed, ok):
    """The first violated line of each slot, as the present terms ask (-1 for none)."""
    out, first = red_lines.blocked(C, m, world, allowed, first=True, ok=ok)
    assert (out == (first >= 0)).all()
    return first


def same(a, b) -> None:
    """The same dtype, shape and bytes."""
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_loop_gives_the_numpy_rules_bytes(path, monkeypatch):
    C = compile_scenario(load(path))
    rng = np.random.default_rng(2803)
    draws = draw_many(C, 5, np.arange(R))
    P = parameters(C, draws.ranges, draws.bars)
    for _ in range(3):
        m = random_mandates(C, rng)
        world = rng.random((R, 3 + len(C.world_names))) < 0.5
        allowed = rng.random(R) < 0.5
        kind = rng.integers(-1, len(C.kinds), (R, len(C.states)))
        level = rng.choice([0.0, 0.5, 2.0], R)
        ok, ok_jit = both(monkeypatch, red_lines.held, C, m, world, allowed)
        same(ok, ok_jit)
        same(*both(monkeypatch, blocked, C, m, world, allowed, ok))
        same(*both(monkeypatch, first_blocked, C, m, world, allowed, ok))
        same(*both(monkeypatch, payoff.distance, C, P, m, allowed))
        same(*both(monkeypatch, caveats.share, C, P, m, kind))
        same(*both(monkeypatch, payoff.incentives, C, P, m))
        same(*both(monkeypatch, payoff.perception, C, P, m, allowed, level))
        same(*both(monkeypatch, payoff.risk, C, P, m, rng.random(R), level))
        for acc in zip(*both(monkeypatch, actors.acceptance, C, P, m), strict=True):
            same(*acc)
        for consent in zip(*both(monkeypatch, actors.consent, C, P, m), strict=True):
            same(*consent)
        # The random inputs reach both answers wherever the scenario can.
        if len(C.red["op"]):
            assert ok.any() and (~ok).any()


def random_lines(C, rng: np.random.Generator, L: int = 60) -> dict:
    """Red lines of every operator, on random columns and values, reading world
    conditions in and out of range, with and without `unless` and `caveat_ok`."""
    W = 3 + len(C.world_names)
    S, K = C.slot_kind.shape
    return {
        "op": rng.integers(0, len(OP_CODES), L),
        "col": rng.integers(0, len(C.mandate0), L),
        "value": rng.choice([0.0, 0.5, 1.0, 2.0, 3.0], L),
        "mask": rng.integers(0, 16, L).astype(np.int64),
        "world": rng.integers(0, W + 2, L),
        "unless": rng.integers(-1, W + 2, L),
        "caveat_ok": rng.random(L) < 0.3,
        "owner": rng.integers(0, S, L),
        "slot_binds": rng.random((L, K)) < 0.6,
    }


def test_every_operator_gives_the_numpy_rules_bytes(monkeypatch):
    """The shipped scenarios use some operators only (`excludes`, `at_least`,
    `at_most`, `requires`); random lines of every operator on the flagship's
    columns, with its per-state caveats lifting random lines."""
    C = compile_scenario(load(SCENARIOS / "isf" / "res2803.yaml"))
    assert caveats.declared(C)
    rng = np.random.default_rng(7)
    for _ in range(5):
        red = random_lines(C, rng)
        lifts = rng.random((len(C.caveat_cols), len(red["op"]))) < 0.1
        Cr = replace(C, red=red, caveat_lifts=lifts, red_spread=spread(red, *C.slot_kind.shape))
        m = random_mandates(C, rng)
        m[:, rng.integers(0, m.shape[1], 5)] = rng.choice([-1.0, 2.7, 70.0], (R, 5))  # odd levels
        world = rng.random((R, 3 + len(C.world_names))) < 0.5
        allowed = rng.random(R) < 0.5
        ok = both(monkeypatch, red_lines.held, Cr, m, world, allowed)
        same(*ok)
        assert {int(o) for o in red["op"][(~ok[0]).any(axis=0)]} == set(OP_CODES.values())
        same(*both(monkeypatch, blocked, Cr, m, world, allowed, ok[0]))
        first = both(monkeypatch, first_blocked, Cr, m, world, allowed, ok[0])
        same(*first)
        assert len(np.unique(first[0])) > 10  # many lines come first somewhere


def spread(red: dict, S: int, K: int) -> np.ndarray:
    """The numpy rule's (L, S x K) 0/1 matrix of the slots each line binds."""
    out = np.zeros((len(red["op"]), S, K))
    out[np.arange(len(red["op"])), red["owner"], :] = red["slot_binds"]
    return out.reshape(len(red["op"]), S * K)


def test_bundling_demands_gives_the_numpy_rules_bytes(monkeypatch):
    """The demands only the whole menu meets (`decide._bundle`): ties between keys go to
    the concession first in the search's order, as `argmax` does."""
    C = compile_scenario(load(SCENARIOS / "isf" / "res2803.yaml"))
    rng = np.random.default_rng(3)
    R, S, n = 400, len(C.states), len(C.concessions)
    keys = rng.choice([-np.inf, 0.1, 0.2, 1e6 + 0.1], (R, S, n))  # ties, and nothing open
    demand = np.where(rng.random((R, S)) < 0.5, rng.integers(0, n, (R, S)), -1)
    whole = demands.Prospect(
        np.arange(R), rng.normal(0.1, 0.2, (R, S)), rng.random((R, S)) < 0.8,
        rng.choice([0.0, 500.0], (R, S)), np.ones((R, 2), bool), np.zeros((R, S), bool),
    )  # fmt: skip
    th = C.scenario.decision.thresholds
    before = rng.choice([0.0, 250.0, 1500.0], (R, S, n))  # what single concessions credit

    def bundle(*args):  # the demands, and the credits with the whole menu's added
        pledge_if = before.copy()
        return decide._bundle(*args, pledge_if), pledge_if

    got = both(monkeypatch, bundle, C, whole, demand, keys, th)
    for a, b in zip(*got, strict=True):
        same(a, b)
    asked = got[0][0] != demand
    assert asked.any() and (~asked).any()
    assert (got[0][1] > before).any()  # a credit added where a demand was bundled


BLAS_CALLS = (" @ ", "np.dot", "linalg", "np.cov", "np.corrcoef", "np.inner", "np.vdot")


def test_no_compiled_loop_calls_blas():
    """numba's BLAS check is answered 'no' when the loops are bound
    (`jit._skip_blas_probe`): that holds only while no loop calls BLAS."""
    for module in pkgutil.iter_modules(sim.rules.__path__):
        importlib.import_module(f"sim.rules.{module.name}")
    assert len(jit.KERNELS) > 20
    for name, k in jit.KERNELS.items():
        source = inspect.getsource(k.loop)
        assert not [c for c in BLAS_CALLS if c in source], name


SPARED = """
import sys
from sim.rules import jit
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load
from sim.engine.ensemble import run_ensemble
sc = load(sys.argv[1])
with jit.forced():
    run_ensemble(compile_scenario(sc), runs=20, seed=sc.run.seed, detail=0)
assert any(k.compiled_once for k in jit.KERNELS.values())
print("linalg before:", "scipy.linalg" in sys.modules, jit.BLAS_PROBE in sys.modules)
import scipy.linalg.cython_blas  # a user's own linear algebra still imports it
print("linalg after:", "scipy.linalg" in sys.modules)
"""


def test_a_process_running_the_loops_never_imports_scipys_linear_algebra():
    pytest.importorskip("scipy")
    root = Path(__file__).resolve().parents[2]
    flagship = root / "scenarios" / "isf" / "res2803.yaml"
    proc = subprocess.run(
        [sys.executable, "-c", SPARED, str(flagship)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["linalg before: False False", "linalg after: True"]
