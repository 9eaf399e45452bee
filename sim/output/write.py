"""Write one scenario's results: CSV tables, charts, manifest, summary, report."""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.report import charts_section, report_head
from sim.analysis.summary import meta as chart_meta
from sim.analysis.summary import summarise
from sim.output import formats as chart_files
from sim.output import numeric_csv
from sim.output.folder import atomic_folder
from sim.output.formats import NOT_DRAWN
from sim.output.provenance import installed, read_manifest, replaced_note
from sim.scenario.arrays import Compiled
from sim.scenario.loader import scenario_hash
from sim.scenario.schema import Scenario

PACKAGES = ("forcegen", "mesa", "numpy", "pandas", "matplotlib", "pydantic", "pyyaml")
CSV_TABLES = ("runs", "params", "deployments", "rounds", "states")


def versions() -> dict[str, str]:
    """Installed versions of the package and its main dependencies."""
    return {"python": platform.python_version()} | {name: installed(name) for name in PACKAGES}


def run_command(
    source: object,
    C: Compiled | Scenario,
    out: Path,
    engine: str,
    detail: int,
    fmt: str = "csv",
    formats: tuple[str, ...] | None = None,
) -> list[str]:
    """The `forcegen run` command that writes this folder (the manifest's `command`);
    `formats` are the chart formats (default: the current ones, `sim.output.formats`)."""
    sc = C.scenario if isinstance(C, Compiled) else C
    tail = ["--format", fmt] if fmt != "csv" else []
    formats = chart_files.current_formats() if formats is None else tuple(formats)
    if formats != chart_files.DEFAULT_FORMATS:
        tail += ["--formats", ",".join(formats) or "none"]
    return [
        "forcegen",
        "run",
        str(source),
        "--runs",
        str(sc.run.runs),
        "--seed",
        str(sc.run.seed),
        "--out",
        str(out),
        "--engine",
        engine,
        "--detail-runs",
        str(detail),
        *tail,
    ]


def manifest(C: Compiled, engine: str, detail: int, argv: list[str] | None = None) -> dict:
    """What produced this folder: enough to reproduce it and to reuse it."""
    sc = C.scenario
    return {
        "scenario": sc.name,
        "title": sc.title,
        "scenario_sha256": scenario_hash(sc),
        "model_sha256": scenario_hash(sc, settings=False),
        "seed": sc.run.seed,
        "runs": sc.run.runs,
        "rounds": sc.broker.deadline,
        "engine": engine,
        "detail_runs": detail,
        "versions": versions(),
        "command": list(sys.argv if argv is None else argv),
    }


def dump_json(obj: dict, path: Path) -> None:
    """JSON with sorted keys and a trailing newline: stable bytes."""
    path.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_table(table: pd.DataFrame, out: Path, name: str, fmt: str = "csv") -> str:
    """One table as `<name>.csv` or `<name>.parquet`; return the file name."""
    file = f"{name}.{fmt}"
    if fmt == "parquet":
        table.to_parquet(out / file, index=False, engine="pyarrow")
    elif numeric_csv.covered(table):  # params.csv: the same bytes, in half the time
        numeric_csv.write(table, out / file)
    else:
        table.to_csv(out / file, index=False, lineterminator="\n")
    return file


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """A table of a results folder, from `<name>.csv` or `<name>.parquet` (None if neither).

    Read as `compare` reads a CSV (`keep_default_na=False`): blank text is ''.
    """
    if (Path(folder) / f"{name}.csv").is_file():
        return pd.read_csv(Path(folder) / f"{name}.csv", keep_default_na=False)
    if (Path(folder) / f"{name}.parquet").is_file():
        table = pd.read_parquet(Path(folder) / f"{name}.parquet")
        text = table.select_dtypes(include=["object", "string"]).columns
        return table.assign(**{c: table[c].fillna("") for c in text})
    return None


TABLES = (*CSV_TABLES, "commits", "coalitions", "bands")
"""The tables of a results folder, in the manifest's order."""


def write_tables(tables: dict[str, pd.DataFrame], out: Path, fmt: str = "csv") -> list[str]:
    """The tidy tables as CSV (floats printed in full, so equal runs give equal bytes)
    or Parquet; return the files written."""
    return [write_table(tables[name], out, name, fmt) for name in TABLES]


def write_results(
    C: Compiled,
    tables: dict[str, pd.DataFrame],
    final: Path,
    engine: str,
    detail: int,
    argv: list[str] | None = None,
    executor=None,
    notify: Callable[[str], None] | None = None,
    fmt: str = "csv",
) -> dict:
    """Write the whole folder atomically; return the summary.

    The charts are drawn on `executor` (`sim.parallel`) when given, else here.
    When `final` holds results made from other inputs, `notify` hears one line
    saying so before they are replaced. `fmt` 'parquet' writes the tables as
    Parquet files instead of CSV; the manifest names the format and the files.
    """
    meta = chart_meta(C, tables)
    made = manifest(C, engine, detail, argv)
    note = replaced_note(final, made)
    reuse = previous_charts(final)
    head = (summary_and_head, (C, tables, meta))
    with atomic_folder(final) as out:
        files, charts, said = tables_and_charts(tables, meta, out, fmt, executor, reuse, head)
        summary, text = said
        made = {**made, "format": fmt, "tables": files}
        formats = chart_files.current_formats()
        charts = in_folder(charts, "charts")
        made |= {"chart_formats": list(formats), "charts": charts}
        report = text + charts_section(for_report(charts))
        (out / "report.md").write_text(report + not_drawn(formats), "utf-8")
        dump_json(summary, out / "summary.json")
        dump_json(made, out / "manifest.json")
    if note and notify:
        notify(note)
    return summary


def summary_and_head(C: Compiled, tables, meta: dict) -> tuple[dict, str]:
    """The summary and the report's text above its charts: they read only the tables, so
    they are made while the charts are drawn (0.2-0.3 s for the flagship)."""
    summary = summarise(tables, C)
    return summary, report_head(C, tables, summary, meta)


def tables_and_charts(tables, meta, out: Path, fmt: str, executor, reuse, head: tuple):
    """Write the tables into `out` and draw the charts into `out`/charts: (the table
    files, the chart dicts of `sim.charts.draw_all`, the result of `head`).

    `head`, a job `(fn, args)` (the summary and the report's text), is done beside
    the tables and charts, by either process where there are two.

    Where the executor for short jobs has a second process on this machine that
    can take a table (`Executor.takes_tables`), the largest table (params.csv, a
    second at 10,000 runs, ten at 100,000) and the charts are handed to it at once,
    so they are written while this process writes the other tables. A forked
    helper (`sim.fork`) shares this process's memory: it and this process take
    from one list of every table and chart. Otherwise the tables are written here,
    then the charts drawn on `executor`. The files are the same bytes either way."""
    helper = executor.for_short_jobs() if executor is not None else None
    if helper is None or helper.workers <= 1 or not helper.local or not helper.takes_tables:
        files = write_tables(tables, out, fmt)
        said = _call(*head)
        return files, draw_charts(tables, meta, out / "charts", helper, reuse), said
    plan, charts = None, []
    if chart_files.current_formats():  # none (`--formats none`) leaves matplotlib unimported
        from sim.charts import _draw_one, plan_charts

        plan = plan_charts(tables, meta, out / "charts", reuse)
        charts = [(_draw_one, job) for job in plan.jobs]
    share = helper.workers if helper.shares_memory else helper.workers + 1
    big, parts = _largest(tables[LARGEST], out, fmt, share)
    writes = [(write_table, (tables[n], out, n, fmt)) for n in TABLES if n != LARGEST]
    if helper.shares_memory:  # both processes take from one list, the longest jobs first
        jobs, here = big + sorted(writes, key=_cells, reverse=True) + [head] + charts, []
    else:  # the workers take the largest table (but a part of it) and the charts
        keep = 1 if parts else 0
        jobs, here = big[: len(big) - keep] + charts, big[len(big) - keep :] + writes + [head]
    pending = helper.start(_call, jobs)
    results = [(job, _call(*job)) for job in here]
    results += [(jobs[i], result) for i, result in pending]
    files = {args[2]: f for (fn, args), f in results if fn is write_table}
    if parts:
        numeric_csv.join(parts, out / f"{LARGEST}.csv")
        files[LARGEST] = f"{LARGEST}.csv"
    said = next(result for job, result in results if job is head)
    if plan is None:
        return [files[name] for name in TABLES], [], said
    plan.drawn |= {args[0]: chart for (fn, args), chart in results if fn is _draw_one}
    return [files[name] for name in TABLES], plan.charts(), said


SPLIT_ROWS = 5_000
"""From this many rows, the largest table is written in parts by several processes
(its floats' text is most of the time: about a second per 10,000 runs)."""


def _largest(table: pd.DataFrame, out: Path, fmt: str, parts: int):
    """The jobs that write the largest table: one, or `parts` jobs that each write a
    slice of its rows to a part file (`numeric_csv.join` puts them together), and
    the part files (None for one job)."""
    if fmt != "csv" or parts < 2 or len(table) < SPLIT_ROWS or not numeric_csv.covered(table):
        return [(write_table, (table, out, LARGEST, fmt))], None
    bounds = np.linspace(0, len(table), parts + 1).astype(int)
    paths = [out / f".{LARGEST}.part{k}" for k in range(parts)]
    jobs = [
        (numeric_csv.write, (table.iloc[a:b], path, k == 0))
        for k, (a, b, path) in enumerate(zip(bounds[:-1], bounds[1:], paths, strict=True))
    ]
    return jobs, paths


def _cells(job: tuple) -> int:
    """A table-writing job's size: the `states` table (a row per state and week of each
    detail run, some 17,000 rows for the flagship at the default 50, 0.2 s to write) is
    written before the charts, not after the last of them while the other process waits."""
    table = job[1][0]
    return table.shape[0] * table.shape[1]


LARGEST = "params"
"""The table that takes longest to write (each run's drawn values): handed out first."""


def _call(fn: Callable, args: tuple):
    """Run one job of `tables_and_charts`."""
    return fn(*args)


def draw_charts(tables, meta, folder: Path, executor=None, reuse=None) -> list[dict]:
    """`sim.charts.draw_all` in the current formats; none (`--formats none`) draws
    nothing and leaves matplotlib unimported."""
    if not chart_files.current_formats():
        return []
    from sim.charts import draw_all

    return draw_all(tables, meta, folder, executor, reuse)


def not_drawn(formats: tuple[str, ...]) -> str:
    """The paragraph a report ends with when no chart file was written, else ''."""
    return "" if formats else f"\n{NOT_DRAWN}\n"


def in_folder(charts: list[dict], sub: str) -> list[dict]:
    """Chart dicts with their files (one key per format written) as paths under `sub`."""
    return [
        {k: f"{sub}/{v}" if k in chart_files.FORMATS else v for k, v in chart.items()}
        for chart in charts
    ]


def for_report(charts: list[dict]) -> list[dict]:
    """The charts as the markdown pages read them: `png` is the image a page embeds,
    so it names the PNG when one was written, else the SVG (`--formats svg`)."""
    return [{**c, "png": chart_files.link(c)} for c in charts if chart_files.link(c)]


def previous_charts(final: Path) -> tuple[Path, list[dict]] | None:
    """The chart files and manifest entries of the folder about to be replaced
    (`draw_all` copies the charts whose inputs are unchanged), or None."""
    old = read_manifest(final)
    charts = old.get("charts") if old else None
    folder = Path(final) / "charts"
    if not isinstance(charts, list) or folder.is_symlink() or not folder.is_dir():
        return None
    return folder, charts
