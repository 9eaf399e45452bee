"""One round of state decisions: red lines, clarity gate, payoff, stance, pledge, demand.

All states decide at once on what they saw at the end of the previous round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.rules import actors, kinds, payoff, red_lines, stance, vetoes
from sim.rules.terms import apply_changes, changes_anything
from sim.scenario.arrays import COMMITTED, CONDITIONAL, DECLINED, OFFERED, Compiled
from sim.scenario.params import Params

NEG = -np.inf


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


def world_conditions(C: Compiled, P: Params, m, level, consent_ok, accepts) -> np.ndarray:
    """(R, 3): ceasefire holding, hosts consenting, veto players accepting.

    With the veto mechanism off, veto players' acceptance is taken as given.
    """
    holding = level <= P.env.ceasefire_threshold
    accepted = vetoes.mandate_accepted(accepts, C.scenario.run.mechanisms)
    return np.stack([holding, consent_ok, accepted], axis=1)


def choose_kind(u: np.ndarray, free: np.ndarray):
    """Best kind among the free ones; (best (R,S), its payoff, whether any is free)."""
    return kinds.best_slot(u, free)


def counted_pledge(C, P, u, free, vetoed):
    """Pledge a state would make at its best free kind, counted toward the target."""
    best, top, anyfree = choose_kind(u, free)
    cap = kinds.pick(P.slot.capacity, best)
    unit = kinds.pick(P.slot.unit, best)
    d = C.scenario.decision
    size = stance.pledge(
        top,
        cap,
        unit,
        d.thresholds.offered,
        d.pledge_full_payoff,
        P.decision.pledge_min_share[:, None],
    )
    counts = kinds.pick(P.slot.counts, best) & ~vetoed & anyfree
    return best, top, anyfree, np.where(counts, size, 0.0)


def evaluate(C, P, m, obs: payoff.Observed, soc, world, first: bool = False, base=None, changed=()):
    """Payoff per kind and red-line blocks under a mandate."""
    comp = payoff.components(C, P, m, obs, soc, base, changed)
    u = payoff.by_kind(comp, P)
    blocked, first = red_lines.blocked(C, m, world, payoff.opted_out(C, m), first)
    return comp, u, blocked, first


def decide(C: Compiled, P: Params, m, obs: payoff.Observed, noise, mech, made, accepts, consent_ok):
    """The state decision rule for one round (see docs/model.md, 'One round')."""
    d = C.scenario.decision
    th = d.thresholds
    vetoed = vetoes.vetoed(P, mech)
    world = world_conditions(C, P, m, obs.level, consent_ok, accepts)
    soc = payoff.social(C, P, obs, noise, mech)
    comp, u, blocked, first = evaluate(C, P, m, obs, soc, world, first=True)
    has_cap = P.slot.capacity >= P.slot.unit
    free = has_cap & ~blocked
    best, top, anyfree = choose_kind(u, free)
    ideal = np.where(has_cap, u, NEG).argmax(axis=2)
    binding = np.take_along_axis(first, ideal[..., None], 2)[..., 0]
    binding = np.where(np.take_along_axis(free, ideal[..., None], 2)[..., 0], -1, binding)
    clarity = m[:, C.cols.col[C.scenario.force.clarity_term]]
    gate = (clarity[:, None] >= P.state.clarity_threshold) | (not mech.clarity_gate)

    R, S = obs.stance.shape
    n_con = len(C.concessions)
    liftable = np.zeros((R, S), bool)
    demand = np.full((R, S), -1)
    pledge_if = np.zeros((R, S, n_con))
    accept_if = np.zeros((R, n_con, len(C.veto_ids)), bool)
    step_key = np.full((R, S, n_con), -np.inf)
    # A state already in on the present terms demands nothing.
    needs = ~(anyfree & (top >= th.offered))
    open_all = np.zeros((R, n_con), bool)
    active = C.concession_order if mech.concessions else np.array([], int)
    for j in active:
        open_ = ~made[:, j] & changes_anything(m, C.concession_changes[j])
        open_all[:, j] = open_
        rows = np.flatnonzero(open_)
        if not len(rows):
            continue
        # Evaluate the concession only in the runs where it is still open.
        Pj, obs_j, soc_j = _rows(P, obs, soc, rows, R)
        mj = apply_changes(m[rows], C.concession_changes[j])
        _, acc_j = actors.acceptance(C, Pj, mj)
        _, consent_j = actors.consent(C, Pj, mj)
        accept_if[rows, j, :] = acc_j
        world_j = world_conditions(C, Pj, mj, obs_j.level, consent_j, acc_j)
        base_j = comp if len(rows) == R else {k: v[rows] for k, v in comp.items()}
        changed = {col for col, _, _ in C.concession_changes[j]}
        _, u_j, blocked_j, _ = evaluate(
            C, Pj, mj, obs_j, soc_j, world_j, base=base_j, changed=changed
        )
        free_j = (Pj.slot.capacity >= Pj.slot.unit) & ~blocked_j
        liftable[rows] |= kinds.any_slot(free_j)
        _, top_j, any_j, size_j = counted_pledge(C, Pj, u_j, free_j, vetoed)
        brings = needs[rows] & any_j & (top_j >= th.offered)
        demand[rows] = np.where((demand[rows] < 0) & brings, j, demand[rows])
        pledge_if[rows, :, j] = np.where(brings, size_j, 0.0)
        lifts = _lifts(C, mj, world_j, binding[rows])
        step_key[rows, :, j] = np.where(lifts, 1e6, 0.0) + np.maximum(top_j, -1e5)
    if len(active):
        demand, credit, lift_all = _bundle(
            C, P, m, obs, soc, made, vetoed, has_cap, np.where(needs, demand, 0), step_key, th
        )
        demand = np.where(needs, demand, -1)
        liftable |= lift_all
        pledge_if = pledge_if + credit
    h = P.decision.hysteresis[:, None] if mech.hysteresis else 0.0
    new = stance.ladder(obs.stance, top, anyfree, liftable, gate, th, h)
    demand = np.where((new == DECLINED) | (new == CONDITIONAL), demand, -1)
    gain = np.zeros((R, n_con))
    for j in range(n_con):
        gain[:, j] = np.where(demand == j, pledge_if[:, :, j], 0.0).sum(axis=1)
    in_ = new >= OFFERED
    best_kind = kinds.to_kind(C, best)
    kind = np.where(in_, best_kind, -1)
    cap = kinds.pick(P.slot.capacity, best)
    size = stance.pledge(
        top,
        cap,
        kinds.pick(P.slot.unit, best),
        th.offered,
        d.pledge_full_payoff,
        P.decision.pledge_min_share[:, None],
    )
    shown = np.where(anyfree, best, ideal)
    return Decision(
        stance=new,
        kind=kind,
        pledge=np.where(in_, size, 0.0),
        payoff=np.take_along_axis(u, shown[..., None], 2)[..., 0],
        components=payoff.at_kind(comp, P, shown),
        binding=binding,
        demand=demand,
        gain=gain,
        best=best_kind,
        available=anyfree,
        gate_open=np.broadcast_to(gate, new.shape),
        accept_if=accept_if,
        open_=open_all,
        pledge_if=pledge_if,
    )


def _rows(P: Params, obs: payoff.Observed, soc: dict, rows: np.ndarray, R: int):
    """Parameters, observations and social components of a subset of runs."""
    if len(rows) == R:
        return P, obs, soc
    Pj = P.take(rows)
    obs_j = payoff.Observed(*(getattr(obs, f)[rows] for f in payoff.Observed.__dataclass_fields__))
    return Pj, obs_j, {k: v[rows] for k, v in soc.items()}


def _lifts(C: Compiled, m, world, binding) -> np.ndarray:
    """Whether a mandate satisfies each state's binding red line (R, S)."""
    if not len(C.red_ids):
        return np.zeros(binding.shape, bool)
    ok = red_lines.held(C, m, world)
    hit = np.take_along_axis(ok, np.maximum(binding, 0), 1)
    return hit & (binding >= 0)


def _bundle(C, P, m, obs, soc, made, vetoed, has_cap, demand, step_key, th):
    """Demands no single concession meets, but the whole open menu would.

    Such a state is conditional, and it asks first for the concession that
    lifts its binding red line (else the one that raises its payoff most). The
    broker credits that demand with `partial_demand_credit` of the pledge, since
    one concession alone will not bring the state in.
    """
    m_all = m.copy()
    for j in C.concession_order:
        rows = ~made[:, j]
        m_all[rows] = apply_changes(m_all[rows], C.concession_changes[j])
    _, acc = actors.acceptance(C, P, m_all)
    _, consent = actors.consent(C, P, m_all)
    world = world_conditions(C, P, m_all, obs.level, consent, acc)
    _, u, blocked, _ = evaluate(C, P, m_all, obs, soc, world)
    free = has_cap & ~blocked
    _, top, anyfree, size = counted_pledge(C, P, u, free, vetoed)
    order = C.concession_order
    keys = step_key[:, :, order]
    pick = order[keys.argmax(axis=2)]
    wants = (demand < 0) & anyfree & (top >= th.offered) & (keys.max(axis=2) > -np.inf)
    demand = np.where(wants, pick, demand)
    credit = np.zeros((*demand.shape, len(C.concessions)))
    share = C.scenario.decision.partial_demand_credit
    for j in order:
        credit[:, :, j] = np.where(wants & (pick == j), share * size, 0.0)
    return demand, credit, anyfree


def counted(C: Compiled, P: Params, dec: Decision, mech) -> np.ndarray:
    """Which pledges count toward the target (R, S) after this round's decisions."""
    return counted_from(P, dec.stance, dec.kind, mech)


def counted_from(P: Params, stance: np.ndarray, kind: np.ndarray, mech) -> np.ndarray:
    """Committed, with a kind that counts toward the target, and not vetoed."""
    vetoed = vetoes.vetoed(P, mech)
    kind_counts = P.kind.counts[0][np.maximum(kind, 0)]
    return (stance == COMMITTED) & (kind >= 0) & kind_counts & ~vetoed
