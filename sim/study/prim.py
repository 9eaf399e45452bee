"""PRIM: the Patient Rule Induction Method of Friedman & Fisher (1999).

J. H. Friedman and N. I. Fisher, "Bump hunting in high-dimensional data",
Statistics and Computing 9 (1999) 123-143. As in the EMA Workbench (Kwakkel
2017) and scenario discovery (Bryant & Lempert 2010), the data are the drawn
judgement calls of each run (`x`) and whether a run ended in the outcome of
interest (`y`, true or false); a box is a set of limits on a few columns, and
PRIM looks for boxes where `y` is much more common than in all runs.

Written here rather than taken from `ema_workbench`, whose import emits
warnings (about optional packages it does not need) that this project treats
as errors, and whose major version differs between Python 3.11 and 3.12.

Only peeling is done (no pasting): starting from all runs, each step removes
the slice of about `alpha` of the box's runs (the lowest or highest values of
one numeric column, or one category of a non-numeric column) whose removal
raises the box's share of `y` most per run removed (EMA's "lenient1"
objective). Peeling stops when the share reaches 1 or the next box would
hold less than `mass_min` of all runs. The boxes along the way are the
peeling trajectory: coverage falls as density rises, and the user picks a
box on that trade-off.

Peeling over many columns with few runs also restricts columns by chance, so
`qp_values` gives, per restricted column, the one-sided binomial p-value that
the box is no denser than the same box without that limit (Bryant & Lempert's
"quasi-p" value), and `simplify` drops limits that do not pass it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Limit = tuple[float, float] | frozenset
"""A numeric column's kept range [low, high] (inclusive; ±inf: that side is free), or
a non-numeric column's kept categories."""


@dataclass(frozen=True)
class Box:
    """Limits on some columns, and what the box holds of the data it was found on."""

    limits: dict[str, Limit]
    runs: int
    """Runs inside the box."""
    hits: int
    """Runs inside the box where the outcome happened."""
    total_runs: int
    total_hits: int

    @property
    def density(self) -> float:
        """Share of the box's runs with the outcome."""
        return self.hits / self.runs if self.runs else 0.0

    @property
    def coverage(self) -> float:
        """Share of the outcome's runs that fall in the box."""
        return self.hits / self.total_hits if self.total_hits else 0.0

    @property
    def mass(self) -> float:
        """Share of all runs that fall in the box."""
        return self.runs / self.total_runs if self.total_runs else 0.0


@dataclass
class Data:
    """The columns split by kind, numeric ones as one array, so a peel is a few array
    operations over all columns at once."""

    x: pd.DataFrame
    y: np.ndarray
    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    values: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    """The numeric columns, rows × columns, as floats."""

    @classmethod
    def of(cls, x: pd.DataFrame, y) -> Data:
        y = np.asarray(y, dtype=bool)
        if len(y) != len(x):
            raise ValueError(f"x has {len(x)} rows, y has {len(y)}")
        x = x.reset_index(drop=True)
        numeric = [c for c in x.columns if _is_numeric(x[c])]
        categorical = [c for c in x.columns if c not in numeric]
        values = x[numeric].to_numpy(dtype=float) if numeric else np.empty((len(x), 0))
        return cls(x, y, numeric, categorical, values)


def _is_numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def in_box(x: pd.DataFrame, limits: dict[str, Limit]) -> np.ndarray:
    """True for each row of `x` inside the limits."""
    mask = np.ones(len(x), dtype=bool)
    for col, lim in limits.items():
        values = x[col].to_numpy()
        if isinstance(lim, frozenset):
            mask &= np.isin(values, list(lim))
        else:
            mask &= (values >= lim[0]) & (values <= lim[1])
    return mask


def box_of(data: Data, limits: dict[str, Limit], mask: np.ndarray | None = None) -> Box:
    """The Box for `limits` (`mask`: the rows inside, when already known)."""
    if mask is None:
        mask = in_box(data.x, limits)
    return Box(
        dict(limits), int(mask.sum()), int(data.y[mask].sum()), len(data.y), int(data.y.sum())
    )


@dataclass(frozen=True)
class Peel:
    """One candidate peel: the rows it removes and the limit it sets."""

    gain: float
    column: str
    side: str
    """'low', 'high' (a numeric column's end) or 'drop' (a category)."""
    removed: np.ndarray
    limit: float | frozenset


def _gain(n: int, hits: int, r, rh):
    """Rise of the box's density per run removed (EMA Workbench's 'lenient1' objective)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((hits - rh) / (n - r) - hits / n) / r


def _numeric_best(data: Data, rows: np.ndarray, alpha: float) -> Peel | None:
    """The best peel of about `alpha` of the box's runs off either end of a numeric column."""
    if not data.numeric:
        return None
    v, y = data.values[rows], data.y[rows].astype(float)
    n, hits = len(rows), int(y.sum())
    k = max(1, math.ceil(alpha * n))
    cuts = np.partition(v, sorted({k - 1, n - k}), axis=0)
    best: Peel | None = None
    for side, removed in (("low", v <= cuts[k - 1]), ("high", v >= cuts[n - k])):
        r = removed.sum(axis=0)
        gain = np.where((r > 0) & (r < n), _gain(n, hits, r, y @ removed), -np.inf)
        j = int(np.argmax(gain))
        if np.isfinite(gain[j]) and (best is None or gain[j] > best.gain + 1e-15):
            kept = v[~removed[:, j], j]
            limit = float(kept.min() if side == "low" else kept.max())
            best = Peel(float(gain[j]), data.numeric[j], side, rows[removed[:, j]], limit)
    return best


def _categorical_best(data: Data, rows: np.ndarray) -> Peel | None:
    """The best peel that drops one category still in the box from a non-numeric column."""
    best: Peel | None = None
    n, hits = len(rows), int(data.y[rows].sum())
    for col in data.categorical:
        values = data.x[col].to_numpy()[rows]
        present = sorted(set(values.tolist()), key=str)
        for cat in present if len(present) > 1 else ():
            out = rows[values == cat]
            gain = float(_gain(n, hits, len(out), int(data.y[out].sum())))
            if best is None or gain > best.gain + 1e-15:
                best = Peel(gain, col, "drop", out, frozenset(present) - {cat})
    return best


def _apply(limits: dict[str, Limit], step: Peel) -> dict[str, Limit]:
    out = dict(limits)
    if step.side == "drop":
        out[step.column] = step.limit
        return out
    low, high = out.get(step.column, (-math.inf, math.inf))
    out[step.column] = (step.limit, high) if step.side == "low" else (low, step.limit)
    return out


def peel(x: pd.DataFrame, y, alpha: float = 0.05, mass_min: float = 0.05) -> list[Box]:
    """The peeling trajectory: the box of all runs, then each box peeling leaves.

    Args:
        x: one row per run, one column per parameter (numeric, or categories).
        y: whether each run ended in the outcome of interest.
        alpha: share of the box's runs each peel removes (at least one run).
        mass_min: the smallest share of all runs a box may hold.
    """
    data = Data.of(x, y)
    mask = np.ones(len(data.y), dtype=bool)
    limits: dict[str, Limit] = {}
    boxes = [box_of(data, limits, mask)]
    floor = mass_min * len(data.y)
    while boxes[-1].density < 1.0:
        rows = np.flatnonzero(mask)
        found = [p for p in (_numeric_best(data, rows, alpha), _categorical_best(data, rows)) if p]
        step = max(found, key=lambda p: p.gain, default=None)  # ties: the numeric peel
        if step is None or len(rows) - len(step.removed) < floor:
            break
        mask = mask.copy()
        mask[step.removed] = False
        limits = _apply(limits, step)
        boxes.append(box_of(data, limits, mask))
    return boxes


def _masks(x: pd.DataFrame, limits: dict[str, Limit]) -> dict[str, np.ndarray]:
    """Per limit, the rows of `x` it keeps."""
    return {c: in_box(x, {c: lim}) for c, lim in limits.items()}


def _all(masks: list[np.ndarray], n: int) -> np.ndarray:
    return np.logical_and.reduce(masks) if masks else np.ones(n, dtype=bool)


def qp_values(x: pd.DataFrame, y, box: Box) -> dict[str, float]:
    """Per limit, the one-sided binomial p-value that it does not raise the density.

    The box's hits among its runs are compared with the density of the same box
    without that limit (Bryant & Lempert 2010; EMA Workbench's qp-values).
    """
    y = np.asarray(y, dtype=bool)
    masks = _masks(x, box.limits)
    out = {}
    for col in masks:
        wider = _all([m for c, m in masks.items() if c != col], len(y))
        out[col] = binomial_tail(box.hits, box.runs, float(y[wider].mean()))
    return out


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed exactly in logs (no scipy import needed)."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    logfact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n + 1)))])
    i = np.arange(k, n + 1)
    logpmf = logfact[n] - logfact[i] - logfact[n - i] + i * math.log(p) + (n - i) * math.log1p(-p)
    return float(min(1.0, np.exp(logpmf).sum()))


def simplify(x: pd.DataFrame, y, box: Box, p: float = 0.05) -> Box:
    """Drop, one at a time, the limit least worth keeping until every qp-value is below `p`.

    A limit peeling set by chance (its qp-value at `p` or above) would be read as a
    condition of the outcome; dropping it widens the box with little loss of density.
    """
    y = np.asarray(y, dtype=bool)
    while box.limits:
        qp = qp_values(x, y, box)
        col = max(qp, key=lambda c: (qp[c], c))
        if qp[col] < p:
            break
        limits = {c: v for c, v in box.limits.items() if c != col}
        mask = _all(list(_masks(x, limits).values()), len(y))
        box = Box(limits, int(mask.sum()), int(y[mask].sum()), len(y), int(y.sum()))
    return box


def restricted(box: Box, x: pd.DataFrame) -> dict[str, Limit]:
    """The limits that exclude some runs of `x` (a side at the data's edge is made free)."""
    out: dict[str, Limit] = {}
    for col, lim in box.limits.items():
        values = x[col]
        if isinstance(lim, frozenset):
            if set(values.unique().tolist()) - lim:
                out[col] = lim
            continue
        low = lim[0] if lim[0] > values.min() else -math.inf
        high = lim[1] if lim[1] < values.max() else math.inf
        if (low, high) != (-math.inf, math.inf):
            out[col] = (low, high)
    return out
