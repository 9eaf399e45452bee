"""Red lines: hard constraints on the mandate or the world, per state and kind."""

from __future__ import annotations

import numpy as np

from sim.rules import caveats as state_caveats
from sim.rules import jit
from sim.scenario.arrays import (
    AT_LEAST,
    AT_MOST,
    EXCLUDES,
    INCLUDES,
    IS,
    ONE_OF,
    REQUIRES,
    WORLD,
    Compiled,
)


def satisfied(pred: dict, m: np.ndarray, world: np.ndarray) -> np.ndarray:
    """Whether each predicate holds in each run (R, L).

    `world` (R, 3 + W) holds the world conditions: ceasefire holding, host consent,
    veto players' acceptance, then the W conditions declared under `world:`. A
    caller that leaves the world aside may pass only the three built-ins; a line
    requiring a declared condition then counts as met.
    """
    R, L = m.shape[0], len(pred["op"])
    ok = np.ones((R, L), bool)
    for i in range(L):
        op, x = pred["op"][i], m[:, pred["col"][i]]
        if op == EXCLUDES:
            ok[:, i] = x < 0.5
        elif op == INCLUDES:
            ok[:, i] = x > 0.5
        elif op == AT_LEAST:
            ok[:, i] = x >= pred["value"][i]
        elif op == AT_MOST:
            ok[:, i] = x <= pred["value"][i]
        elif op == ONE_OF:
            ok[:, i] = (pred["mask"][i] >> x.astype(np.int64)) & 1 == 1
        elif op == IS:
            ok[:, i] = x == pred["value"][i]
        elif pred["world"][i] < world.shape[1]:
            ok[:, i] = world[:, pred["world"][i]]
    return _excepted(pred, ok, world)


def _excepted(pred: dict, ok: np.ndarray, world: np.ndarray) -> np.ndarray:
    """A line with `unless: <condition>` does not bind while the condition holds
    (Egypt: Hamas disarmament only if voluntary). A condition the caller leaves out
    of `world` counts as not holding: the line is judged on the mandate."""
    unless = pred.get("unless")
    if unless is None:
        return ok
    for i in np.flatnonzero((unless >= 0) & (unless < world.shape[1])):
        ok[:, i] |= world[:, unless[i]]
    return ok


def every_condition_held(C: Compiled, R: int) -> np.ndarray:
    """(R, 3 + W): a world in which every built-in and declared condition holds, to
    judge red lines on the mandate alone."""
    return np.ones((R, len(WORLD) + len(C.world_names)), bool)


def caveats_allowed(C: Compiled, m: np.ndarray) -> np.ndarray:
    """(R,): the mandate lets contributors opt out of tasks (national caveats)."""
    col = C.caveat_col
    return m[:, col] > 0.5 if col >= 0 else np.zeros(m.shape[0], bool)


def held(
    C: Compiled, m: np.ndarray, world: np.ndarray, caveats: np.ndarray | None = None
) -> np.ndarray:
    """(R, L): each red line is met, a `caveat_ok` task line counting as met where
    the mandate allows national caveats (the state opts out of that task).

    A line a state's own granted caveat lifts counts as met too (`sim.rules.caveats`).
    The one place the caveat lift is written: deciding, demanding, explaining
    and what-if all ask here.
    """
    caveats = caveats_allowed(C, m) if caveats is None else caveats
    if jit.compiled() and len(C.red["op"]):
        return _held(C, m, world, caveats)
    ok = satisfied(C.red, m, world) | (C.red["caveat_ok"][None, :] & caveats[:, None])
    if state_caveats.declared(C):
        ok |= state_caveats.lifted(C, m)
    return ok


def _held(C: Compiled, m, world, caveats) -> np.ndarray:
    """`held` in one compiled pass (`_held_loop`)."""
    red = C.red
    unless = red.get("unless")
    unless = np.full(len(red["op"]), -1) if unless is None else unless
    if state_caveats.declared(C):
        granted, lifts = state_caveats.granted(C, m), C.caveat_lifts
    else:
        granted, lifts = np.zeros((m.shape[0], 0), bool), np.zeros((0, len(red["op"])), bool)
    world = np.ascontiguousarray(world)  # one compiled version: C-ordered, as most are
    return _held_loop(m, world, red["op"], red["col"], red["value"].astype(float), red["mask"],
                      red["world"], unless, red["caveat_ok"], caveats, granted, lifts)  # fmt: skip


@jit.kernel
def _held_loop(m, world, op, col, value, mask, reads, unless, caveat_ok, caveats, granted, lifts):
    """`held` run by run (`held_row`)."""
    R, L = m.shape[0], op.shape[0]
    ok = np.ones((R, L), np.bool_)
    for r in range(R):
        held_row(m[r], world[r], op, col, value, mask, reads, unless, caveat_ok, caveats[r],
                  granted[r], lifts, ok[r])  # fmt: skip
    return ok


@jit.row
def held_row(row, world, op, col, value, mask, reads, unless, caveat_ok, caveats, granted, lifts,
              ok):  # fmt: skip
    """Each line's predicate (`satisfied`), its `unless` condition (`_excepted`), the
    mandate-wide caveat and the lines a state's own granted caveat lifts (`held`),
    on one run's mandate row and world conditions, into `ok` (L,)."""
    W = world.shape[0]
    for i in range(op.shape[0]):
        if op[i] == REQUIRES:
            v = world[reads[i]] if reads[i] < W else True
        else:
            v = holds(op[i], row[col[i]], value[i], mask[i])
        if 0 <= unless[i] < W and world[unless[i]]:
            v = True
        ok[i] = v or (caveat_ok[i] and caveats)
    for g in range(granted.shape[0]):
        if granted[g]:
            for i in range(op.shape[0]):
                ok[i] = ok[i] or lifts[g, i]


@jit.row
def holds(o, x, value, mask):
    """One predicate on the mandate (`satisfied`): the term's value `x` against the line."""
    if o == EXCLUDES:
        return x < 0.5
    if o == INCLUDES:
        return x > 0.5
    if o == AT_LEAST:
        return x >= value
    if o == AT_MOST:
        return x <= value
    if o == ONE_OF:
        b = np.int64(x)
        return 0 <= b < 64 and (mask >> b) & 1 == 1
    return x == value


def blocked(
    C: Compiled,
    m: np.ndarray,
    world: np.ndarray,
    caveats: np.ndarray,
    first: bool = True,
    ok: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Which (state, offered kind) slots a violated red line rules out (R, S, Kmax), and the
    first violated line for each (-1 when none; None unless `first`).

    A `caveat_ok` task red line is lifted when the mandate allows national
    caveats: the state opts out of that task. `ok`, when given, is `held` for
    the same mandate, world and caveats, computed once by a caller that also
    needs it.
    """
    red = C.red
    R, S, K = m.shape[0], len(C.states), C.slot_kind.shape[1]
    L = len(red["op"])
    if not L:
        return np.zeros((R, S, K), bool), (np.full((R, S, K), -1) if first else None)
    ok = held(C, m, world, caveats) if ok is None else ok
    if jit.compiled():
        out, low = _blocked_loop(ok, red["owner"], red["slot_binds"], S)
        return out, (low if first else None)
    # Counting violated lines per (state, kind) as a 0/1 product is exact in floating point.
    out = ((~ok).astype(float) @ C.red_spread).reshape(R, S, K) > 0
    if not first:
        return out, None
    low = np.full((R, S, K), L)
    for i in range(L - 1, -1, -1):
        hit = ~ok[:, i][:, None] & red["slot_binds"][i][None, :]
        s = red["owner"][i]
        low[:, s, :] = np.where(hit, i, low[:, s, :])
    return out, np.where(low < L, low, -1)


@jit.kernel
def _blocked_loop(ok, owner, slot_binds, S):
    """The slots each violated line rules out (its owner's slots the line binds: the
    0/1 product of `blocked`, as a loop), and the first such line for each, -1 for
    none."""
    R, K = ok.shape[0], slot_binds.shape[1]
    out = np.zeros((R, S, K), np.bool_)
    low = np.full((R, S, K), -1)
    for r in range(R):
        blocked_row(ok[r], owner, slot_binds, out[r], True, low[r])
    return out, low


@jit.row
def blocked_row(ok, owner, slot_binds, out, mark, low):
    """`_blocked_loop` for one run: each slot a violated line rules out set to `mark` in
    `out` (S, K) (True in blocked slots, False in free ones), and the first such line
    in `low` (S, K) of -1, unless `low` has no rows (a caller that needs only the free
    slots)."""
    first = low.shape[0] > 0
    for i in range(ok.shape[0]):
        if not ok[i]:
            s = owner[i]
            for k in range(slot_binds.shape[1]):
                if slot_binds[i, k]:
                    out[s, k] = mark
                    if first and low[s, k] < 0:
                        low[s, k] = i
