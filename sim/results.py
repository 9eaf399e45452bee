"""What `sim.run` returns: one ensemble's tables, summary and charts, in memory.

`Results` holds exactly what `forcegen run` writes to a results folder, as
Python objects: the tables as pandas DataFrames, `summary` as the mapping
`summary.json` holds, each chart as a matplotlib Figure on request, and
`save(folder)` writes the folder itself (see docs/api.md).
"""

from __future__ import annotations

import json
import warnings
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.scenario.arrays import Compiled


def check_path(name: str, value: object) -> Path:
    """A file or folder argument of the Python API as a Path; a value that is not one
    (None, a number) is refused naming the argument, not deep in pathlib."""
    import os

    from sim.scenario.errors import ScenarioError, shown

    if isinstance(value, bool) or not isinstance(value, str | os.PathLike):
        raise ScenarioError(f"expected a path (a str or a pathlib.Path), got {shown(value)}", name)
    return Path(value)


TABLES = (
    "runs",
    "params",
    "deployments",
    "commits",
    "coalitions",
    "bands",
    "rounds",
    "states",
)
"""The tables of a results folder (each `<name>.csv`)."""


class Results:
    """One scenario's ensemble: tables, summary, charts; `save` writes the folder.

    Attributes:
        runs, params, deployments, commits, coalitions, bands, rounds, states:
            the tables (DataFrames) a results folder holds as CSV files.
        scenario: the scenario run (runs and seed as run).
        engine, detail_runs: how it was run.
        source: the scenario file, when `sim.run` was given a path.
    """

    runs: pd.DataFrame
    params: pd.DataFrame
    deployments: pd.DataFrame
    commits: pd.DataFrame
    coalitions: pd.DataFrame
    bands: pd.DataFrame
    rounds: pd.DataFrame
    states: pd.DataFrame

    def __init__(
        self,
        compiled: Compiled,
        tables: dict[str, pd.DataFrame],
        engine: str = "fast",
        detail_runs: int = 50,
        source: str | Path | None = None,
    ) -> None:
        self.compiled = compiled
        self.scenario = compiled.scenario
        self.engine = engine
        self.detail_runs = detail_runs
        self.source = None if source is None else Path(source)
        self.tables = dict(tables)
        for name in TABLES:
            setattr(self, name, self.tables[name])

    def __repr__(self) -> str:
        sc = self.scenario
        return f"<Results {sc.name}: {sc.run.runs} runs, seed {sc.run.seed}, engine {self.engine}>"

    @cached_property
    def summary(self) -> dict:
        """The summary, as `summary.json` holds it (JSON types: lists, not tuples)."""
        from sim.analysis.summary import summarise

        return json.loads(json.dumps(summarise(self.tables, self.compiled)))

    @cached_property
    def meta(self) -> dict:
        """Scenario facts the charts read beside the tables (names, target, deadline ...)."""
        from sim.analysis.summary import meta

        return meta(self.compiled, self.tables)

    @property
    def names(self) -> list[str]:
        """The charts of the results folder, by name, in the report's order."""
        from sim.charts import available

        return available(self.tables, self.meta)

    def figure(self, name: str) -> Figure:
        """The chart `name` (one of `names`) as a matplotlib Figure.

        It is the figure the results folder saves as `charts/<name>.png`. It is
        not left open in pyplot (`plt.get_fignums()` does not list it, and
        `plt.show()` does not show it): a notebook shows it as a cell's value;
        `fig.savefig(path)` writes it. Raises ValueError for an unknown name.
        """
        from sim.charts import figure

        return figure(name, self.tables, self.meta)

    def command(self, out: Path, format: str = "csv") -> list[str]:
        """The `forcegen run` command that writes the same folder (its manifest's)."""
        from sim.output.write import run_command

        source = self.source if self.source is not None else self.scenario.name
        return run_command(source, self.scenario, out, self.engine, self.detail_runs, format)

    def save(self, folder: str | Path, format: str = "csv", charts: str = "png") -> Path:
        """Write the results folder `forcegen run --out folder` writes; return its path.

        Written atomically, like the command line's. Refuses (FolderError,
        `sim.output.folder`) a folder forcegen did not make, a file, or a link;
        replaces an earlier results folder, with a warning when it held results
        of other inputs. `format="parquet"` writes the tables as Parquet files
        (`forcegen run --format parquet`; needs pyarrow, the parquet extra).
        `charts` is `forcegen run --formats`: "png" (default), "svg", "png,svg"
        or "none"; anything else raises ValueError naming `charts`.
        """
        from sim.output import formats
        from sim.output.table_format import check_format
        from sim.output.write import write_results

        final = check_path("folder", folder)
        check_format(format, "format")
        chosen = formats.parse(charts, option="charts")
        with formats.formats(chosen):
            write_results(
                self.compiled,
                self.tables,
                final,
                self.engine,
                self.detail_runs,
                self.command(final, format),
                notify=lambda note: warnings.warn(note, stacklevel=3),
                fmt=format,
            )
        return final


class Table(pd.DataFrame):
    """A DataFrame that can also write the folder its command writes (`save`).

    Returned by `sim.compare` and `sim.sweep`. Anything derived from it (a
    selection, a sort) is a plain DataFrame.
    """

    _metadata: ClassVar[list[str]] = ["_writer"]

    @property
    def _constructor(self):
        return pd.DataFrame

    @classmethod
    def of(cls, frame: pd.DataFrame, writer) -> Table:
        table = cls(frame)
        table._writer = writer
        return table

    def save(self, folder: str | Path) -> Path:
        """Write the folder the command line writes (atomically); return its path."""
        final = check_path("folder", folder)
        self._writer(final)
        return final
