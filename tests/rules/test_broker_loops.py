"""The broker's compiled loops (`broker._concede_loop`, `_side_payment_loop`) give what
its numpy rules give, byte for byte: the concession each run makes and the state each
run pays, and how much. On every shipped scenario, under random decisions, forces
around the target, concessions made, veto players' acceptance and demands, budgets
and payments so far, with vetoes, veto players' demands and hysteresis on and off."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from shipped import runnable

from sim.rules import broker
from sim.scenario.arrays import STANCES, compile_scenario
from sim.scenario.loader import load

from .test_jit import R, both, same
from .test_search import random_week

pytest.importorskip("numba")

SHIPPED = runnable()


def random_decision(C, rng):
    """The fields of a `Decision` the broker reads, at random where a week varies them."""
    S, K, n, V = len(C.states), len(C.kinds), len(C.concessions), len(C.veto_ids)
    offered = C.scenario.decision.thresholds.offered
    committed = C.scenario.decision.thresholds.committed
    payoff = rng.normal(offered, 0.3, (R, S))
    payoff = np.where(rng.random((R, S)) < 0.1, committed, payoff)  # at the line exactly
    return SimpleNamespace(
        stance=rng.integers(0, len(STANCES), (R, S)),
        kind=rng.integers(-1, K, (R, S)),
        best=rng.integers(0, K, (R, S)),
        pledge=rng.choice([0.0, 300.0, 1500.0], (R, S)),
        payoff=payoff,
        gain=rng.choice([0.0, 250.0, 1000.0, 30000.0], (R, n)),
        open_=rng.random((R, n)) < 0.7,
        accept_if=rng.random((R, n, V)) < 0.6,
        available=rng.random((R, S)) < 0.8,
        gate_open=rng.random((R, S)) < 0.8,
    )


def switched(C, **update):
    return C.scenario.run.mechanisms.model_copy(update=update)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_broker_loops_give_the_numpy_rules_bytes(path, monkeypatch):
    rng = np.random.default_rng(5)
    C = compile_scenario(load(path))
    S, n, V = len(C.states), len(C.concessions), len(C.veto_ids)
    conceded = paid_to = 0
    for vetoes_on, demands_on, hysteresis in [(True, True, True), (True, False, False),
                                              (False, True, True)]:  # fmt: skip
        mech = switched(C, vetoes=vetoes_on, veto_demands=demands_on, hysteresis=hysteresis)
        P, *_ = random_week(C, rng)
        free = rng.choice([0.0, 0.05, 0.2], (R, n))  # free: a worth of exactly 0 is not made
        P = replace(P, broker=replace(P.broker, concession_cost=free))
        dec = random_decision(C, rng)
        target = P.broker.target
        force = target * rng.choice([0.2, 0.9, 1.0, 1.3], R)
        made, accepts = rng.random((R, n)) < 0.2, rng.random((R, V)) < 0.6
        cond = rng.random((R, len(C.world_names))) < 0.5
        demand = np.where(rng.random((R, V)) < 0.4, rng.integers(0, max(n, 1), (R, V)), -1)
        t = int(rng.integers(C.scenario.broker.patience, C.scenario.broker.deadline + 1))
        for asked in (demand, None):
            pair = both(monkeypatch, broker.concede, C, P, dec, force, made, accepts, t, mech,
                        cond, asked)  # fmt: skip
            same(*pair)
            conceded += (pair[0] >= 0).sum()
        budget = P.broker.budget * rng.choice([0.0, 0.5, 1.0], R)
        paid = rng.choice([0.0, 0.05, 0.5], (R, S)) * P.broker.max_per_state[:, None]
        (to, pay), (to_c, pay_c) = both(monkeypatch, broker.side_payment, C, P, dec, force,
                                        budget, paid, mech)  # fmt: skip
        same(to, to_c)
        same(pay, pay_c)
        paid_to += (to >= 0).sum()
    # the random weeks reach concessions and payments wherever the scenario has them
    assert conceded > 0 or not n or not C.scenario.run.mechanisms.concessions
    assert paid_to > 0 or not C.scenario.run.mechanisms.side_payments
