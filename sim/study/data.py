"""The runs a study reads: a results folder, a fresh ensemble, or a design.

Given-data methods read one row per run: the values drawn (`params.csv`) and
how the run ended (`runs.csv`). A folder written for another version of the
scenario is refused when its columns are not the scenario's ranges.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.scenario.errors import ScenarioError, shown

NEEDED = ("params.csv", "runs.csv")


def read_folder(folder: Path, names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(params, runs) of a results folder, rows matched by run; ScenarioError if unusable."""
    where = f"--from {str(folder)!r}"
    if not folder.is_dir():
        raise ScenarioError("expected a results folder written by 'forcegen run'", where)
    for name in NEEDED:
        if not (folder / name).is_file():
            raise ScenarioError(f"no {name} (expected a folder written by 'forcegen run')", where)
    try:
        params = pd.read_csv(folder / "params.csv")
        runs = pd.read_csv(folder / "runs.csv", keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise ScenarioError(f"cannot read the tables ({exc})", where) from None
    check_columns(params, runs, names, where)
    check_values(params, where)
    runs = runs.set_index("run").loc[params["run"]].reset_index()
    return params, runs


def check_values(params: pd.DataFrame, where: str, file: str = "") -> None:
    """Every value of params.csv a finite number, as `forcegen run` writes them: a folder
    edited by hand (a word, inf or an empty cell) is refused, naming the first such
    cell, rather than read as a category or carried into a study's numbers."""
    for column in params.columns:
        values = pd.to_numeric(params[column], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            cell = params[column].iloc[bad[0]]
            cell = shown(cell) if isinstance(cell, str) else repr(float(cell))  # inf, nan
            raise ScenarioError(
                f"params.csv, column {column!r}, row {bad[0] + 1}: expected a finite "
                f"number, got {cell}",
                where,
                file,
            )


def check_columns(params: pd.DataFrame, runs: pd.DataFrame, names: list[str], where: str) -> None:
    """The folder's params.csv holds this scenario's ranges, and runs.csv the same runs."""
    missing = [n for n in names if n not in params.columns]
    if "run" not in params.columns or missing:
        shown = f" (e.g. {missing[0]!r})" if missing else ""
        raise ScenarioError(
            f"params.csv lacks {len(missing) or 'the run'} column(s) of this scenario{shown}; "
            "was it written for another scenario?",
            where,
        )
    need = {"run", "outcome", "force", "coalition"}
    if not need <= set(runs.columns):
        raise ScenarioError(f"runs.csv lacks {sorted(need - set(runs.columns))}", where)
    if set(params["run"]) - set(runs["run"]) or not len(params):
        raise ScenarioError("params.csv and runs.csv do not hold the same runs", where)
