"""Tipping points: where a state's P(commit) crosses 0.5 along an axis of a grid.

For each axis, the grid is cut into lines along that axis (the other axes held
at each combination of their values). Walking each line in the order the
axis's values are listed, a tipping point is a pair of neighbouring values on
either side of the threshold: the state is *in* (P(commit) >= 0.5) at one and
*out* at the other. For a numeric axis the crossing is also placed by linear
interpolation between the two values (`at`); the bracketing values are what
was computed, the interpolation is only a reading aid.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

THRESHOLD = 0.5
COLUMNS = ["state", "axis", "held", "from", "to", "p_from", "p_to", "change", "at"]


def tipping_points(
    table: pd.DataFrame, axes: list, states: list[str], threshold: float = THRESHOLD
) -> pd.DataFrame:
    """One row per crossing of `threshold` by a state's P(commit) between neighbouring values."""
    rows: list[dict[str, Any]] = []
    paths = [a.path for a in axes]
    for ax in axes:
        others = [p for p in paths if p != ax.path]
        order = {_key(v): i for i, v in enumerate(ax.values)}
        groups = table.groupby(others, sort=False, dropna=False) if others else [((), table)]
        for held_values, line in groups:
            held_values = held_values if isinstance(held_values, tuple) else (held_values,)
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
                        }
                    )
    return pd.DataFrame(rows, columns=COLUMNS)


def _key(v: Any) -> Any:
    """Hashable, type-aware key (so True and 1 stay distinct)."""
    return (type(v).__name__ if isinstance(v, bool) else "v", v)


def _show(v: Any) -> str:
    """A held value as text: true/false, whole floats without '.0'."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
