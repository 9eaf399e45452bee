"""The runs a study reads: a results folder, a fresh ensemble, or a design.

Given-data methods read one row per run: the values drawn (`params.csv`) and
how the run ended (`runs.csv`). A folder written for another scenario (its
manifest says so) or another version of it (its columns are not the scenario's
ranges, or a value lies outside its range) is refused, and so is one edited by
hand so that its tables no longer read as `forcegen run` wrote them (a run
missing from one table or listed twice, an outcome that is not one, a force that
is not a finite number >= 0, a state that is not the scenario's).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.scenario.errors import ScenarioError, shown, suggest

NEEDED = ("params.csv", "runs.csv")
ENDINGS = ("formed", "undersized", "stalled")
"""How a run ends (`runs.csv`'s `outcome` column)."""


def read_folder(
    folder: Path, ranges: pd.DataFrame, scenario: str | None = None, states: list[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(params, runs) of a results folder, rows matched by run; ScenarioError if unusable.

    `ranges` is the scenario's ranges table (`parameter`, `low`, `high`); `scenario`
    its name (a folder whose manifest names another is refused); `states` its ids.
    """
    where = f"--from {str(folder)!r}"
    if not folder.is_dir():
        raise ScenarioError("expected a results folder written by 'forcegen run'", where)
    for name in NEEDED:
        if not (folder / name).is_file():
            raise ScenarioError(f"no {name} (expected a folder written by 'forcegen run')", where)
    if scenario is not None:
        check_manifest(folder, scenario, where)
    tables = []
    for name, options in (("params.csv", {}), ("runs.csv", {"keep_default_na": False})):
        try:
            tables.append(pd.read_csv(folder / name, **options))
        except (ValueError, UnicodeDecodeError) as exc:  # pandas' parser errors are ValueErrors
            why = " ".join(str(exc).split()) or type(exc).__name__
            raise ScenarioError(f"{name} cannot be read as a table ({why})", where) from None
    params, runs = tables
    names = list(ranges["parameter"])
    check_columns(params, runs, names, where)
    check_values(params, where)
    check_runs(params, runs, where, states=states)
    check_ranges(params, ranges, where)
    runs = runs.set_index("run").loc[params["run"]].reset_index()
    return params, runs


def check_manifest(folder: Path, scenario: str, where: str, file: str = "") -> None:
    """Refuse a folder whose manifest.json names another scenario (an unreadable or
    missing manifest is left to the tables' own checks)."""
    import json

    try:
        made = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        made = {}
    other = made.get("scenario") if isinstance(made, dict) else None
    if other and other != scenario:
        raise ScenarioError(
            f"holds results of scenario {shown(other)}, not {scenario!r}", where, file
        )


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


def check_runs(
    params: pd.DataFrame, runs: pd.DataFrame, where: str, file: str = "", states=()
) -> None:
    """runs.csv as `forcegen run` writes it, for the runs of params.csv: each run once
    in each table and in both, an `outcome` that is one (formed, undersized,
    stalled), a `force` that is a finite number >= 0, a `deployed_week` blank or a
    week, and (given `states`) a `coalition` of the scenario's states. A table
    edited by hand (cut short, a word for a number) is refused naming the first
    such cell, rather than silently dropping runs or reading the word as 0."""
    for table, name in ((params, "params.csv"), (runs, "runs.csv")):
        if "run" not in table.columns:
            raise ScenarioError(f"{name} has no 'run' column", where, file)
        if not len(table):
            raise ScenarioError(f"{name} holds no runs", where, file)
        twice = table["run"][table["run"].duplicated()]
        if len(twice):
            raise ScenarioError(f"{name} lists run {_cell(twice.iloc[0])} twice", where, file)
    only = [
        (run, name)
        for a, b, name in ((params, runs, "params.csv"), (runs, params, "runs.csv"))
        for run in a["run"][~a["run"].isin(b["run"])].head(1)
    ]
    if only:
        run, name = only[0]
        raise ScenarioError(
            f"params.csv and runs.csv do not hold the same runs (run {_cell(run)} is only "
            f"in {name}; was one cut short or edited?)",
            where,
            file,
        )
    if "outcome" in runs.columns:
        ends = runs["outcome"].astype(str)
        bad = np.flatnonzero(~ends.isin(ENDINGS).to_numpy())
        if len(bad):
            got = ends.iloc[bad[0]]
            raise ScenarioError(
                f"runs.csv, column 'outcome', row {bad[0] + 1}: expected formed, undersized "
                f"or stalled, got {shown(got)}{suggest(got, ENDINGS)}",
                where,
                file,
            )
    for column, blank in (("force", False), ("deployed_week", True)):
        if column not in runs.columns:
            continue
        cells = runs[column]
        empty = cells.astype(str).str.strip() == "" if blank else np.zeros(len(cells), bool)
        values = pd.to_numeric(cells.where(~empty, 0), errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~(np.isfinite(values) & (values >= 0)))
        if len(bad):
            cell = cells.iloc[bad[0]]
            cell = shown(cell) if isinstance(cell, str) else repr(float(cell))
            what = "blank or a week >= 0" if blank else "a finite number >= 0"
            raise ScenarioError(
                f"runs.csv, column {column!r}, row {bad[0] + 1}: expected {what}, got {cell}",
                where,
                file,
            )
    if states and "coalition" in runs.columns:
        known = set(states)
        for row, text in enumerate(runs["coalition"].fillna("").astype(str)):
            for state in filter(None, text.split(";")):
                if state not in known:
                    raise ScenarioError(
                        f"runs.csv, column 'coalition', row {row + 1}: unknown state "
                        f"{shown(state)}{suggest(state, states)}",
                        where,
                        file,
                    )


def check_ranges(params: pd.DataFrame, ranges: pd.DataFrame, where: str) -> None:
    """Every drawn value within its range of this scenario: a value outside was drawn
    from another version of the ranges, and would be analysed against the wrong ones."""
    for name, low, high in zip(ranges["parameter"], ranges["low"], ranges["high"], strict=True):
        values = params[name].to_numpy(dtype=float)
        slack = 1e-9 * max(1.0, abs(low), abs(high))
        bad = np.flatnonzero((values < low - slack) | (values > high + slack))
        if len(bad):
            raise ScenarioError(
                f"params.csv, column {name!r}, row {bad[0] + 1}: {float(values[bad[0]])!r} lies outside "
                f"this scenario's range [{low:g}, {high:g}]; was it written for another "
                "version of the scenario?",
                where,
            )


def _cell(value: object) -> str:
    """A table's cell as a message shows it: 3, 0.5, 'one' (not np.int64(3))."""
    return shown(value.item() if isinstance(value, np.generic) else value)
