"""Offered kinds as slots: per-state arrays over the kinds each state offers.

A state's payoff, red-line blocks and pledge are computed for its offered kinds
only (slots); `slot_kind` maps a slot back to the kind vocabulary.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.arrays import Compiled


def to_kind(C: Compiled, slot: np.ndarray) -> np.ndarray:
    """Slot index (R, S) to kind index (R, S)."""
    return np.take_along_axis(
        np.broadcast_to(C.slot_kind, (slot.shape[0], *C.slot_kind.shape)), slot[..., None], 2
    )[..., 0]


def pick(arr: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """Value of a (R|1, S, Kmax) array at each state's slot (R, S)."""
    if arr.shape[0] == 1:
        return arr[0][np.arange(arr.shape[1])[None, :], slot]
    return np.take_along_axis(arr, slot[..., None], 2)[..., 0]


def best_slot(u: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best free slot, its payoff (-inf if none) and whether any is free, over the last axis.

    Written as a short loop over the few slots: the first maximum wins, as with
    argmax, and it is several times faster than reductions over a tiny axis.
    """
    top = np.where(free[..., 0], u[..., 0], -np.inf)
    best = np.zeros(top.shape, np.int64)
    anyfree = free[..., 0].copy()
    for k in range(1, u.shape[-1]):
        cand = np.where(free[..., k], u[..., k], -np.inf)
        better = cand > top
        best[better] = k
        top = np.where(better, cand, top)
        anyfree |= free[..., k]
    return best, top, anyfree


def any_slot(free: np.ndarray) -> np.ndarray:
    """Whether any slot is set, over the last axis."""
    out = free[..., 0].copy()
    for k in range(1, free.shape[-1]):
        out |= free[..., k]
    return out
