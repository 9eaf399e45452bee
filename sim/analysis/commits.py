"""P(commit) per state from the commits table, written once.

The commits table has one row per state and kind: `p_commit` is the share of
runs in which the state ended committed with that kind, as its lead kind or as
a part of its package (`sim.rules.packages`); `p_lead` is the share in which it
was the lead kind. A committed state has exactly one lead kind, so a state's
P(commit) is the sum of `p_lead`; summing `p_commit` would count a package once
per kind. Folders written before packages existed have no `p_lead` column, and
there the two are the same.
"""

from __future__ import annotations

import pandas as pd


def commit_column(commits: pd.DataFrame) -> str:
    """The column whose sum over a state's kinds is its P(commit)."""
    return "p_lead" if "p_lead" in commits.columns else "p_commit"


def by_state(commits: pd.DataFrame) -> pd.Series:
    """P(commit) per state (indexed by state code), any kind."""
    return commits.groupby("state", sort=False)[commit_column(commits)].sum()


def state_share(rows: pd.DataFrame) -> float:
    """P(commit) of one state from its rows of the commits table."""
    return float(rows[commit_column(rows)].sum())


def shares_by_state(commits: pd.DataFrame) -> tuple[dict[str, list[int]], dict[str, float]]:
    """Each state's rows (positions, in the table's order) and its P(commit), the sum
    of those rows as `state_share` adds them (numpy's sum, which pandas' is), without
    a frame per state: a sweep reads it once per point."""
    column = commits[commit_column(commits)].to_numpy(float)
    rows: dict[str, list[int]] = {}
    for i, code in enumerate(commits["state"].tolist()):
        rows.setdefault(code, []).append(i)
    return rows, {code: float(column[at].sum()) for code, at in rows.items()}
