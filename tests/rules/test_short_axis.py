"""Reductions over a short last axis give numpy's numbers, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rules import short_axis

SHAPES = [(1, 3), (5, 2), (2000, 3), (1, 16, 3), (7, 16, 1), (300, 16, 7), (40, 9, 2), (3, 4, 8)]


def _floats(rng, shape) -> np.ndarray:
    """Values over sixteen orders of magnitude, signed, with some zeros of both signs: an
    order of additions other than numpy's would show in the last bits."""
    a = rng.standard_normal(shape) * 10.0 ** rng.uniform(-8, 8, shape)
    a[rng.random(shape) < 0.1] = 0.0
    a[rng.random(shape) < 0.05] = -0.0
    return a


def _same(got: np.ndarray, want: np.ndarray) -> None:
    """The same dtype, shape and bytes (so -0.0 is not 0.0)."""
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("shape", SHAPES)
def test_sums_are_numpys_bytes(shape) -> None:
    rng = np.random.default_rng(17)
    for _ in range(20):
        a = _floats(rng, shape)
        _same(short_axis.sum_last(a), a.sum(axis=-1))
        b = rng.random(shape) < 0.4
        _same(short_axis.sum_last(b), b.sum(axis=-1))


@pytest.mark.parametrize("shape", SHAPES)
def test_any_all_and_min_are_numpys(shape) -> None:
    rng = np.random.default_rng(17)
    for p in (0.0, 0.2, 0.9, 1.0):
        b = rng.random(shape) < p
        _same(short_axis.any_last(b), b.any(axis=-1))
        _same(short_axis.all_last(b), b.all(axis=-1))
    a = _floats(rng, shape)
    a[rng.random(shape) < 0.02] = np.nan
    got, want = short_axis.min_last(a), a.min(axis=-1)
    assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=True)
    # A zero minimum among zeros of both signs has the sign numpy's vector instructions
    # give, which differs between processors; everywhere else, numpy's bytes.
    nonzero = want != 0
    _same(got[nonzero], want[nonzero])


def test_a_zero_minimum_takes_its_sign_from_the_entries_in_order() -> None:
    # The last row's minimum is -0.0 by numpy's reduction on an AMD EPYC, 0.0 in order.
    rows = ([0.0, -0.0], [-0.0, 0.0], [0.0, 0.0, -0.0], [1.0, -0.0, 0.0],
            [1.0, 2.0, -0.0, 0.0, 3.0, 4.0, 5.0])  # fmt: skip
    for row in rows:
        a = np.array([row] * 3)
        want = a[:, 0].copy()
        for k in range(1, a.shape[1]):
            want = np.minimum(want, a[:, k])
        _same(short_axis.min_last(a), want)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_first_largest_entry_is_numpys(shape) -> None:
    """Ties (the first wins), -inf for a kind not offered, zeros of both signs, and an
    array with a NaN (numpy's own answer)."""
    rng = np.random.default_rng(17)
    a = rng.choice([-np.inf, -1.0, -0.0, 0.0, 0.5, 2.0], shape)
    _same(short_axis.argmax_last(a), a.argmax(axis=-1))
    b = _floats(rng, shape)
    _same(short_axis.argmax_last(b), b.argmax(axis=-1))
    b.reshape(-1, shape[-1])[0, -1] = np.nan  # numpy takes it as the largest
    _same(short_axis.argmax_last(b), b.argmax(axis=-1))


def test_slices_and_transposed_arrays_are_numpys_bytes() -> None:
    """A view (every other state, a transposed block) reduces as numpy reduces it."""
    rng = np.random.default_rng(3)
    a = _floats(rng, (200, 16, 12))
    for view in (a[:, ::2, :5], a[..., 3:6], a.transpose(0, 2, 1)[..., :4]):
        _same(short_axis.sum_last(view), view.sum(axis=-1))


def test_the_slices_are_added_in_order_only_below_numpys_pairwise_length() -> None:
    """At 8 entries numpy sums pairwise, and differs from adding in order: numpy is
    called there (the helper's bytes are numpy's; adding in order would not be)."""
    rng = np.random.default_rng(5)
    a = _floats(rng, (5000, 8))
    in_order = a[:, 0].copy()
    for k in range(1, 8):
        in_order += a[:, k]
    assert (in_order != a.sum(axis=-1)).any()
    _same(short_axis.sum_last(a), a.sum(axis=-1))


def test_other_arrays_are_left_to_numpy() -> None:
    """A 1-D array, an empty axis, integers and float32 give numpy's own results."""
    rng = np.random.default_rng(9)
    one = _floats(rng, (5,))
    assert short_axis.sum_last(one) == one.sum() and np.ndim(short_axis.sum_last(one)) == 0
    _same(short_axis.sum_last(np.zeros((4, 0))), np.zeros((4, 0)).sum(axis=-1))
    _same(short_axis.any_last(np.zeros((4, 0), bool)), np.zeros((4, 0), bool).any(axis=-1))
    ints = rng.integers(-5, 5, (30, 3)).astype(np.int32)
    _same(short_axis.sum_last(ints), ints.sum(axis=-1))
    f32 = _floats(rng, (30, 3)).astype(np.float32)
    _same(short_axis.sum_last(f32), f32.sum(axis=-1))
    counts = rng.integers(0, 3, (30, 3))
    _same(short_axis.any_last(counts), counts.any(axis=-1))
