"""The package rules' compiled loops (`packages._parts_loop`, `_counted_loop`) give what
their numpy rules give, byte for byte: the parts a state brings besides its lead kind,
and each part's strength counted toward the target (committed, counting, not barred,
at its caveats' share). On every shipped scenario that declares packages, under
random payoffs (some exactly at the offer level), free slots, lead kinds, stances,
vetoes and mandates (caveats granted and not), with the veto mechanism on and off."""

from __future__ import annotations

import numpy as np
import pytest
from shipped import runnable

from sim.rules import packages
from sim.scenario.arrays import STANCES, compile_scenario
from sim.scenario.loader import load

from .test_jit import R, both, random_mandates, same
from .test_search import random_week

pytest.importorskip("numba")

WITH_PACKAGES = [p for p in runnable() if packages.declared(compile_scenario(load(p)))]


def random_parts(C, rng):
    """(u, free, best, in_) of one random week: payoffs near the offer level."""
    S, K = C.slot_kind.shape
    offered = C.scenario.decision.thresholds.offered
    u = rng.normal(offered, 0.3, (R, S, K))
    u = np.where(rng.random((R, S, K)) < 0.15, offered, u)  # at the offer level exactly
    u = np.where(rng.random((R, S, K)) < 0.05, -np.inf, u)
    return u, rng.random((R, S, K)) < 0.8, rng.integers(0, K, (R, S)), rng.random((R, S)) < 0.7


def test_some_shipped_scenario_declares_packages():
    assert WITH_PACKAGES  # else the test below checks nothing


@pytest.mark.parametrize("path", WITH_PACKAGES, ids=lambda p: p.stem)
def test_the_package_loops_give_the_numpy_rules_bytes(path, monkeypatch):
    rng = np.random.default_rng(12)
    C = compile_scenario(load(path))
    S, K = C.slot_kind.shape
    brought = counted = 0
    for vetoes_on in (True, False):
        mech = C.scenario.run.mechanisms.model_copy(update={"vetoes": vetoes_on})
        P, *_ = random_week(C, rng)
        parts = both(monkeypatch, packages.parts, C, P, *random_parts(C, rng))
        same(*parts)
        stance = rng.integers(0, len(STANCES), (R, S))
        part = np.where(rng.random((R, S, K)) < 0.5, rng.choice([50.0, 300.0, 1250.0]), 0.0)
        m = random_mandates(C, rng)
        strength = both(monkeypatch, packages.counted, C, P, stance, part, m, mech)
        same(*strength)
        brought += (parts[0] > 0).sum()
        counted += ((strength[0] > 0) & (strength[0] < part)).sum()  # a caveat's discount
    assert brought > 0 and counted > 0  # the random weeks reach both rules' every branch
