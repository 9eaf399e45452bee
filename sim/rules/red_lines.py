"""Red lines: hard constraints on the mandate or the world, per state and kind."""

from __future__ import annotations

import numpy as np

from sim.rules import caveats as state_caveats
from sim.scenario.arrays import AT_LEAST, AT_MOST, EXCLUDES, INCLUDES, IS, ONE_OF, WORLD, Compiled


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
    ok = satisfied(C.red, m, world) | (C.red["caveat_ok"][None, :] & caveats[:, None])
    if state_caveats.declared(C):
        ok |= state_caveats.lifted(C, m)
    return ok


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
