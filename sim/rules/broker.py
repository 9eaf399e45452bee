"""The broker's moves: one concession from its menu, and side payments."""

from __future__ import annotations

import numpy as np

from sim.rules import jit, kinds, search, short_axis, vetoes
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
    counts = P.kind.counts[0][np.maximum(dec.kind, 0)]
    lifted = vetoes.lift_gain(C, P, dec.stance, dec.kind, dec.pledge, counts, made, t, mech, cond)
    gain = dec.gain + lifted
    if jit.compiled():
        b = P.broker
        vetoes_on = bool(mech.vetoes and len(C.veto_ids))
        demanded = np.full((R, 0), -1) if veto_demand is None else veto_demand
        return _concede_loop(b.urgency, t / deadline, b.concession_cost, b.veto_loss_cost,
                             b.target, force, gain, made, dec.open_, accepts, dec.accept_if,
                             demanded, vetoes_on, veto_demand is not None)  # fmt: skip
    discount = 1.0 - P.broker.urgency * (t / deadline)
    cost = P.broker.concession_cost * discount[:, None]
    if mech.vetoes and len(C.veto_ids):
        flips = short_axis.sum_last(accepts[:, None, :] & ~dec.accept_if)
        cost = cost + P.broker.veto_loss_cost[:, None] * flips
        if veto_demand is not None:
            wins = veto_demand[:, None, :] == np.arange(len(C.concessions))[None, :, None]
            cost = cost - P.broker.veto_loss_cost[:, None] * short_axis.sum_last(wins)
    # Troops beyond the shortfall do not help the broker.
    shortfall = np.maximum(P.broker.target - force, 0.0)
    worth = np.minimum(gain, shortfall[:, None]) / P.broker.target[:, None] - cost
    worth = np.where(made | ~dec.open_, -np.inf, worth)
    short = force < P.broker.target
    if veto_demand is not None:
        short = short | short_axis.any_last(veto_demand >= 0)  # a rejected mandate cannot deploy
    best = worth.argmax(axis=1)
    top = np.take_along_axis(worth, best[:, None], 1)[:, 0]
    return np.where(short & (top > 0), best, -1)


@jit.kernel
def _concede_loop(urgency, elapsed, concession_cost, loss, target, force, gain, made, open_,
                  accepts, accept_if, veto_demand, vetoes_on, weigh_demands):  # fmt: skip
    """`concede` run by run: the same worth of each open concession, in the same
    operations, and the first of the highest (`argmax`) where the broker is short and
    it is worth something."""
    R, n = gain.shape
    V = accepts.shape[1]
    out = np.full(R, -1)
    for r in range(R):
        target_r = jit.at(target, r)
        short = force[r] < target_r
        for v in range(veto_demand.shape[1]):
            short = short or veto_demand[r, v] >= 0
        if not short:
            continue
        discount = 1.0 - jit.at(urgency, r) * elapsed
        cost_r, loss_r = jit.at(concession_cost, r), jit.at(loss, r)
        shortfall = max(target_r - force[r], 0.0)
        best, top = 0, -np.inf
        for j in range(n):
            worth = -np.inf
            if open_[r, j] and not made[r, j]:
                cost = cost_r[j] * discount
                if vetoes_on:
                    flips = 0
                    for v in range(V):
                        if accepts[r, v] and not accept_if[r, j, v]:
                            flips += 1
                    cost = cost + loss_r * flips
                    if weigh_demands:
                        wins = 0
                        for v in range(V):
                            if veto_demand[r, v] == j:
                                wins += 1
                        cost = cost - loss_r * wins
                worth = min(gain[r, j], shortfall) / target_r - cost
            if worth > top:
                best, top = j, worth
        if top > 0:
            out[r] = best
    return out


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
    if jit.compiled():
        d, b = P.decision, P.broker
        h = d.hysteresis if mech.hysteresis else np.zeros(1)
        gate = search.per_run(dec.gate_open, R)
        return _side_payment_loop(float(th.committed), h, d.side_payment_effect, dec.payoff,
                                  dec.stance, dec.best, dec.available, gate,
                                  vetoes.vetoed(P, mech), P.kind.counts[0], P.state.capacity,
                                  paid, b.max_per_state, budget, force, b.target)  # fmt: skip
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


@jit.kernel
def _side_payment_loop(committed, h, effect, payoff, stance, best, available, gate_open, barred,
                       counts, capacity, paid, max_per_state, budget, force, target):  # fmt: skip
    """`side_payment` run by run: the same gap to the commitment level for each pivotal
    state, the first with the largest stated offer (`argmax`), and its gap."""
    R, S = stance.shape
    to, pay = np.full(R, -1), np.zeros(R)
    for r in range(R):
        if not force[r] < jit.at(target, r):
            continue
        h_r, effect_r, cap_r = jit.at(h, r), jit.at(effect, r), jit.at(capacity, r)
        bar_r, most = jit.at(barred, r), jit.at(max_per_state, r)
        top = -np.inf
        for s in range(S):
            k = best[r, s]
            gap = (committed + h_r - payoff[r, s]) / effect_r
            pivotal = stance[r, s] == CONDITIONAL or stance[r, s] == OFFERED
            ok = pivotal and available[r, s] and gate_open[r, s] and counts[k] != 0
            ok = ok and not (k >= 0 and bar_r[s, max(k, 0)]) and gap > 0
            ok = ok and paid[r, s] + gap <= most and gap <= budget[r]
            if ok and cap_r[s, k] > top:  # the others score -1, below any stated offer
                to[r], pay[r], top = s, gap, cap_r[s, k]
    return to, pay
