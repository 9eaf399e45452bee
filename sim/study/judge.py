"""Which indices the run count tells apart from "no effect".

An index is told apart when the lower end of its 95% interval lies above the
level a range with no effect would show. Sobol and Morris are computed with
common random numbers (`sim.study.design`): a range with no effect gets exactly
0, so their level is 0. Given-data methods are judged against columns of random
numbers analysed with the ranges (`sim.study.problem.REFERENCES` of them): the
level is the largest index any of them reaches. Delta and PAWN are positive
even for a range with no effect, and with ~150 ranges some would clear a 95%
interval, or 0, by chance alone; the largest of 20 no-effect columns is a bar
chance rarely clears.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.study.names import DESIGNED
from sim.study.problem import is_reference


def zero_level(part: pd.DataFrame, method: str) -> float:
    """The level an index must clear, for one outcome, method and index."""
    ref = part.loc[is_reference(part["parameter"]), "value"]
    if method in DESIGNED or not len(ref):
        return 0.0
    return max(0.0, float(ref.max()))


def judge(table: pd.DataFrame) -> pd.DataFrame:
    """Add `zero_level`, `distinguishable` and `rank` (1 = largest, per outcome/method/index)."""
    parts = []
    for (_, method, _), part in table.groupby(["outcome", "method", "index"], sort=False):
        part = part.copy()
        part["zero_level"] = zero_level(part, method)
        ranked = ~is_reference(part["parameter"])
        part["distinguishable"] = ranked & (part["conf_low"] > part["zero_level"])
        order = part.loc[ranked, "value"].rank(ascending=False, method="first")
        part["rank"] = order.reindex(part.index).astype("Int64")
        parts.append(part.sort_values("rank", na_position="last", kind="stable"))
    out = pd.concat(parts, ignore_index=True)
    out["distinguishable"] = out["distinguishable"].astype(bool) & np.isfinite(out["value"])
    return out
