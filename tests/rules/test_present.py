"""The present terms in one compiled pass (`sim.rules.present.present_all`) give what
the numpy rules give (`demands.present`), byte for byte: every payoff component,
the payoff of each offered kind, the free slots, the best free slot and its payoff,
the best offered slot, the binding red line. On every shipped scenario, under
random mandates, observations, vetoes and world conditions, with the veto and
world-condition mechanisms on and off, and with random red lines of every
operator."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest
from shipped import SCENARIOS, runnable

from sim.rules import demands, jit, present
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

from .test_jit import R, random_lines, random_mandates, same, spread
from .test_search import random_week, switched

pytest.importorskip("numba")

SHIPPED = runnable()


def both_presents(C, monkeypatch, rng, cond: bool = True, m=None):
    """The numpy rules' `Present`, then the compiled pass's, on one random week."""
    P, m_week, obs, *_ = random_week(C, rng, cond)
    m = m_week if m is None else m
    S, V = len(C.states), len(C.veto_ids)
    args = (C, P, m, obs, rng.normal(0, 0.3, (R, S)), C.scenario.run.mechanisms,
            rng.random((R, V)) < 0.7, rng.random(R) < 0.8)  # fmt: skip
    monkeypatch.setenv(jit.DISABLE, "1")
    plain = demands.present(*args)
    monkeypatch.delenv(jit.DISABLE)
    monkeypatch.setattr(jit, "MIN_RUNS", 0)
    return plain, present.present_all(*args)


def same_present(a: demands.Present, b: demands.Present) -> None:
    """Every field the same (`same_value`)."""
    for f in fields(demands.Present):
        same_value(getattr(a, f.name), getattr(b, f.name))


def same_value(x, y) -> None:
    """Arrays by dtype, shape and bytes; dicts of components by name, each as the
    compiled pass's (a numpy rule may keep a component shared by every run)."""
    if isinstance(x, dict):
        assert list(x) == list(y)
        for name in x:
            same(np.broadcast_to(x[name], y[name].shape), y[name])
    else:
        same(x, y)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_compiled_present_terms_are_the_numpy_rules_bytes(path, monkeypatch):
    rng = np.random.default_rng(2025)
    cases = [(compile_scenario(load(path)), True), (compile_scenario(load(path)), False)]
    cases.append((switched(path, vetoes=False, world_conditions=False), True))
    for C, cond in cases:
        plain, fused = both_presents(C, monkeypatch, rng, cond)
        same_present(plain, fused)
        assert plain.anyfree.any()  # states with a kind free, whose best the pass picks


def test_random_red_lines_of_every_operator_bind_as_in_the_numpy_rules(monkeypatch):
    """The shipped scenarios use some operators only; random lines of every operator,
    lifted by the flagship's per-state caveats at random, decide the free slots and
    the binding line as the numpy rules do."""
    C = compile_scenario(load(SCENARIOS / "isf" / "res2803.yaml"))
    rng = np.random.default_rng(11)
    lines = 0
    for _ in range(4):
        red = random_lines(C, rng)
        lifts = rng.random((len(C.caveat_cols), len(red["op"]))) < 0.1
        Cr = replace(C, red=red, caveat_lifts=lifts, red_spread=spread(red, *C.slot_kind.shape))
        m = random_mandates(C, rng)
        plain, fused = both_presents(Cr, monkeypatch, rng, m=m)
        same_present(plain, fused)
        lines = max(lines, len(np.unique(plain.binding)))
    assert lines > 10  # many different lines bind somewhere
