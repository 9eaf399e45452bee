"""One round of state decisions: red lines, clarity gate, payoff, stance, pledge, demand.

All states decide at once on what they saw at the end of the previous round.
What they see, on the present terms and under each concession on the menu, is
evaluated in `sim.rules.demands`; here it becomes stances, pledges and demands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.rules import (
    clarity,
    demands,
    jit,
    kinds,
    packages,
    payoff,
    present,
    search,
    stance,
    vetoes,
)
from sim.scenario.arrays import COMMITTED, CONDITIONAL, DECLINED, OFFERED, Compiled
from sim.scenario.params import Params


@dataclass
class Decision:
    """What the states decided this round (all arrays (R, S) unless noted)."""

    stance: np.ndarray
    kind: np.ndarray  # -1 when no contribution is on the table
    pledge: np.ndarray
    payoff: np.ndarray
    components: dict[str, np.ndarray]
    binding: np.ndarray  # index of the binding red line, -1 when none
    demand: np.ndarray  # index of the demanded concession, -1 when none
    gain: np.ndarray  # (R, C): counted troops each concession would bring in, via demands
    best: np.ndarray  # kind with the best payoff among those free of red lines
    available: np.ndarray  # any kind free of red lines
    gate_open: np.ndarray
    accept_if: np.ndarray  # (R, C, V) veto players' acceptance flags under each concession
    open_: np.ndarray  # (R, C) concessions not yet made that would change the mandate
    pledge_if: np.ndarray | None = (
        None  # (R, S, C) counted pledge a demand credits to each concession
    )
    barred: np.ndarray | None = None  # (R|1, S, K) kinds a veto bars this week
    free: np.ndarray | None = None  # (R, S, Kmax) offered slots free of red lines
    stated: np.ndarray | None = None  # (R, S) still on a stated offer (`sim.rules.stated`)
    parts: np.ndarray | None = None  # (R, S, Kmax) package parts (`sim.rules.packages`)


def decide(C: Compiled, P: Params, m, obs: payoff.Observed, noise, mech, made, accepts, consent_ok):
    """The state decision rule for one round (see docs/model.md, 'One round')."""
    d = C.scenario.decision
    th = d.thresholds
    look = present.present_all if jit.compiled() else demands.present  # the same `Present`
    now = look(C, P, m, obs, noise, mech, accepts, consent_ok)
    best, top, anyfree = now.best, now.top, now.anyfree
    gate = clarity.gate(C, P, m, mech)  # each state's own clarity term, or the force-wide one

    R, S = obs.stance.shape
    n_con = len(C.concessions)
    liftable = np.zeros((R, S), bool)
    demand = np.full((R, S), -1)
    pledge_if = np.zeros((R, S, n_con))
    accept_if = np.zeros((R, n_con, len(C.veto_ids)), bool)
    step_key = np.full((R, S, n_con), -np.inf)
    # A state already in on the present terms demands nothing.
    needs = ~(anyfree & (top >= th.offered))
    # One in on the terms but held by its closed gate asks for a concession that opens it.
    waits = clarity.waiting(gate, needs)
    on = bool(mech.concessions) and n_con > 0
    open_all = demands.open_menu(C, m, made) if on else np.zeros((R, n_con), bool)
    out = (accept_if, liftable, demand, pledge_if, step_key)
    if on and jit.compiled():  # the whole search, and the whole menu, in one compiled pass
        whole = search.note_all(C, P, m, obs, now, open_all, made, needs, waits, th.offered, *out)
    elif on:
        for j, p in demands.each_concession(C, P, m, obs, now, open_all):
            search.note(j, p, needs, waits, th.offered, *out)
        whole = demands.whole_menu(C, P, m, obs, now, made)
    if on:
        single = demand
        demand = _bundle(C, whole, np.where(needs, demand, 0), step_key, th, pledge_if)
        demand = np.where(needs, demand, np.where(waits, single, -1))
        liftable |= whole.free
    chosen = (_choose if jit.compiled() else _choose_numpy)(C, P, now, obs, liftable, gate, waits,
                                                            demand, mech)  # fmt: skip
    new, demand, kind, best_kind, size, u_shown, components = chosen
    gain = credited(demand, pledge_if)
    in_ = new >= OFFERED
    return Decision(
        stance=new,
        kind=kind,
        pledge=size,
        payoff=u_shown,
        components=components,
        binding=now.binding,
        demand=demand,
        gain=gain,
        best=best_kind,
        available=anyfree,
        gate_open=np.broadcast_to(gate, new.shape),
        accept_if=accept_if,
        open_=open_all,
        pledge_if=pledge_if,
        free=now.free,
        barred=vetoes.vetoed(P, mech),
        parts=packages.parts(C, P, now.u, now.free, best, in_),
    )


def credited(demand: np.ndarray, pledge_if: np.ndarray) -> np.ndarray:
    """(R, C): the counted troops the demands credit to each concession, the sum over
    states of `pledge_if[r, s, j]` where state s demands j.

    numpy's sum over the states (`_credited_numpy`) adds them pairwise, but a sum of
    one or two pledges and zeros is the same whatever the order: such sums (nearly
    all of them: a run where three states demand one concession is rare) are added
    by `np.bincount`, and the rare runs with more by numpy's sum, so the numbers are
    its bytes (`tests/rules/test_credited.py`) at a fraction of the (R, S) passes."""
    R, n = demand.shape[0], pledge_if.shape[2]
    r, s = np.nonzero(demand >= 0)
    j = demand[r, s]
    key = r * n + j
    gain = np.bincount(key, weights=pledge_if[r, s, j], minlength=R * n).reshape(R, n)
    many = np.flatnonzero((np.bincount(key, minlength=R * n) >= 3).reshape(R, n).any(axis=1))
    if len(many):
        gain[many] = _credited_numpy(demand[many], pledge_if[many])
    return gain


def _credited_numpy(demand: np.ndarray, pledge_if: np.ndarray) -> np.ndarray:
    """`credited` concession by concession, as numpy sums over the states."""
    gain = np.zeros((demand.shape[0], pledge_if.shape[2]))
    for j in range(pledge_if.shape[2]):
        gain[:, j] = np.where(demand == j, pledge_if[:, :, j], 0.0).sum(axis=1)
    return gain


def _choose_numpy(C: Compiled, P: Params, now: demands.Present, obs, liftable, gate, waits, demand,
                  mech):  # fmt: skip
    """The stance ladder, the demands voiced, the kind and pledge of the states in, and
    the payoff shown with its components: (stance, demand, kind, best kind, pledge,
    payoff, components)."""
    d = C.scenario.decision
    th = d.thresholds
    h = P.decision.hysteresis[:, None] if mech.hysteresis else 0.0
    new = stance.ladder(obs.stance, now.top, now.anyfree, liftable, gate, th, h)
    voiced = (new == DECLINED) | (new == CONDITIONAL) | (waits & (new < COMMITTED))
    demand = np.where(voiced, demand, -1)
    in_ = new >= OFFERED
    best_kind = kinds.to_kind(C, now.best)
    kind = np.where(in_, best_kind, -1)
    size = stance.pledge(
        now.top,
        kinds.pick(P.slot.capacity, now.best),
        kinds.pick(P.slot.unit, now.best),
        th.offered,
        d.pledge_full_payoff,
        P.decision.pledge_min_share[:, None],
    )
    shown = now.shown
    u_shown, components = kinds.pick(now.u, shown), payoff.at_kind(now.comp, P, shown)
    return new, demand, kind, best_kind, np.where(in_, size, 0.0), u_shown, components


def _choose(C: Compiled, P: Params, now: demands.Present, obs, liftable, gate, waits, demand, mech):
    """`_choose_numpy` in one compiled pass (`_choose_loop`): the same arrays."""
    d = C.scenario.decision
    th = d.thresholds
    R, S = now.top.shape
    h = P.decision.hysteresis if mech.hysteresis else np.zeros(1)
    s = P.slot
    c = now.comp
    out = (np.empty((R, S), np.int64), np.empty((R, S), np.int64), np.empty((R, S), np.int64),
           np.empty((R, S), np.int64), np.empty((R, S)), np.empty((R, S)),
           *(np.empty((R, S)) for _ in range(4)))  # fmt: skip
    share = stance.min_shares(P)
    _choose_loop(
        obs.stance, now.top, now.anyfree, liftable, search.per_run(gate, R), waits, demand,
        now.best, now.shown, now.u, C.slot_kind, s.capacity, s.unit, s.visibility, s.exposure,
        s.risk, share, np.asarray(h, float).reshape(-1),
        *(np.broadcast_to(c[k], (R, S)) for k in search.COMPONENTS),
        (float(th.conditional), float(th.offered), float(th.committed), float(th.exit),
         float(d.pledge_full_payoff)), *out,
    )  # fmt: skip
    new, demand, kind, best_kind, size, u_shown, *parts = out
    components = {**c, **dict(zip(search.COMPONENTS, parts, strict=True))}
    return new, demand, kind, best_kind, size, u_shown, components


@jit.kernel
def _choose_loop(prev, top, anyfree, liftable, gate, waits, demand, best, shown, u, slot_kind, cap,
                 unit, vis, exp_, rk, min_share, h, inc, dist, dom, risk, th, new, demand_out,
                 kind, best_kind, size, u_shown, c_inc, c_dist, c_dom, c_risk):  # fmt: skip
    """`_choose_numpy` state by state: `stance.rung` (the ladder), the demand voiced (a
    declined or conditional state, or one waiting on its clarity term short of
    committed), the best free kind and the pledge there (`stance.pledge_one`) for a
    state offered or committed, the payoff at the kind shown and its signed
    components (`payoff.at_kind`)."""
    R, S = prev.shape
    conditional, offered, committed, exit_, full = th
    for r in range(R):  # each per-run array's row r, or the row every run shares
        cap_r, unit_r, vis_r = jit.at(cap, r), jit.at(unit, r), jit.at(vis, r)
        exp_r, rk_r = jit.at(exp_, r), jit.at(rk, r)
        ms, hr = jit.at(min_share, r), jit.at(h, r)
        for s in range(S):
            n = stance.rung(prev[r, s], top[r, s], anyfree[r, s], liftable[r, s], gate[r, s], hr,
                            conditional, offered, committed, exit_)  # fmt: skip
            new[r, s] = n
            voiced = n in (DECLINED, CONDITIONAL) or (waits[r, s] and n < COMMITTED)
            demand_out[r, s] = demand[r, s] if voiced else -1
            b = best[r, s]
            best_kind[r, s] = slot_kind[s, b]
            in_ = n >= OFFERED
            kind[r, s] = slot_kind[s, b] if in_ else -1
            p = stance.pledge_one(top[r, s], cap_r[s, b], unit_r[s, b], offered, full, ms)
            size[r, s] = p if in_ else 0.0
            k = shown[r, s]
            u_shown[r, s] = u[r, s, k]
            c_inc[r, s] = vis_r[s, k] * inc[r, s]
            c_dist[r, s] = -exp_r[s, k] * dist[r, s]
            c_dom[r, s] = -exp_r[s, k] * dom[r, s]
            c_risk[r, s] = -rk_r[s, k] * risk[r, s]


def _bundle(C: Compiled, whole: demands.Prospect, demand, step_key, th, pledge_if):
    """Demands no single concession meets, but the whole open menu would.

    Such a state is conditional, and it asks first for the concession that
    lifts its binding red line (else the one that raises its payoff most). The
    broker credits that demand with `partial_demand_credit` of the pledge, since
    one concession alone will not bring the state in: added to `pledge_if` (R, S, C)
    in place. Returns the demands.
    """
    order = C.concession_order
    share = C.scenario.decision.partial_demand_credit
    if jit.compiled():
        return _bundle_loop(order, step_key, demand, whole.free, whole.top, whole.counted,
                            float(th.offered), float(share), pledge_if)  # fmt: skip
    keys = step_key[:, :, order]
    pick = order[keys.argmax(axis=2)]
    wants = (demand < 0) & demands.reaches(whole, th.offered) & (keys.max(axis=2) > -np.inf)
    for j in order:
        pledge_if[:, :, j] += np.where(wants & (pick == j), share * whole.counted, 0.0)
    return np.where(wants, pick, demand)


@jit.kernel
def _bundle_loop(order, step_key, demand, free, top, counted, offered, share, pledge_if):
    """`_bundle` state by state: the first concession of the search's order with the
    highest key (`argmax`), asked for where the whole menu reaches the offer level.
    The keys are searched only for such a state (a few in a week): elsewhere the
    demand stays as it is."""
    R, S = demand.shape
    out = demand.copy()
    for r in range(R):
        for s in range(S):
            if not (demand[r, s] < 0 and free[r, s] and top[r, s] >= offered):
                continue
            pick, best = order[0], -np.inf
            for q in range(order.shape[0]):
                if step_key[r, s, order[q]] > best:
                    pick, best = order[q], step_key[r, s, order[q]]
            if best > -np.inf:
                out[r, s] = pick
                pledge_if[r, s, pick] = pledge_if[r, s, pick] + share * counted[r, s]
    return out


def counted(C: Compiled, P: Params, dec: Decision, mech) -> np.ndarray:
    """Which pledges count toward the target (R, S) after this round's decisions."""
    return counted_from(P, dec.stance, dec.kind, mech)


def counted_from(P: Params, stance: np.ndarray, kind: np.ndarray, mech) -> np.ndarray:
    """Committed, with a kind that counts toward the target, and not vetoed."""
    vetoed = vetoes.at_kind(vetoes.vetoed(P, mech), kind)
    kind_counts = P.kind.counts[0][np.maximum(kind, 0)]
    return (stance == COMMITTED) & (kind >= 0) & kind_counts & ~vetoed
