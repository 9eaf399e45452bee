"""The demand search's inner step, compiled: payoff per offered kind, the best free
kind, and the counted pledge there, in one pass over (run, state, kind).

The demand search (`sim.rules.demands`) evaluates the mandate under every open
concession every week; for each it needs only the best free kind's payoff and
counted pledge, not the payoff array itself. Written with numpy, that is a dozen
passes over temporary (R, S, Kmax) arrays whose last axis is 2 or 3 long
(`payoff.by_kind`, `kinds.best_slot`, three `kinds.pick`, `stance.pledge`); here
it is one loop, compiled when `sim.rules.jit` says the compiled loops run.

It is not a second model. `best_pledge_numpy` is the rule as written with the
rule functions, and `tests/rules/test_fused.py` checks that both give the same
bytes on random inputs and on the flagship. The compiled loop keeps the rule
functions' order of floating-point operations, and numba contracts no
multiply-add unless asked (`fastmath` off), so the results are bit-identical,
whichever path runs.
"""

from __future__ import annotations

import numpy as np

from sim.rules import jit, kinds, payoff, stance
from sim.rules.jit import compiled


def best_pledge_numpy(comp: dict, P, free, vetoed, offered: float, full: float):
    """(best slot, its payoff or -inf, any slot free, counted pledge) per (run, state),
    with the rule functions: `payoff.by_kind`, `kinds.best_slot`, `stance.pledge`."""
    u = payoff.by_kind(comp, P)
    best, top, anyfree = kinds.best_slot(u, free)
    size = stance.pledge(
        top,
        kinds.pick(P.slot.capacity, best),
        kinds.pick(P.slot.unit, best),
        offered,
        full,
        P.decision.pledge_min_share[:, None],
    )
    counts = kinds.pick(P.slot.counts, best) & ~kinds.pick(vetoed, best) & anyfree
    return best, top, anyfree, np.where(counts, size, 0.0)


def best_pledge(comp: dict, P, free, vetoed, offered: float, full: float):
    """As `best_pledge_numpy`, compiled where numba is installed."""
    if not compiled():
        return best_pledge_numpy(comp, P, free, vetoed, offered, full)
    social = payoff.social_sum(comp)
    cost = comp["distance"] + comp["domestic"]

    def per_run(a):  # a (1, S) component as a view of (R, S), no copy
        return a if a.shape == social.shape else np.broadcast_to(a, social.shape)

    s = P.slot
    share = stance.min_shares(P)
    return _loop(
        s.visibility, s.exposure, s.risk, s.capacity, s.unit, s.counts,
        per_run(comp["incentives"]), cost, per_run(comp["risk"]), social, free, vetoed, share,
        float(offered), float(full),
    )  # fmt: skip


@jit.kernel
def _loop(vis, exp_, rk, cap, unit, counts, inc, cost, risk, social, free, vetoed, min_share,
          offered, full):  # fmt: skip
    """One pass: U = vis·inc − exp·cost − risk_k·risk + social per slot (the order of
    `payoff.by_kind`), the first maximum among free slots (`kinds.best_slot`), and
    the pledge there (`stance.pledge`), zero where the kind does not count or is
    vetoed. Slot parameters, vetoes and the minimum share are per run (R, ...) or
    shared by every run (1, ...): each is read at row r, or at row 0."""
    R, S = social.shape
    best = np.zeros((R, S), np.int64)
    top = np.full((R, S), -np.inf)
    anyfree = np.zeros((R, S), np.bool_)
    out = np.zeros((R, S))
    for r in range(R):
        a = r if vis.shape[0] > 1 else 0
        e = r if exp_.shape[0] > 1 else 0
        q = r if rk.shape[0] > 1 else 0
        c0 = r if cap.shape[0] > 1 else 0
        n0 = r if unit.shape[0] > 1 else 0
        k0 = r if counts.shape[0] > 1 else 0
        v = r if vetoed.shape[0] > 1 else 0
        ms = min_share[r if min_share.shape[0] > 1 else 0]
        slots = (vis[a], exp_[e], rk[q], cap[c0], unit[n0], counts[k0], vetoed[v], free[r])
        for i in range(S):
            best[r, i], top[r, i], anyfree[r, i], out[r, i] = best_of(
                slots, i, inc[r, i], cost[r, i], risk[r, i], social[r, i], ms, offered, full
            )
    return best, top, anyfree, out


@jit.row
def best_of(slots, i, inc, cost, risk, social, min_share, offered, full):
    """`_loop` for state i of one run, from that run's slot arrays (S, Kmax): visibility,
    exposure, risk, capacity, unit, counts, vetoed, free; and the state's payoff
    components: (best slot, its payoff, any slot free, counted pledge)."""
    vis, exp_, rk, cap, unit, counts, vetoed, free = slots
    b, t, seen = 0, -np.inf, False
    for k in range(free.shape[1]):
        if not free[i, k]:
            continue
        u = vis[i, k] * inc
        u = u - exp_[i, k] * cost
        u = u - rk[i, k] * risk
        u = u + social
        if not seen or u > t:
            b, t = k, u
        seen = True
    if not seen or not counts[i, b] or vetoed[i, b]:
        return b, t, seen, 0.0
    return b, t, seen, stance.pledge_one(t, cap[i, b], unit[i, b], offered, full, min_share)
