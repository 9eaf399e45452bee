"""The end of a state's decision in one compiled pass (`decide._choose`) gives what the
numpy rules give (`decide._choose_numpy`), byte for byte: the stance ladder with
hysteresis and the clarity gate, the demand voiced, the kind and pledge of the
states in, the payoff shown and its signed components. On every shipped scenario
under random weeks, with hysteresis on and off; and the scalar rules the pass is
built from (`stance.rung`, `stance.pledge_one`) against `stance.ladder` and
`stance.pledge` on random payoffs, including thresholds out of their usual order."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.rules import decide, jit, stance
from sim.scenario.arrays import STANCES, compile_scenario
from sim.scenario.loader import load

from .test_jit import R, same
from .test_present import SHIPPED, same_value
from .test_search import random_week

pytest.importorskip("numba")


def both_choices(C, monkeypatch, rng, mech):
    """The numpy rules' choice, then the compiled pass's, on one random week."""
    P, _, obs, now, *_ = random_week(C, rng)
    S = len(C.states)
    demand = rng.integers(-1, max(len(C.concessions), 1), (R, S))
    args = (C, P, now, obs, rng.random((R, S)) < 0.5, rng.random((R, S)) < 0.7,
            rng.random((R, S)) < 0.3, demand, mech)  # fmt: skip
    monkeypatch.setenv(jit.DISABLE, "1")
    plain = decide._choose_numpy(*args)
    monkeypatch.delenv(jit.DISABLE)
    monkeypatch.setattr(jit, "MIN_RUNS", 0)
    return plain, decide._choose(*args)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_compiled_choice_is_the_numpy_rules_bytes(path, monkeypatch):
    rng = np.random.default_rng(31)
    C = compile_scenario(load(path))
    stances = set()
    for hysteresis in (True, False):
        mech = C.scenario.run.mechanisms.model_copy(update={"hysteresis": hysteresis})
        plain, fused = both_choices(C, monkeypatch, rng, mech)
        for a, b in zip(plain, fused, strict=True):
            same_value(a, b)
        stances |= set(np.unique(plain[0]).tolist())
    assert len(stances) >= 3  # the random weeks move states to several rungs


def test_a_state_by_state_ladder_and_pledge_are_the_numpy_rules():
    """`stance.rung` and `stance.pledge_one` against `ladder` and `pledge` on random
    payoffs near random thresholds (in order, and out of it), every previous stance."""
    rng = np.random.default_rng(3)
    jit.bind()  # the module's names are now the compiled functions, callable from here
    rung, pledge_one = stance.rung, stance.pledge_one
    for _ in range(20):
        cuts = rng.normal(0, 0.3, 4)
        th = SimpleNamespace(conditional=cuts[0], offered=cuts[1], committed=cuts[2], exit=cuts[3])
        n = 2000
        prev = rng.integers(0, len(STANCES), n)
        u = np.where(rng.random(n) < 0.05, -np.inf, rng.normal(0, 0.4, n))
        u = np.where(rng.random(n) < 0.2, rng.choice(cuts, n), u)  # at a threshold exactly
        free, lift, gate = (rng.random(n) < p for p in (0.9, 0.5, 0.8))
        h = rng.choice([0.0, 0.05, 0.2])
        want = stance.ladder(prev, u, free, lift, gate, th, h)
        got = [rung(prev[i], u[i], free[i], lift[i], gate[i], h, *cuts) for i in range(n)]
        np.testing.assert_array_equal(got, want)
        cap = rng.choice([0.0, 50.0, 800.0, 20000.0], n)
        unit = rng.choice([50.0, 100.0, 500.0], n)
        share = rng.choice([0.0, 0.25, 0.6])
        full = cuts[1] + rng.choice([0.0, 0.5])
        want = stance.pledge(u, cap, unit, cuts[1], full, share)
        got = np.array([pledge_one(u[i], cap[i], unit[i], cuts[1], full, share) for i in range(n)])
        same(got, want)
