"""Offered kinds as slots: per-state arrays over the kinds each state offers.

A state's payoff, red-line blocks and pledge are computed for its offered kinds
only (slots); `slot_kind` maps a slot back to the kind vocabulary.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.arrays import Compiled

KIND_PARAMS = ("visibility", "exposure", "risk", "unit", "counts")


def slot_parameters(C: Compiled, P: dict[str, np.ndarray]) -> None:
    """Add slot arrays (R|1, S, Kmax) to P: capacity and the kinds' constants."""
    sk = C.slot_kind
    valid = sk >= 0
    idx = np.maximum(sk, 0)
    cap = np.take_along_axis(
        P["capacity"], np.broadcast_to(idx, (P["capacity"].shape[0], *idx.shape)), 2
    )
    P["slot_capacity"] = np.where(valid, cap, 0.0)
    for name in KIND_PARAMS:
        arr = P[f"kind_{name}"]
        P[f"slot_{name}"] = arr[:, idx]
    # One salience per preference, spread over its entries (a task set has several).
    P["pref_salience"] = P["pref_weight"][:, C.prefs["pref_index"]]


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
