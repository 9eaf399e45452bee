"""The present terms, as every state sees them, in one compiled pass.

Each week every state first evaluates the mandate as it stands
(`sim.rules.demands.present`): the payoff components that read the mandate, the
payoff of each offered kind, the kinds its red lines rule out and the first line
that does, the best free kind, the best kind were red lines ignored, and the
binding line. Written with numpy that is some forty passes over (run, state,
kind) arrays; `present_all` does it run by run in one compiled loop
(`_present_loop`) built from the rules' per-run loops (`red_lines.held_row`,
`blocked_row`, the demand search's `_components`), so each rule is still written
once. It keeps the numpy rules' order of floating-point operations: the same
bytes (`tests/rules/test_present.py`). `decide` uses it where the compiled loops
run; `forcegen explain` and small ensembles use `demands.present`.
"""

from __future__ import annotations

import numpy as np

from sim.rules import caveats, demands, jit, payoff, red_lines, search, vetoes
from sim.rules.search import COMPONENTS, _caveats, _env, _prefs, _red
from sim.scenario.arrays import Compiled
from sim.scenario.params import Params


def present_all(
    C: Compiled, P: Params, m, obs: payoff.Observed, noise, mech, accepts, consent_ok
) -> demands.Present:
    """`demands.present`, computed by `_present_loop`: the same `Present`, the same bytes."""
    vetoed = vetoes.at_slots(C, vetoes.vetoed(P, mech))
    world = demands.world_conditions(C, P, m, obs.level, consent_ok, accepts, obs.cond)
    soc = payoff.social(C, P, obs, noise, mech)
    social = payoff.social_sum(soc)
    R, S = social.shape
    K = C.slot_kind.shape[1]

    def whole(a):
        return search.per_run(a, R)

    s = P.slot
    has_cap = s.capacity >= s.unit
    comp = np.zeros((len(COMPONENTS), R, S))
    u, free = np.empty((R, S, K)), np.zeros((R, S, K), bool)
    best, ideal, binding = (np.zeros((R, S), np.int64) for _ in range(3))
    top, anyfree = np.empty((R, S)), np.zeros((R, S), bool)
    _present_loop(
        whole(m), whole(world), whole(obs.level), whole(obs.consent), whole(social),
        (s.visibility, s.exposure, s.risk, whole(has_cap)), _env(C, P), _red(C), _prefs(C, P),
        _caveats(C, P), comp, u, free, best, top, anyfree, ideal, binding,
        _buffers(C, S, K),
    )  # fmt: skip
    parts = {name: comp[i] for i, name in enumerate(COMPONENTS)}
    return demands.Present(
        world, soc, {**parts, **soc}, u, has_cap, free, best, top, anyfree, ideal, binding, vetoed
    )


def _buffers(C: Compiled, S: int, K: int) -> tuple:
    """Scratch for one run: every component computed (4 flags), lines held, caveats
    granted, blocked slots and the first line, the components (4, S), and the
    distance, incentive and relief scratch."""
    G = len(C.caveat_cols) if caveats.declared(C) else 0
    return (
        np.ones(4, np.bool_), np.ones(len(C.red["op"]), np.bool_), np.zeros(G, np.bool_),
        np.zeros((S, K), np.bool_), np.full((S, K), -1), np.zeros((4, S)),
        (np.zeros(len(C.prefs["owner"]), np.bool_), np.zeros(len(C.incentive_lin)),
         np.zeros(S)),
    )  # fmt: skip


@jit.bare
def _present_loop(m, world, level, consent, social, slots, env, red, prefs, cav, comp, u, free,
                  best, top, anyfree, ideal, binding, bufs):  # fmt: skip
    """Each run: the payoff components (`payoff.components`), the payoff of each
    offered kind (`payoff.by_kind`), the red lines held and the slots they block with
    the first such line (`red_lines.blocked`), the best free slot (`kinds.best_slot`),
    the best offered slot (`argmax`) and the binding line, as `demands.present`
    computes them. Allocates nothing (`jit.bare`): the caller passes every array."""
    R, S = social.shape
    K = u.shape[2]
    vis, exp_, rk, has_cap = slots
    (rop, rcol, rval, rmask, rreads, runless, rcav_ok, rowner, rbinds, rlifts) = red
    (_, gcols, gcol, _, _, _, _, _, _) = cav
    every, ok, granted, blocked, low, c, scratch = bufs
    for r in range(R):
        row = m[r]
        caveats_on = row[gcol] > 0.5 if gcol >= 0 else False
        for g in range(granted.shape[0]):
            granted[g] = row[gcols[g]] > 0.5 or caveats_on
        search._components(row, r, every, caveats_on, granted, level[r], consent[r], env, prefs,
                           cav, scratch, c, c[0], c[1], c[2], c[3])  # fmt: skip
        for i in range(4):
            for s in range(S):
                comp[i, r, s] = c[i, s]
        red_lines.held_row(row, world[r], rop, rcol, rval, rmask, rreads, runless, rcav_ok,
                           caveats_on, granted, rlifts, ok)  # fmt: skip
        for s in range(S):
            for k in range(K):
                blocked[s, k], low[s, k] = False, -1
        red_lines.blocked_row(ok, rowner, rbinds, blocked, True, low)
        a, e, q, cap = jit.at(vis, r), jit.at(exp_, r), jit.at(rk, r), has_cap[r]
        for s in range(S):
            b, t, seen, hi, peak = 0, -np.inf, False, 0, -np.inf
            for k in range(K):
                x = a[s, k] * c[0, s]
                x = x - e[s, k] * (c[1, s] + c[2, s])
                x = x - q[s, k] * c[3, s]
                x = x + social[r, s]
                u[r, s, k] = x
                free[r, s, k] = cap[s, k] and not blocked[s, k]
                if free[r, s, k] and (not seen or x > t):
                    b, t = k, x
                seen = seen or free[r, s, k]
                v = x if cap[s, k] else -np.inf
                if k == 0 or v > peak:
                    hi, peak = k, v
            best[r, s], top[r, s], anyfree[r, s], ideal[r, s] = b, t, seen, hi
            binding[r, s] = -1 if free[r, s, hi] else low[s, hi]
