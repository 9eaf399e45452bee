"""Tipping points: where a state's P(commit) crosses 0.5 along an axis of a grid.

For each axis, the grid is cut into lines along that axis (the other axes held
at each combination of their values). Walking each line in the order the
axis's values are listed, a tipping point is a pair of neighbouring values on
either side of the threshold: the state is *in* (P(commit) >= 0.5) at one and
*out* at the other. For a numeric axis the crossing is also placed by linear
interpolation between the two values (`at`); the bracketing values are what
was computed, the interpolation is only a reading aid.

Each share is an estimate from the sweep's runs per point: a tipping point is
*resolved* only when the 95% Wilson intervals at both values exclude the
threshold; otherwise it may be noise, and `runs_to_resolve` says how many runs
per point would tell (with the shares as estimated).

An axis value may itself be a range (`values: [[0.2, 0.4], [0.6, 0.8]]`):
values are matched and grouped by a hashable key, so lists work as well as
numbers, levels and booleans.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.numbers import resolved, runs_to_resolve

THRESHOLD = 0.5
COLUMNS = [
    "state",
    "axis",
    "held",
    "from",
    "to",
    "p_from",
    "p_to",
    "change",
    "at",
    "resolved",
    "runs_to_resolve",
]


def _lines(table: pd.DataFrame, others: list[str]):
    """The table cut by the values of the `others` columns, in order of appearance:
    (held values, rows). Grouped by `_key`, so a list value (a range) is a key too."""
    if not others:
        return [((), table)]
    if table.empty:
        return []
    keys = table[others].apply(lambda row: tuple(_key(v) for v in row), axis=1)
    out: dict[tuple, list[int]] = {}
    for pos, k in enumerate(keys):
        out.setdefault(k, []).append(pos)
    return [
        (tuple(_plain(table.iloc[rows[0]][p]) for p in others), table.iloc[rows])
        for rows in out.values()
    ]


def _plain(v: Any) -> Any:
    """A numpy scalar as the Python value it holds (np.True_ → True)."""
    return v.item() if isinstance(v, np.generic) else v


def tipping_points(
    table: pd.DataFrame,
    axes: list,
    states: list[str],
    threshold: float = THRESHOLD,
    runs: int | None = None,
) -> pd.DataFrame:
    """One row per crossing of `threshold` by a state's P(commit) between neighbouring values.

    With `runs` (runs per point), each row says whether both shares are told
    apart from the threshold at that run count (`resolved`) and, if not, the run
    count that would (`runs_to_resolve`, the larger of the two ends).
    """
    rows: list[dict[str, Any]] = []
    paths = [a.path for a in axes]
    for ax in axes:
        others = [p for p in paths if p != ax.path]
        order = {_key(v): i for i, v in enumerate(ax.values)}
        for held_values, line in _lines(table, others):
            line = line[line[ax.path].map(_key).isin(order)]
            line = line.assign(
                _o=line[ax.path].map(lambda v, order=order: order[_key(v)])
            ).sort_values("_o")
            line = line.drop_duplicates("_o")
            held = "; ".join(f"{p} = {_show(v)}" for p, v in zip(others, held_values, strict=True))
            values = list(line[ax.path])
            for code in states:
                p = [float(x) for x in line[f"p_commit.{code}"]]
                for i in range(len(p) - 1):
                    before, after = p[i] >= threshold, p[i + 1] >= threshold
                    if before == after:
                        continue
                    at = None
                    if ax.numeric and p[i + 1] != p[i]:
                        frac = (threshold - p[i]) / (p[i + 1] - p[i])
                        at = round(values[i] + frac * (values[i + 1] - values[i]), 6)
                    ok, need = _resolution([p[i], p[i + 1]], runs, threshold)
                    rows.append(
                        {
                            "state": code,
                            "axis": ax.path,
                            "held": held,
                            "from": values[i],
                            "to": values[i + 1],
                            "p_from": p[i],
                            "p_to": p[i + 1],
                            "change": "joins" if after else "leaves",
                            "at": at,
                            "resolved": ok,
                            "runs_to_resolve": need,
                        }
                    )
    return pd.DataFrame(rows, columns=COLUMNS)


def _resolution(ps: list[float], runs: int | None, threshold: float) -> tuple[Any, Any]:
    """(resolved, runs_to_resolve) for a crossing between shares `ps` at `runs` runs."""
    if runs is None:
        return None, None
    if all(resolved(p, runs, threshold) for p in ps):
        return True, None
    needs = [runs_to_resolve(p, threshold) for p in ps if not resolved(p, runs, threshold)]
    return False, (max(needs) if all(n is not None for n in needs) else None)


def _key(v: Any) -> Any:
    """Hashable, type-aware key (so True and 1 stay distinct; a list is a tuple)."""
    v = _plain(v)
    if isinstance(v, list | tuple):
        return ("seq", tuple(_key(x) for x in v))
    return (type(v).__name__ if isinstance(v, bool) else "v", v)


def _show(v: Any) -> str:
    """A held value as text: true/false, whole floats without '.0'."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
