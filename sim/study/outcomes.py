"""Outcome columns read from a runs table (`runs.csv`), one value per run.

A study names what it explains by a short name (`formed`, `force`,
`commit.IDN`); this module turns the name into numbers so that every study
reads the same column the same way.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.deployed import deployed
from sim.study.names import COMMIT, resolve_outcome

LABELS = {
    "formed": "P(formed)",
    "formed_or_undersized": "P(formed or undersized)",
    "deployed": "P(deployed)",
    "force": "counted force",
}


def label(name: str) -> str:
    """How a reader sees the outcome: 'P(formed)', 'P(commit IDN)'."""
    if name.startswith(COMMIT):
        return f"P(commit {name[len(COMMIT) :]})"
    return LABELS.get(name, name)


def in_coalition(coalition: pd.Series, state: str) -> pd.Series:
    """1.0 where `state` is among the ';'-joined ids of a run's counted coalition."""
    members = coalition.fillna("").astype(str).str.split(";")
    return members.map(lambda ids: float(state in ids))


def outcome_column(runs: pd.DataFrame, name: str, states: list[str]) -> pd.Series:
    """One float per run (indexed like `runs`) for the outcome `name`.

    `formed` and `formed_or_undersized` are 0/1 from the `outcome` column,
    `deployed` is 1 where contingents were in theatre by the end of the watch
    (`deployed_week` set; formed or undersized in a table without it), `force`
    is the counted force, `commit.<STATE>` is 1 when the state's pledge
    counts at the end of the run. Raises ScenarioError for an unknown name.
    """
    name = resolve_outcome(name, states)
    if name == "formed":
        values = (runs["outcome"] == "formed").astype(float)
    elif name == "formed_or_undersized":
        values = runs["outcome"].isin(["formed", "undersized"]).astype(float)
    elif name == "deployed":
        values = deployed(runs).astype(float)
    elif name == "force":
        values = runs["force"].astype(float)
    else:
        values = in_coalition(runs["coalition"], name[len(COMMIT) :])
    return values.rename(name)
