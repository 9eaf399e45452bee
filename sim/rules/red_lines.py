"""Red lines: hard constraints on the mandate or the world, per state and kind."""

from __future__ import annotations

import numpy as np

from sim.scenario.arrays import AT_LEAST, AT_MOST, EXCLUDES, INCLUDES, IS, ONE_OF, Compiled


def satisfied(pred: dict, m: np.ndarray, world: np.ndarray) -> np.ndarray:
    """Whether each predicate holds in each run (R, L).

    `world` (R, 3) holds the world conditions: ceasefire holding, host consent,
    veto players' acceptance.
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
        else:
            ok[:, i] = world[:, pred["world"][i]]
    return ok


def blocked(
    C: Compiled, m: np.ndarray, world: np.ndarray, caveats: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which (state, kind) pairs a violated red line rules out (R, S, K), and the
    first violated line for each (-1 when none).

    A `caveat_ok` task red line is lifted when the mandate allows national
    caveats: the state opts out of that task.
    """
    red = C.red
    R, S, K = m.shape[0], len(C.states), len(C.kinds)
    ok = satisfied(red, m, world)
    ok |= red["caveat_ok"][None, :] & caveats[:, None]
    out = np.zeros((R, S, K), bool)
    first = np.full((R, S, K), -1)
    for i in range(len(red["op"])):
        hit = ~ok[:, i][:, None] & red["binds"][i][None, :]
        s = red["owner"][i]
        first[:, s, :] = np.where(hit & ~out[:, s, :], i, first[:, s, :])
        out[:, s, :] |= hit
    return out, first
