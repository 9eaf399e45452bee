"""Offered kinds as slots: per-state arrays over the kinds each state offers.

A state's payoff, red-line blocks and pledge are computed for its offered kinds
only (slots); `slot_kind` maps a slot back to the kind vocabulary.
"""

from __future__ import annotations

import functools

import numpy as np

from sim.rules import short_axis
from sim.scenario.arrays import Compiled


def to_kind(C: Compiled, slot: np.ndarray) -> np.ndarray:
    """Slot index (R, S) to kind index (R, S)."""
    return pick(C.slot_kind[None], slot)


def pick(arr: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """Value of a (R|1, S, Kmax) array at each state's slot (R, S).

    A selection, so any way of writing it gives the same values. This one takes
    from the flat array at (run, state, slot) offsets, about four times faster than
    `take_along_axis` over so short a last axis (two or three offered kinds)."""
    R, S = slot.shape
    flat = np.ascontiguousarray(arr).reshape(-1)
    return flat.take(_offsets(R if arr.shape[0] > 1 else 1, R, S, arr.shape[2]) + slot)


@functools.lru_cache(maxsize=64)
def _offsets(runs: int, R: int, S: int, K: int) -> np.ndarray:
    """(R, S) offsets of each (run, state)'s first slot in a flat (runs, S, K) array
    (runs 1: one row shared by every run)."""
    per_run = np.arange(S, dtype=np.intp) * K
    if runs == 1:
        return np.broadcast_to(per_run, (R, S))
    out = np.arange(R, dtype=np.intp)[:, None] * (S * K) + per_run[None, :]
    out.flags.writeable = False
    return out


def best_slot(u: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best free slot, its payoff (-inf if none) and whether any is free, over the last axis.

    The first maximum wins, as with argmax; a slot not free counts as -inf. Slot by
    slot over the few slots (`short_axis`), several times faster than numpy's
    reductions over so short an axis.
    """
    best, top = short_axis.largest_last(np.where(free, u, -np.inf))
    return best, top, short_axis.any_last(free)
