"""Per-state caveats: a task one contributor's contingent will not carry, granted
to that contributor alone, and what the force loses by it.

A caveat belongs to a state (`states.X.caveats: [{id, excludes: <task>,
discount}]`) and is granted one state at a time, by a concession that names it
(`broker.concessions[..].grants: {state: X, caveat: <id>}`), or to every state at
once by the mandate-wide caveats term (`force.caveats_term`, e.g.
`national_caveats: true`). A grant is written in the mandate row itself, one
column per declared caveat (0 or 1), so the broker's menu, the demand search and
"is this concession still open" treat it like any other change of terms: the
terms of reference a contributor signs up to include its caveats. With g a
caveat of state s on task tau, of discount d_g:

    granted[g]   = grant column of g is set  or  the mandate-wide term allows caveats
    in_effect[g] = granted[g]  and  the mandate carries tau
    red line l of s lifted  where  l is `excludes: tau` (same term) and granted[g]
    share[s, k]  = prod over g of s in effect of (1 - d_g)   for an in-theatre kind k
                 = 1                                          otherwise
    counted force F = sum_s pledge_s * counted_s * share[s, kind_s]  (+ force.in_theatre)
    acceptance_v += caveat_effect_v * (number of caveats granted by a concession)

A granted caveat also takes tau out of the state's distance from its ideal terms
and out of its perception at home (the state opts out of the task), as the
mandate-wide opt-out does for `caveat_ok` lines. The broker credits a demand with
the pledge counted at its share, so a caveat is worth to it what the caveated
contingent adds to the force, not its headcount.

Why a discount. Saideman and Auerswald (2012, *NATO in Afghanistan: Fighting
Together, Fighting Alone*) show that national caveats were the price of getting
contingents into ISAF at all, and that they cost the force: a commander cannot
send a caveated unit where the refused task is done, so the contingent is worth
less to the mission than its numbers, and the burden shifts to those without
caveats. The discount is that loss, a judgement call per caveat (default 0.25:
a caveat on one of the force's four to six tasks, the one the mission puts
first, leaves about three quarters of the contingent usable; a range lets a
study vary it). It applies to in-theatre kinds only: a kind outside the
territory carries no task a caveat could refuse. Several caveats of one state
compound. The deployed strength (`sim.rules.deployment`) still counts personnel.

`caveat_effect` is per caveat granted one by one: a veto player that wants a task
done (Israel, disarmament) sees each exemption as a loss; the mandate-wide term
keeps its own effect in the player's `effects`, so the two do not add up twice.

With `run.mechanisms.per_state_caveats` off (or no state declaring a caveat) there
are no grant columns: a declared caveat is read as `caveat_ok` on the red lines it
would lift (the mandate-wide term lifts them, counted in full), a concession that
only grants a caveat leaves the menu, and every table is as before caveats existed.
"""

from __future__ import annotations

import numpy as np

from sim.rules import jit, short_axis
from sim.scenario.arrays import Compiled
from sim.scenario.params import Params


def declared(C: Compiled) -> bool:
    """Caveats are granted state by state in this compiled scenario."""
    return len(C.caveat_cols) > 0


def granted(C: Compiled, m: np.ndarray) -> np.ndarray:
    """(R, G): each caveat is granted, by its own concession or by the mandate-wide term."""
    out = m[:, C.caveat_cols] > 0.5
    if C.caveat_col >= 0:
        out = out | (m[:, C.caveat_col] > 0.5)[:, None]
    return out


def in_effect(C: Compiled, m: np.ndarray) -> np.ndarray:
    """(R, G): granted, and the mandate carries the task the caveat refuses."""
    return granted(C, m) & (m[:, C.caveat_task] > 0.5)


def lifted(C: Compiled, m: np.ndarray) -> np.ndarray:
    """(R, L): red lines a granted caveat lifts for the state that holds it."""
    # A 0/1 product summed in floating point is exact.
    return (granted(C, m).astype(float) @ C.caveat_lifts.astype(float)) > 0


def excused(granted_: np.ndarray, pref: np.ndarray) -> np.ndarray:
    """(R, E): preference entries (state, task) a granted caveat takes out of the
    state's distance, from the caveats granted (R, G) and the entries each excuses
    (`Compiled.caveat_pref`, (G, E)): a task it opts out of counts as not carried."""
    # A 0/1 product summed in floating point is exact.
    return (granted_.astype(float) @ pref.astype(float)) > 0


def perception_relief(C: Compiled, m: np.ndarray) -> np.ndarray:
    """(R, S): perception each state no longer bears for the tasks it opts out of
    (the task's weight in `environment.perception`, where the mandate carries it)."""
    R, S = m.shape[0], len(C.states)
    out = np.zeros((R, S))
    on = granted(C, m)
    for g in np.flatnonzero(C.caveat_perception != 0):
        s = C.caveat_owner[g]
        out[:, s] = out[:, s] + np.where(
            on[:, g], C.caveat_perception[g] * m[:, C.caveat_task[g]], 0
        )
    return out


def discounts(C: Compiled, P: Params) -> np.ndarray:
    """(R|1, G): each run's discount of each caveat, as the compiled loops read it."""
    G = len(C.caveat_cols)
    return np.asarray(P.caveat.discount, float).reshape(-1, G) if G else np.zeros((1, 0))


def share(C: Compiled, P: Params, m: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """(R, S): the share of each state's pledge of `kind` (R, S; -1 none) that counts
    toward the target: prod (1 - discount) over its caveats in effect, for an
    in-theatre kind; 1 otherwise (and everywhere without per-state caveats)."""
    R, S = kind.shape
    out = np.ones((R, S))
    if not declared(C):
        return out
    if jit.compiled():
        return _share_loop(m, C.caveat_cols, C.caveat_col, C.caveat_task, C.caveat_owner,
                           discounts(C, P),
                           C.kind_in_theatre, np.ascontiguousarray(kind))  # fmt: skip
    on = in_effect(C, m)
    disc = np.broadcast_to(P.caveat.discount, (R, len(C.caveat_cols)))
    for g in range(len(C.caveat_cols)):
        s = C.caveat_owner[g]
        out[:, s] = out[:, s] * np.where(on[:, g], 1.0 - disc[:, g], 1.0)
    theatre = C.kind_in_theatre[np.maximum(kind, 0)] & (kind >= 0)
    return np.where(theatre, out, 1.0)


@jit.kernel
def _share_loop(m, cols, col, task, owner, disc, in_theatre, kind):
    """`share` run by run (`share_row`)."""
    R, S = kind.shape
    out = np.ones((R, S))
    for r in range(R):
        w = r if disc.shape[0] > 1 else 0
        share_row(m[r], cols, col, task, owner, disc[w], in_theatre, kind[r], out[r])
    return out


@jit.row
def share_row(row, cols, col, task, owner, disc, in_theatre, kind, out):
    """`share` on one run, into `out` (S,) of ones: each caveat in effect (`in_effect`)
    multiplies its owner's share by 1 - its discount, for a pledge of an in-theatre kind."""
    for g in range(cols.shape[0]):
        on = row[cols[g]] > 0.5 or (col >= 0 and row[col] > 0.5)
        if on and row[task[g]] > 0.5:
            out[owner[g]] = out[owner[g]] * (1.0 - disc[g])
    for i in range(kind.shape[0]):
        if kind[i] < 0 or not in_theatre[kind[i]]:
            out[i] = 1.0


def acceptance_shift(C: Compiled, m: np.ndarray, v: int) -> np.ndarray | float:
    """(R,): veto player v's `caveat_effect` times the caveats granted one by one."""
    if not declared(C) or C.veto_caveat_effect[v] == 0.0:
        return 0.0
    return C.veto_caveat_effect[v] * short_axis.sum_last(m[:, C.caveat_cols] > 0.5)
