"""The troops demands credit to each concession: numpy's sum over the states, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rules.decide import _credited_numpy, credited


def _case(rng, R: int, S: int, n: int, ask: float):
    """Demands (R, S) (-1 for none) and pledges (R, S, n) over many orders of magnitude,
    with zeros of both signs: an order of additions other than numpy's shows."""
    demand = np.where(rng.random((R, S)) < ask, rng.integers(0, n, (R, S)), -1)
    pledge_if = rng.random((R, S, n)) * 10.0 ** rng.uniform(-6, 6, (R, S, n))
    pledge_if[rng.random((R, S, n)) < 0.1] = 0.0
    pledge_if[rng.random((R, S, n)) < 0.05] = -0.0
    return demand, pledge_if


@pytest.mark.parametrize(("S", "n"), [(16, 9), (5, 3), (12, 1), (30, 4)])
def test_the_sums_are_numpys_bytes(S, n) -> None:
    """Runs where one, two, three or more states demand one concession, at any places
    among the states (numpy pairs the states' sums from eight states on)."""
    rng = np.random.default_rng(17)
    for ask in (0.1, 0.5, 0.9):
        demand, pledge_if = _case(rng, 3000, S, n, ask)
        got, want = credited(demand, pledge_if), _credited_numpy(demand, pledge_if)
        assert got.shape == want.shape and got.tobytes() == want.tobytes()


def test_three_demands_of_one_concession_are_summed_as_numpy_sums_them() -> None:
    """Three pledges added in the states' order differ from numpy's pairwise sum in some
    runs; those runs are the ones `credited` leaves to numpy."""
    rng = np.random.default_rng(5)
    R, S = 4000, 16
    demand = np.full((R, S), -1)
    places = np.argsort(rng.random((R, S)), axis=1)[:, :3]
    np.put_along_axis(demand, places, 0, axis=1)
    pledge_if = rng.random((R, S, 1)) * 10.0 ** rng.uniform(-8, 8, (R, S, 1))
    in_order = np.zeros(R)
    for s in range(S):
        in_order = in_order + np.where(demand[:, s] == 0, pledge_if[:, s, 0], 0.0)
    want = _credited_numpy(demand, pledge_if)
    assert (in_order != want[:, 0]).any()
    assert credited(demand, pledge_if).tobytes() == want.tobytes()


def test_no_demand_and_no_concession() -> None:
    demand = np.full((4, 3), -1)
    assert credited(demand, np.ones((4, 3, 2))).tobytes() == np.zeros((4, 2)).tobytes()
    assert credited(demand, np.ones((4, 3, 0))).shape == (4, 0)
