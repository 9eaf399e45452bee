"""Which runs deployed, and when: read from the runs table in one place.

A run *deployed* when its first contingents were in theatre by the end of the
watch: `runs.deployed_week` is set (`sim.rules.deployment`). The summary, the
deployment chart, compare and sweep all ask here, so "deployed" has one
meaning whatever table they read: one just computed (a nullable integer), one
read back from a CSV (blank, so NaN, where none arrived) or from Parquet, or
one written before the deployment stage existed (no column: a formed run
counts as deployed, as it did then).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def week(runs: pd.DataFrame) -> pd.Series:
    """The week each run's first contingents arrived, as floats (NaN: none arrived)."""
    if "deployed_week" not in runs:
        formed = runs["outcome"].astype(str) != "stalled"
        return runs["rounds"].astype(float).where(formed)
    col = runs["deployed_week"]
    if col.dtype == object:  # blanks read back as text
        col = col.replace("", np.nan)
    return pd.to_numeric(col, errors="coerce").astype(float)


def deployed(runs: pd.DataFrame) -> pd.Series:
    """(runs,) bool: the run's contingents were in theatre by the end of the watch."""
    return week(runs).notna()
