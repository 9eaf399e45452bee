"""Packages: a state that commits several kinds at once, each at its own size.

Without a package a state offers one kind at a time: the best of its offered
kinds that no red line blocks (`sim.rules.kinds.best_slot`). A state with a
`package` (Italy: carabinieri units with police trainers; the United Kingdom:
planners with trainers) offers the kinds of its package together. Its lead kind
is chosen as before; when the lead kind is in the package, every other kind of
the package joins it where that kind on its own

- is free of the state's red lines (a red line limited to some `kinds` binds
  only those), and
- has a payoff at the offer level (`thresholds.offered`): its own exposure and
  risk enter the payoff, so a risky part can stay home while a safe one goes.

Each part is sized by the pledge rule on its own payoff and capacity
(`sim.rules.stance.pledge`), and counts toward the target on its own: when the
state is committed, the kind counts (`force.counts`), no veto bars that kind
from that state, at its caveats' share (`sim.rules.caveats.share`). The parts
travel with the lead contingent: same approval vote, lag and arrival week.

The stance is decided on the lead kind, as without a package: a package adds
to what a state in the force brings; it does not bring a state in. Demands and
the broker's reckoning of what a concession brings count the lead kind only,
a conservative reading (docs/model.md, 'Packages').

With `mechanisms.packages` off, or no package declared, the parts are all zero
and the tables are those of a scenario without packages.
"""

from __future__ import annotations

import numpy as np

from sim.rules import caveats, jit, kinds, short_axis, stance, vetoes
from sim.scenario.arrays import COMMITTED, Compiled
from sim.scenario.params import Params


def declared(C: Compiled) -> bool:
    """Whether any state commits a package (false with the switch off)."""
    return bool(C.package.size and C.package.any())


def parts(C: Compiled, P: Params, u, free, best, in_) -> np.ndarray:
    """(R, S, Kmax): the size of each package part a state brings besides its lead
    kind (slot `best`, (R, S)), for the states in the force (`in_`, offered or
    committed); zero elsewhere."""
    R, S, K = u.shape
    if not declared(C):
        return np.zeros((R, S, K))
    d = C.scenario.decision
    th = d.thresholds.offered
    out = np.zeros((R, S, K))
    if jit.compiled():
        share = stance.min_shares(P)
        _parts_loop(u, free, best, in_, C.package, P.slot.capacity, P.slot.unit, share,
                    float(th), float(d.pledge_full_payoff), out)  # fmt: skip
        return out
    s = np.flatnonzero(C.package.any(axis=1))  # the states with a package: the rest bring none
    u, free, best, in_, package = u[:, s], free[:, s], best[:, s], in_[:, s], C.package[s]
    lead_in = kinds.pick(package[None], best)[..., None]
    other = np.arange(K)[None, None, :] != best[..., None]
    joins = package[None] & other & lead_in & in_[..., None] & free & (u >= th)
    min_share = P.decision.pledge_min_share[:, None, None]
    cap, unit = P.slot.capacity[:, s], P.slot.unit[:, s]
    size = stance.pledge(u, cap, unit, th, d.pledge_full_payoff, min_share)
    out[:, s] = np.where(joins, size, 0.0)
    return out


def initial(C: Compiled, R: int) -> np.ndarray:
    """(R, S, Kmax): the parts of the offers stated in the record, week 0."""
    return np.repeat(C.package_initial[None], R, axis=0).astype(float)


def counted(C: Compiled, P: Params, stance_: np.ndarray, part: np.ndarray, m, mech):
    """(R, S, Kmax): each part's strength counted toward the target: the state is
    committed, the kind counts, no veto bars it, at its caveats' share."""
    if not declared(C):
        return np.zeros(part.shape)
    if jit.compiled():
        return _counted(C, P, stance_, part, m, mech)
    barred = vetoes.at_slots(C, vetoes.vetoed(P, mech))
    ok = (stance_ == COMMITTED)[..., None] & P.slot.counts.astype(bool) & ~barred
    out = np.where(ok, part, 0.0)
    if caveats.declared(C):
        R, S, K = part.shape
        for k in range(K):
            kind = np.broadcast_to(C.slot_kind[:, k], (R, S))
            out[..., k] = out[..., k] * caveats.share(C, P, m, kind)
    return out


@jit.kernel
def _parts_loop(u, free, best, in_, package, cap, unit, min_share, offered, full, out):
    """`parts` state by state, into `out` (zeros): for a state in the force whose lead
    kind (slot `best`) is in its package, each other part of the package free of its
    red lines with a payoff at the offer level, sized by `stance.pledge_one`."""
    R, S, K = u.shape
    for r in range(R):
        cap_r, unit_r, ms = jit.at(cap, r), jit.at(unit, r), jit.at(min_share, r)
        for s in range(S):
            b = best[r, s]
            if not (in_[r, s] and package[s, b]):
                continue
            for k in range(K):
                if k != b and package[s, k] and free[r, s, k] and u[r, s, k] >= offered:
                    out[r, s, k] = stance.pledge_one(
                        u[r, s, k], cap_r[s, k], unit_r[s, k], offered, full, ms
                    )


def _counted(C: Compiled, P: Params, stance_, part, m, mech) -> np.ndarray:
    """`counted` in one compiled pass (`_counted_loop`): the same array."""
    declared_ = caveats.declared(C)
    out = np.empty(part.shape)
    _counted_loop(stance_, part, vetoes.vetoed(P, mech), P.slot.counts, C.slot_kind,
                  np.ascontiguousarray(C.slot_kind.T), m, declared_, C.caveat_cols,
                  int(C.caveat_col), C.caveat_task, C.caveat_owner, caveats.discounts(C, P),
                  C.kind_in_theatre,
                  np.ones(part.shape[1]), out)  # fmt: skip
    return out


@jit.kernel
def _counted_loop(stance_, part, barred, counts, slot_kind, kinds_by_slot, m, declared_, cols,
                  col, task, owner, disc, in_theatre, share, out):  # fmt: skip
    """`counted` run by run: each part where the state is committed, its kind counts
    and no veto bars it, else zero; times its caveats' share (`caveats.share_row`) for
    the kind of each slot, where per-state caveats are declared."""
    R, S, K = part.shape
    for r in range(R):
        bar_r, counts_r = jit.at(barred, r), jit.at(counts, r)
        for s in range(S):
            committed = stance_[r, s] == COMMITTED
            for k in range(K):
                kind = slot_kind[s, k]
                barred_k = kind >= 0 and bar_r[s, max(kind, 0)]
                ok = committed and counts_r[s, k] != 0 and not barred_k
                out[r, s, k] = part[r, s, k] if ok else 0.0
        if declared_:
            d = jit.at(disc, r)
            for k in range(K):
                share[:] = 1.0
                caveats.share_row(m[r], cols, col, task, owner, d, in_theatre, kinds_by_slot[k],
                                  share)  # fmt: skip
                for s in range(S):
                    out[r, s, k] = out[r, s, k] * share[s]


def by_kind(C: Compiled, part: np.ndarray) -> np.ndarray:
    """(R, S, K): the parts over the kind vocabulary rather than the slots."""
    R, S, Kmax = part.shape
    out = np.zeros((R, S, len(C.kinds)))
    for k in range(Kmax):
        kind = C.slot_kind[:, k]
        s = np.flatnonzero(kind >= 0)
        out[:, s, kind[s]] += part[:, s, k]
    return out


def text(C: Compiled, part_row: np.ndarray, s: int) -> str:
    """One state's parts as `kind:size;...` (slot order), '' for none: the tables'
    `package` column."""
    return ";".join(
        f"{C.kinds[C.slot_kind[s, k]]}:{part_row[k]:g}"
        for k in range(part_row.shape[0])
        if part_row[k] > 0
    )


def contingent(C: Compiled, pledge, counted, kind, parts, parts_counted):
    """Each state's whole contingent as deployment sees it: (size, counted, kind),
    each (R, S). The size adds the counted parts to the counted lead pledge; the
    kind is the lead kind, or, where the lead kind stays outside the theatre, the
    largest part that serves in it (the one shocks in theatre can reach)."""
    if not declared(C):
        return pledge, counted, kind
    raw = np.where(parts_counted > 0, parts, 0.0)
    size = np.where(counted, pledge, 0.0) + short_axis.sum_last(raw)
    in_force = counted | short_axis.any_last(raw > 0)
    theatre = C.kind_in_theatre[np.maximum(C.slot_kind, 0)] & (C.slot_kind >= 0)
    serving = np.where(theatre[None], raw, 0.0)
    top, largest = short_axis.largest_last(serving)
    part_kind = C.slot_kind[np.arange(C.slot_kind.shape[0])[None, :], top]
    lead_serves = counted & C.kind_in_theatre[np.maximum(kind, 0)] & (kind >= 0)
    use_part = ~lead_serves & (largest > 0)
    return size, in_force, np.where(use_part, part_kind, kind)
