"""Veto players: whom they veto, and whether the mandate has their acceptance.

With the `vetoes` mechanism off, veto players neither veto contributors nor
block the mandate: their acceptance is still computed and recorded, but taken
as given. Every place that asks either question asks it here, so the switch
has one meaning.

A veto on a contributor is fixed (`vetoes: [TUR]`: every kind, every run, every
week) or conditional (`vetoes: [{state: TUR, kinds: [troops], p: [0.5, 0.9],
until_week: 12, lifted_by: <concession>, unless: <world condition>}]`). A
conditional veto holds in week t of a run when

    u < p                                  (u uniform, one per run and veto; p a judgement call)
    and (until_week unset, or t <= until_week)
    and (lifted_by unset, or the broker has not made that concession before week t)
    and (unless unset, or that declared world condition did not hold at the end of week t-1)

`unless` writes a veto conditional on the contributor's relations with the veto
player, or on its stance on a question outside the mandate: the scenario
declares the condition under `world:` with how it comes true (a weekly hazard,
a date, a concession), as it does for the conditions of red lines.

and then bars the state's pledges of the listed kinds (every kind without
`kinds`). The concession that lifts it is the veto player's price: the broker
weighs it like any other concession, crediting it with the counted pledges the
lift would let in (`lift_gain`). With `mechanisms.conditional_vetoes` off, a
conditional veto holds like a fixed one (every run, every week, every listed
kind), so the switch shows what the conditions change.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.rules import kinds, short_axis
from sim.scenario.arrays import Compiled
from sim.scenario.params import Params


def vetoed(P: Params, mech) -> np.ndarray:
    """(1 or R, S, K): contributors' kinds whose pledges a veto player refuses to
    count this week (`P.bar.now`, set by `hold` at the start of each week): that array
    itself, read by the week's rules several times (a copy each time cost more than
    the rules reading it), none with the mechanism off."""
    return P.bar.now if mech.vetoes else np.zeros(P.bar.now.shape, bool)


def at_kind(barred: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """(R, S): whether each state's pledge of `kind` (R, S; -1 for none) is barred."""
    return kinds.pick(barred, np.maximum(kind, 0)) & (kind >= 0)


def at_slots(C: Compiled, barred: np.ndarray) -> np.ndarray:
    """(1 or R, S, Kmax): `vetoed` over each state's offered kinds (slots)."""
    R, S, K = barred.shape
    cols = (np.arange(S)[:, None] * K + np.maximum(C.slot_kind, 0)).reshape(-1)
    out = np.ascontiguousarray(barred).reshape(R, S * K)[:, cols]  # one column gather
    return out.reshape(R, *C.slot_kind.shape) & (C.slot_kind >= 0)


def holding(C: Compiled, P: Params, t: int, made: np.ndarray, mech, cond=None) -> np.ndarray:
    """(R|1, B): which conditional vetoes hold in week t (before this week's moves);
    `cond` (R, W) the declared world conditions at the end of week t-1 (their
    initial values when None)."""
    B = len(C.bar_state)
    R = max(P.bar.u.shape[0], P.bar.p.shape[0], made.shape[0])
    if not B:
        return np.zeros((R, 0), bool)
    if not mech.conditional_vetoes:
        return np.ones((R, B), bool)
    holds = P.bar.u < P.bar.p
    timed = (C.bar_until == 0) | (t <= C.bar_until)
    lift = np.maximum(C.bar_lift, 0)
    lifted = (C.bar_lift >= 0) & made[:, lift] if made.shape[1] else np.zeros((1, B), bool)
    return np.broadcast_to(holds & timed & ~lifted & ~_unless(C, cond), (R, B))


def _unless(C: Compiled, cond) -> np.ndarray:
    """(R|1, B): the declared world condition a veto names under `unless` holds."""
    if not (C.bar_unless >= 0).any():
        return np.zeros((1, len(C.bar_state)), bool)
    cond = C.world_initial[None, :] if cond is None else cond
    return (C.bar_unless >= 0) & cond[:, np.maximum(C.bar_unless, 0)]


def barred(C: Compiled, P: Params, t: int, made: np.ndarray, mech, cond=None) -> np.ndarray:
    """(R|1, S, K): fixed vetoes, plus the conditional vetoes holding in week t."""
    base = np.broadcast_to(P.state.vetoed[:, :, None], (*P.state.vetoed.shape, len(C.kinds)))
    if not len(C.bar_state):
        return base
    hold = holding(C, P, t, made, mech, cond)
    out = np.repeat(base, hold.shape[0], axis=0) if base.shape[0] != hold.shape[0] else base.copy()
    for b in range(len(C.bar_state)):
        s = C.bar_state[b]
        out[:, s, :] |= hold[:, b, None] & C.bar_kinds[b][None, :]
    return out


def hold(C: Compiled, P: Params, t: int, made: np.ndarray, mech, cond=None) -> Params:
    """The parameters for week t, with the vetoes that hold this week in `P.bar.now`."""
    return replace(P, bar=replace(P.bar, now=barred(C, P, t, made, mech, cond)))


def lifting(C: Compiled) -> np.ndarray:
    """The concessions that can lift a conditional veto: its `lifted_by` price, or
    the concession that sets the world condition it names under `unless`."""
    prices = C.bar_lift[C.bar_lift >= 0]
    unless = C.bar_unless[C.bar_unless >= 0]
    setters = C.world_by[unless] if len(unless) else np.zeros(0, int)
    return np.unique(np.concatenate([prices, setters[setters >= 0]]).astype(int))


def lift_gain(
    C: Compiled, P: Params, stance, kind, pledge, counts, made, t, mech, cond=None
) -> np.ndarray:
    """(R, C): counted pledges each concession would let in by lifting the vetoes it
    is the price of, or whose `unless` condition it sets (states committed with a
    barred kind that only those vetoes bar)."""
    from sim.rules.world import after_concessions
    from sim.scenario.arrays import COMMITTED

    R, n_con = stance.shape[0], len(C.concessions)
    gain = np.zeros((R, n_con))
    candidates = lifting(C)
    if not mech.vetoes or not len(candidates):
        return gain
    for j in candidates:
        after = made.copy()
        after[:, j] = True
        cond_after = after_concessions(C, cond, np.arange(n_con) == j)
        barred_after = barred(C, P, t, after, mech, cond_after)
        freed = at_kind(vetoed(P, mech), kind) & ~at_kind(barred_after, kind)
        freed &= (stance == COMMITTED) & counts
        gain[:, j] = np.where(freed, pledge, 0.0).sum(axis=1)
    return gain


def demands(C: Compiled, accepts: np.ndarray, accept_if: np.ndarray, open_: np.ndarray, mech):
    """(R, V): the concession each veto player that rejects the mandate asks for, -1
    for none: the first in the menu's search order (fewest changes, lowest cost)
    that is open and under which it would accept. A veto player that accepts asks
    for nothing. The broker weighs the demand (`sim.rules.broker.concede`)."""
    R, V = accepts.shape
    out = np.full((R, V), -1)
    if not (mech.vetoes and mech.veto_demands and mech.concessions) or not len(C.concessions):
        return out
    for j in C.concession_order[::-1]:  # the first in the order is written last
        out = np.where(~accepts & accept_if[:, j, :] & open_[:, j, None], j, out)
    return out


def mandate_accepted(accepts: np.ndarray, mech) -> np.ndarray:
    """(R,): every veto player accepts the mandate (always, with vetoes off)."""
    return short_axis.all_last(accepts) | (not mech.vetoes)


def vetoed_by(C: Compiled, code: str) -> list[str]:
    """Ids of the veto players that veto contributor `code` (none with vetoes off),
    fixed or conditional."""
    if not C.scenario.run.mechanisms.vetoes:
        return []
    return [
        v
        for v, spec in C.scenario.veto_players.items()
        if any((e if isinstance(e, str) else e.state) == code for e in spec.vetoes)
    ]
