"""The broker's moves: one concession from its menu, and side payments."""

from __future__ import annotations

import numpy as np

from sim.rules import kinds, vetoes
from sim.rules.decide import Decision
from sim.scenario.arrays import CONDITIONAL, OFFERED, Compiled
from sim.scenario.params import Params


def concede(
    C: Compiled,
    P: Params,
    dec: Decision,
    force,
    made,
    accepts,
    t: int,
    mech,
    cond=None,
    veto_demand=None,
) -> np.ndarray:
    """The concession the broker makes this round per run (-1 for none).

    Worth = troops the demands say it brings in (and the committed pledges it
    frees from a veto whose price it is), up to the shortfall, as a share
    of the target, minus its
    cost, discounted as the deadline nears, minus a heavy cost for every veto
    player it would turn from accepting to rejecting, plus as much for every veto
    player that rejects the mandate and demands it (`veto_demand`, (R, V), from
    `sim.rules.vetoes.demands`). Only when short (or, with veto players'
    demands, while a veto player rejects the mandate), after the broker's
    patience has run out, and only if worth is positive.
    """
    R = force.shape[0]
    if not mech.concessions or not C.concessions or t < C.scenario.broker.patience:
        return np.full(R, -1)
    deadline = C.scenario.broker.deadline
    discount = 1.0 - P.broker.urgency * (t / deadline)
    cost = P.broker.concession_cost * discount[:, None]
    if mech.vetoes and len(C.veto_ids):
        flips = (accepts[:, None, :] & ~dec.accept_if).sum(axis=2)
        cost = cost + P.broker.veto_loss_cost[:, None] * flips
        if veto_demand is not None:
            wins = veto_demand[:, None, :] == np.arange(len(C.concessions))[None, :, None]
            cost = cost - P.broker.veto_loss_cost[:, None] * wins.sum(axis=2)
    # Troops beyond the shortfall do not help the broker.
    shortfall = np.maximum(P.broker.target - force, 0.0)
    counts = P.kind.counts[0][np.maximum(dec.kind, 0)]
    lifted = vetoes.lift_gain(C, P, dec.stance, dec.kind, dec.pledge, counts, made, t, mech, cond)
    gain = dec.gain + lifted
    worth = np.minimum(gain, shortfall[:, None]) / P.broker.target[:, None] - cost
    worth = np.where(made | ~dec.open_, -np.inf, worth)
    short = force < P.broker.target
    if veto_demand is not None:
        short = short | (veto_demand >= 0).any(axis=1)  # a rejected mandate cannot deploy
    best = worth.argmax(axis=1)
    top = np.take_along_axis(worth, best[:, None], 1)[:, 0]
    return np.where(short & (top > 0), best, -1)


def side_payment(C: Compiled, P: Params, dec: Decision, force, budget, paid, mech):
    """Pay the largest pivotal contributor just enough to commit (one per round).

    Pivotal: conditional or offered, free of red lines, past its clarity gate,
    offering a counted kind, not vetoed, and within reach of the per-state cap
    and the remaining budget. Returns (state index or -1, payment).
    """
    R = dec.stance.shape[0]
    none = (np.full(R, -1), np.zeros(R))
    if not mech.side_payments:
        return none
    th = C.scenario.decision.thresholds
    h = P.decision.hysteresis[:, None] if mech.hysteresis else 0.0
    gap = (th.committed + h - dec.payoff) / P.decision.side_payment_effect[:, None]
    vetoed = vetoes.at_kind(vetoes.vetoed(P, mech), dec.best)
    counts = P.kind.counts[0][dec.best]
    ok = ((dec.stance == CONDITIONAL) | (dec.stance == OFFERED)) & dec.available & dec.gate_open
    ok &= counts & ~vetoed & (gap > 0)
    ok &= (paid + gap <= P.broker.max_per_state[:, None]) & (gap <= budget[:, None])
    ok &= (force < P.broker.target)[:, None]
    cap = kinds.pick(P.state.capacity, dec.best)
    score = np.where(ok, cap, -1.0)
    pick = score.argmax(axis=1)
    any_ok = ok.any(axis=1)
    pay = np.where(any_ok, np.take_along_axis(gap, pick[:, None], 1)[:, 0], 0.0)
    return np.where(any_ok, pick, -1), pay
