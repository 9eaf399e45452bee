"""SALib's sensitivity methods, each returning tidy rows with a 95% interval.

Given-data methods (`delta`, `pawn`, `rbd_fast`) read any sample of runs, such
as a results folder's `params.csv` and `runs.csv`. Design methods (`sobol`,
`morris`) need runs at points SALib chooses (`sim.study.design`).

Every index carries an interval: SALib's own `conf` (a half-width from
bootstrap resamples) where it gives one, and for PAWN, which gives none, the
2.5–97.5% percentiles of SALib's index over bootstrap resamples of the runs.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd

from sim.study.problem import factors

MAIN_INDEX = {
    "delta": "delta",
    "pawn": "pawn",
    "rbd_fast": "S1",
    "sobol": "ST",
    "morris": "mu_star",
}
"""The index each method's table is ranked by."""

LEVEL = 0.95
RESAMPLES = {"delta": 50, "pawn": 50, "rbd_fast": 100, "sobol": 100, "morris": 100}
"""Bootstrap resamples per method: delta and PAWN recompute every index per resample
(seconds per outcome for 150 ranges), the others only cheap sums."""
SLIDES = 10
"""PAWN's conditioning intervals (SALib's default)."""
KS_EXACT_N = 10_000
"""Runs up to which scipy's `ks_2samp` (mode 'auto', as SALib's PAWN calls it) is exact."""

DELTA_NOTICES = re.compile(r"Bin Merge Notice|Potential Bias Notice|bins skipped")
"""Notes SALib's delta also returns in its `notes` field; warned once per parameter."""


def rows(names: list[str], index: str, value, half=None, lo=None, hi=None) -> pd.DataFrame:
    """Tidy rows: parameter, index, value and the interval's ends."""
    value = np.asarray(value, dtype=float)
    if half is not None:
        half = np.asarray(half, dtype=float)
        lo, hi = value - half, value + half
    return pd.DataFrame(
        {
            "parameter": names,
            "index": index,
            "value": value,
            "conf_low": np.asarray(lo, dtype=float),
            "conf_high": np.asarray(hi, dtype=float),
        }
    )


@contextlib.contextmanager
def own_numpy_state() -> Iterator[None]:
    """Keep numpy's global random state as it was: SALib's delta and PAWN seed it."""
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


@contextlib.contextmanager
def delta_notices() -> Iterator[None]:
    """Run SALib's delta without its notices reaching the user as warnings.

    delta warns about bin merging and raw-vs-balanced differences (the same text
    is in its result's `notes`), and it changes the process's warning filter and
    format; both are restored here. Any other warning is raised again as it was.
    """
    formatter = warnings.formatwarning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            warnings.formatwarning = formatter
    for w in caught:
        if not DELTA_NOTICES.search(str(w.message)):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def given_problem(names: list[str], X: np.ndarray) -> dict:
    """SALib's problem for a given sample: bounds are the sample's own extent."""
    bounds = [[float(X[:, i].min()), float(X[:, i].max())] for i in range(len(names))]
    return {"num_vars": len(names), "names": list(names), "bounds": bounds}


def delta(names: list[str], X: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Borgonovo's delta (Plischke's bias-reduced estimate, SALib's `delta_raw`)."""
    from SALib.analyze import delta as salib_delta

    with own_numpy_state(), delta_notices():
        S = salib_delta.analyze(
            given_problem(names, X),
            X,
            y,
            num_resamples=RESAMPLES["delta"],
            conf_level=LEVEL,
            seed=seed,
            method="delta",
        )
    return rows(names, "delta", S["delta_raw"], S["delta_raw_conf"])


def pawn_median(X: np.ndarray, y: np.ndarray, S: int = SLIDES) -> np.ndarray:
    """SALib's PAWN `median` (`SALib.analyze.pawn.analyze(...)["median"]`), the same
    numbers computed as arrays.

    For each column, the runs are cut into S slides at the column's quantiles
    (SALib's [q_s, q_s+1) slices), and each slide's outcome distribution is
    compared with all runs' by the Kolmogorov-Smirnov statistic, the largest gap
    between the two empirical CDFs over the outcome's values (what scipy's
    `ks_2samp` computes, from the same counts); the index is the median over
    slides. SALib calls `ks_2samp` once per column and slide, which makes its
    bootstrap interval take most of a study's time; here one slide matrix per column.
    """
    n, D = X.shape
    values, codes = np.unique(y, return_inverse=True)
    onehot = np.zeros((n, len(values)))
    onehot[np.arange(n), codes.ravel()] = 1.0
    whole = np.cumsum(onehot.sum(axis=0)) / n
    step = 1 / S
    seq = np.arange(0, 1 + step, step)  # as SALib cuts them
    out = np.full(D, np.nan)
    for d in range(D):
        x = X[:, d]
        q = np.nanquantile(x, seq)
        inside = (x >= q[:S, None]) & (x < q[1 : S + 1, None])  # S × n
        sizes = inside.sum(axis=1)
        used = sizes > 0
        if not used.any():
            continue
        n1 = sizes[used]
        counts = np.cumsum(inside[used].astype(float) @ onehot, axis=1)
        ks = np.abs(counts / n1[:, None] - whole).max(axis=1)
        if n <= KS_EXACT_N:  # scipy's exact mode states the gap as h / lcm(n1, n)
            lcm = (n1 // np.gcd(n1, n)) * n
            ks = np.round(ks * lcm) * 1.0 / lcm
        out[d] = np.median(ks)
    return out


def pawn(names: list[str], X: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """PAWN (median Kolmogorov-Smirnov distance over slides), with a bootstrap interval."""
    point = pawn_median(X, y, SLIDES)
    rng = np.random.default_rng(seed)
    n = len(y)
    boot = np.array(
        [pawn_median(X[i], y[i], SLIDES) for i in rng.integers(0, n, (RESAMPLES["pawn"], n))]
    )
    lo, hi = np.nanpercentile(boot, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2], axis=0)
    return rows(names, "pawn", point, lo=lo, hi=hi)


def rbd_fast(names: list[str], X: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """First-order index S1 by random balance designs (FAST), from given data."""
    from SALib.analyze import rbd_fast as salib_rbd

    S = salib_rbd.analyze(
        given_problem(names, X),
        X,
        y,
        num_resamples=RESAMPLES["rbd_fast"],
        conf_level=LEVEL,
        seed=seed,
    )
    return rows(names, "S1", S["S1"], S["S1_conf"])


class ConstantBaseError(ValueError):
    """The outcome is the same in every base sample of a Saltelli design, so its
    variance, and every Sobol index, cannot be estimated from this design."""


def sobol_base_varies(problem: dict, y: np.ndarray) -> bool:
    """Whether the outcome varies over the design's base samples (A and B), the
    denominator of every Sobol index (Saltelli et al. 2010)."""
    blocks = len(factors(problem)) + 2  # A, one AB per factor, B
    y = np.asarray(y, float).reshape(-1, blocks)
    return bool(np.ptp(np.r_[y[:, 0], y[:, -1]]) > 0)


def sobol(problem: dict, X: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """First-order S1 and total ST Sobol indices from a Saltelli sample (no 2nd order)."""
    from SALib.analyze import sobol as salib_sobol

    if not sobol_base_varies(problem, y):
        raise ConstantBaseError("the outcome is the same in every base sample; raise --runs")
    with warnings.catch_warnings():
        # Some bootstrap resamples of a few base samples hold one value only; SALib
        # counts such a resample as 0 (widening the interval) and warns for each.
        warnings.filterwarnings("ignore", message="Constant values encountered")
        S = salib_sobol.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=RESAMPLES["sobol"],
            conf_level=LEVEL,
            seed=seed,
        )
    names = factors(problem)
    return pd.concat(
        [rows(names, "S1", S["S1"], S["S1_conf"]), rows(names, "ST", S["ST"], S["ST_conf"])],
        ignore_index=True,
    )


def morris(problem: dict, X: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Morris' mu* (mean absolute elementary effect per full width of a range)."""
    from SALib.analyze import morris as salib_morris

    S = salib_morris.analyze(
        problem,
        X,
        y,
        num_resamples=RESAMPLES["morris"],
        conf_level=LEVEL,
        num_levels=4,
        seed=seed,
    )
    return rows(factors(problem), "mu_star", S["mu_star"], S["mu_star_conf"])


FUNCTIONS = {"delta": delta, "pawn": pawn, "rbd_fast": rbd_fast, "sobol": sobol, "morris": morris}


def analyse(method: str, spec, X: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """One method on one outcome (also a worker's task).

    `spec` is the list of column names for a given-data method, SALib's problem
    for a design method."""
    return FUNCTIONS[method](spec, X, y, seed)
