"""Reading and changing mandate rows: linear effects, concessions, firming up."""

from __future__ import annotations

import numpy as np

from sim.rules import jit
from sim.scenario.arrays import Linear


def evaluate(lin: Linear, m: np.ndarray, base: np.ndarray | float) -> np.ndarray:
    """base + effects of the mandate, one value per run (R,).

    Entries are added one at a time, in declaration order, so the result does
    not depend on how many runs are computed together.
    """
    if jit.compiled():
        base = np.ascontiguousarray(np.asarray(base, float).reshape(-1))
        return _evaluate_loop(m, lin.cols, lin.weights, lin.levels, lin.scale, base)
    acc = np.zeros(m.shape[0]) + base
    for col, w, level, scale in zip(lin.cols, lin.weights, lin.levels, lin.scale, strict=True):
        x = m[:, col]
        acc = acc + (w * (x == level) if level >= 0 else w * x / scale)
    return acc


@jit.kernel
def _evaluate_loop(m, cols, weights, levels, scale, base):
    """`evaluate` run by run (`linear_row`)."""
    R = m.shape[0]
    out = np.empty(R)
    for r in range(R):
        b = base[r if base.shape[0] > 1 else 0]
        out[r] = linear_row(m[r], cols, weights, levels, scale, 0, cols.shape[0], b)
    return out


@jit.row
def linear_row(row, cols, weights, levels, scale, lo, hi, base):
    """`evaluate` on one mandate row, entries lo..hi-1: the same operations, entry by
    entry, in order."""
    acc = 0.0 + base
    for e in range(lo, hi):
        x = row[cols[e]]
        if levels[e] >= 0:
            acc = acc + weights[e] * (1.0 if x == levels[e] else 0.0)
        else:
            acc = acc + weights[e] * x / scale[e]
    return acc


def apply_changes(m: np.ndarray, changes: list[tuple[int, float, int]]) -> np.ndarray:
    """A copy of the mandate rows with a concession applied (set, cap or floor)."""
    out = m.copy()
    for col, value, mode in changes:
        if mode < 0:
            out[:, col] = np.minimum(out[:, col], value)
        elif mode > 0:
            out[:, col] = np.maximum(out[:, col], value)
        else:
            out[:, col] = value
    return out


def firm_up(m: np.ndarray, clarity_col: int | np.ndarray, engagement: np.ndarray) -> np.ndarray:
    """Terms firm up: each clarity column (one, or every one the scenario's states wait
    on, `sim.rules.clarity.firmed`) rises by the broker's engagement, capped at 1."""
    out = m.copy()
    for col in np.atleast_1d(clarity_col):
        out[:, col] = np.minimum(1.0, out[:, col] + engagement)
    return out


def clip01(x: np.ndarray) -> np.ndarray:
    """Acceptance and consent live in [0, 1]."""
    return np.minimum(1.0, np.maximum(0.0, x))


def changes_anything(m: np.ndarray, changes: list[tuple[int, float, int]]) -> np.ndarray:
    """Whether a concession would change the mandate of each run (R,)."""
    out = np.zeros(m.shape[0], bool)
    for col, value, mode in changes:
        x = m[:, col]
        out |= (x > value) if mode < 0 else (x < value) if mode > 0 else (x != value)
    return out
