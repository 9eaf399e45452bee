"""Reductions over a short last axis: numpy's numbers, without numpy's per-element cost.

The rules reduce many arrays over a last axis of a few entries: a state's offered
kinds (3 in the flagship), the veto players (2), the hosts (1). numpy reduces such
an axis output element by output element, about 15 ns each: `parts_counted.sum(axis=2)`
of 2,000 runs' (2000, 16, 3) takes 0.5 ms, adding its three slices 0.03 ms
(docs/performance.md, "Reductions over a short axis"). Over an axis shorter than
`SHORT`, numpy adds in the order of the entries, from zero, ((0 + a0) + a1) + a2, so
adding the slices in that order gives the same bytes; from `SHORT` entries on numpy sums
pairwise, and numpy is called. `any`, `all` and the first largest entry give the
same result in any order; so does `min`, but for the sign of a zero minimum among
zeros of both signs, which numpy's own reduction takes from the processor's vector
instructions (it differs between machines) and `min_last` from `np.minimum` taking
the entries in order. `tests/rules/test_short_axis.py` checks each against numpy on
random arrays of many shapes and layouts.
"""

from __future__ import annotations

import numpy as np

SHORT = 8
"""From this many entries numpy sums pairwise (8 partial sums), not in order."""


def _short(a: np.ndarray) -> bool:
    """An array of runs (or runs and states) whose last axis has entries and fewer than
    `SHORT`: a 1-D array is left to numpy, whose reduction of it is a scalar."""
    return a.ndim >= 2 and 0 < a.shape[-1] < SHORT


def sum_last(a: np.ndarray) -> np.ndarray:
    """`a.sum(axis=-1)` of a float or boolean array (booleans counted as integers)."""
    a = np.asarray(a)
    if not _short(a) or a.dtype not in (np.float64, np.bool_):
        return a.sum(axis=-1)
    # A copy; numpy starts from its identity, 0, and 0.0 + -0.0 is 0.0.
    out = a[..., 0].astype(np.int_) if a.dtype == np.bool_ else a[..., 0] + 0.0
    for k in range(1, a.shape[-1]):
        out += a[..., k]
    return out


def any_last(a: np.ndarray) -> np.ndarray:
    """`a.any(axis=-1)` of a boolean array."""
    return _fold(a, np.logical_or, "any")


def all_last(a: np.ndarray) -> np.ndarray:
    """`a.all(axis=-1)` of a boolean array."""
    return _fold(a, np.logical_and, "all")


def min_last(a: np.ndarray) -> np.ndarray:
    """`a.min(axis=-1)`: the same value (a NaN entry gives NaN, as numpy's); where the
    minimum is a zero and the entries hold zeros of both signs, the sign `np.minimum`
    gives taking the entries in order (on x86, the later of two zeros), not the one
    numpy's reduction takes from the processor's vector instructions."""
    return _fold(a, np.minimum, "min")


def argmax_last(a: np.ndarray) -> np.ndarray:
    """`a.argmax(axis=-1)` of a float array (`largest_last`'s index)."""
    return largest_last(a)[0]


def largest_last(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first largest entry of a float array along its last axis: its index, as
    `a.argmax(axis=-1)` gives it, and its value (that entry itself: of 0.0 and -0.0,
    the first). numpy's own for an array with a NaN, which numpy takes as the largest."""
    a = np.asarray(a)
    if not _short(a) or a.dtype != np.float64 or np.isnan(a).any():
        index = a.argmax(axis=-1)
        return index, np.take_along_axis(a, np.expand_dims(index, -1), -1)[..., 0]
    value = a[..., 0].copy()
    index = np.zeros(value.shape, np.intp)
    for k in range(1, a.shape[-1]):
        better = a[..., k] > value
        index[better] = k
        value = np.where(better, a[..., k], value)
    return index, value


def _fold(a: np.ndarray, op: np.ufunc, name: str) -> np.ndarray:
    """`op` applied along the last axis slice by slice, or numpy's own reduction."""
    a = np.asarray(a)
    if not _short(a) or (name in ("any", "all") and a.dtype != np.bool_):
        return getattr(a, name)(axis=-1)
    out = a[..., 0].copy()
    for k in range(1, a.shape[-1]):
        op(out, a[..., k], out=out)
    return out
