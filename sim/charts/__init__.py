"""Charts drawn from the tidy result tables, never from engine internals.

`draw_all(tables, meta, out_dir)` writes every chart in the current formats
(`style.formats`: PNG by default, SVG on request, none at all) and returns, for
each, its file names, a title and a one-sentence caption that quotes a key
number read from the tables (so a report can embed the chart with its reading).
Given the charts a previous folder holds (`reuse`), a chart whose inputs are
unchanged is copied from there instead of drawn again.

A chart is skipped (absent from the returned list) when a table it needs is
missing from `tables`, e.g. `states` when no detail run was kept; a table that
is present but empty is drawn as an axis with a note.

`figure(name, tables, meta)` returns one chart as a matplotlib Figure instead
of writing it (the same figure `draw_all` saves), for notebooks (`sim.Results`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from sim.charts import (
    acceptance,
    coalitions,
    commit_by_kind,
    concessions,
    deployment,
    force_bands,
    stance_timeline,
)
from sim.output.provenance import installed

CHARTS = (
    stance_timeline,
    force_bands,
    deployment,
    commit_by_kind,
    coalitions,
    concessions,
    acceptance,
)
"""Chart modules, in reading order; each has NAME, REQUIRES and draw(), and may
have applies(meta) (drawn only where it holds)."""

MAPPINGS = (
    "states",
    "kinds",
    "kind_measure",
    "veto_players",
    "veto_thresholds",
    "hosts",
    "concessions",
)

__all__ = ["CHARTS", "ChartPlan", "available", "draw_all", "figure", "plan_charts"]


def draw_all(
    tables: dict[str, pd.DataFrame],
    meta: dict,
    out_dir: Path,
    executor=None,
    reuse: tuple[Path, list[dict]] | None = None,
) -> list[dict]:
    """Draw every chart whose tables are available into `out_dir`.

    Args:
        tables: tidy tables by name (runs, rounds, states, commits, coalitions, bands).
        meta: scenario facts the tables do not carry (names, target, deadline ...).
        out_dir: folder to write `<name>.png` (and `<name>.svg`) into (created if needed),
            in the formats of `style.formats`; with no format, nothing is drawn.
        executor: a `sim.parallel` executor to draw on (e.g. the command's workers):
            each chart is one job; the files are the same. Without one, or when its
            workers do not share this machine's files (a remote Dask cluster), the
            charts are drawn here.
        reuse: (folder, charts) of a previous results folder: its chart files and
            the chart dicts its manifest lists. A chart whose `inputs_sha256` (its
            tables, meta, formats and drawing code) is the same, with its files
            present, is copied from there instead of drawn.

    Returns:
        One dict per chart drawn: name, one key per format written (png, svg: file
        names relative to out_dir), title, caption and inputs_sha256.
    """
    plan = plan_charts(tables, meta, out_dir, reuse)
    if plan is None:
        return []
    executor = executor.for_short_jobs() if executor is not None else None
    if executor is None or executor.workers <= 1 or not executor.local or len(plan.jobs) < 2:
        plan.drawn |= {job[0]: _draw_one(*job) for job in plan.jobs}
    else:
        plan.drawn |= {plan.jobs[i][0]: result for i, result in executor.imap(_draw_one, plan.jobs)}
    return plan.charts()


@dataclass
class ChartPlan:
    """The charts `draw_all` writes: those copied from a previous folder (`drawn`, by
    name), the `_draw_one` jobs of the others (the slowest first), and each chart's
    inputs hash. A caller that runs the jobs itself (with other work beside them,
    `sim.output.write`) adds their results to `drawn` and asks for `charts()`."""

    todo: list
    keys: dict[str, str]
    drawn: dict[str, dict]
    jobs: list[tuple]

    def charts(self) -> list[dict]:
        """One dict per chart, in reading order (see `draw_all`)."""
        return [{**self.drawn[c.NAME], "inputs_sha256": self.keys[c.NAME]} for c in self.todo]


SLOWEST = ("stance_timeline", "commit_by_kind")
"""Charts that take longest to draw: handed out first, so the last job is a short one."""


def plan_charts(
    tables: dict[str, pd.DataFrame],
    meta: dict,
    out_dir: Path,
    reuse: tuple[Path, list[dict]] | None = None,
) -> ChartPlan | None:
    """What `draw_all` will do with these arguments, before any chart is drawn; None
    when no format is written."""
    from sim.charts import style

    out_dir = Path(out_dir)
    formats = style.current_formats()
    if not formats:
        return None
    todo = _drawable(tables, meta)
    parts: dict = {}
    keys = {c.NAME: inputs_key(c, tables, meta, formats, parts) for c in todo}
    drawn = _reused(todo, keys, formats, out_dir, reuse)
    rest = sorted((c for c in todo if c.NAME not in drawn), key=lambda c: c.NAME not in SLOWEST)
    jobs = [(c.NAME, {t: tables[t] for t in c.REQUIRES}, meta, out_dir, formats) for c in rest]
    return ChartPlan(todo, keys, drawn, jobs)


def inputs_key(
    chart, tables: Mapping[str, pd.DataFrame], meta: Mapping, formats, parts: dict | None = None
) -> str:
    """A hash of everything a chart's files depend on: its tables (values, columns,
    types), the meta, the formats, its drawing code and matplotlib's version.

    `parts` (a dict the caller keeps) holds what several charts' hashes share, each
    table's and the meta's bytes, so a plan computes them once (the meta carries
    each run's target: 0.25 MB of JSON at 10,000 runs); the hash is the same."""
    parts = {} if parts is None else parts
    h = hashlib.sha256()
    h.update(json.dumps([chart.NAME, list(formats), installed("matplotlib")]).encode())
    for name in chart.REQUIRES:
        if ("table", name) not in parts:
            parts["table", name] = _table_bytes(name, tables[name])
        for chunk in parts["table", name]:
            h.update(chunk)
    if "meta" not in parts:
        parts["meta"] = json.dumps(_meta(meta), sort_keys=True, default=_plain).encode()
    h.update(parts["meta"])
    for module in (chart, _style_module()):
        h.update(_source(module.__file__))
    return h.hexdigest()


def _table_bytes(name: str, table: pd.DataFrame) -> tuple[bytes, bytes]:
    """What a chart's inputs hash reads of one table: its name, columns and types,
    then its values (with the index)."""
    head = json.dumps([name, list(map(str, table.columns)), list(map(str, table.dtypes))])
    return head.encode(), pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes()


@functools.cache
def _source(file: str) -> bytes:
    """A drawing module's source (part of its charts' inputs), read once per process."""
    return Path(file).read_bytes()


def _plain(value) -> object:
    """JSON for what json cannot write: sets sorted (stable across processes), else str."""
    if isinstance(value, set | frozenset):
        return sorted(map(str, value))
    return str(value)


def _style_module():
    from sim.charts import style

    return style


def _reused(todo, keys, formats, out_dir: Path, reuse) -> dict[str, dict]:
    """The charts of `reuse` whose inputs are unchanged, copied into `out_dir`."""
    if not reuse:
        return {}
    folder, charts = reuse
    known = {c.get("name"): c for c in charts if isinstance(c, dict)}
    done: dict[str, dict] = {}
    for chart in todo:
        old = known.get(chart.NAME)
        if not old or old.get("inputs_sha256") != keys[chart.NAME]:
            continue
        files = {fmt: f"{chart.NAME}.{fmt}" for fmt in formats}
        sources = [Path(folder) / file for file in files.values()]
        if not all(p.is_file() and not p.is_symlink() for p in sources):
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        for src, file in zip(sources, files.values(), strict=True):
            shutil.copyfile(src, out_dir / file)
        done[chart.NAME] = {
            "name": chart.NAME,
            **files,
            "title": str(old.get("title", "")),
            "caption": str(old.get("caption", "")),
        }
    return done


def _drawable(tables: Mapping[str, pd.DataFrame], meta: Mapping | None = None) -> list:
    """The chart modules whose tables are all present (and that apply to the
    scenario, where a chart says when it does), in reading order."""
    return [
        c
        for c in CHARTS
        if all(isinstance(tables.get(t), pd.DataFrame) for t in c.REQUIRES)
        and (meta is None or getattr(c, "applies", lambda _m: True)(meta))
    ]


def available(tables: Mapping[str, pd.DataFrame], meta: Mapping | None = None) -> list[str]:
    """Names of the charts `draw_all` would draw from these tables (and meta)."""
    return [c.NAME for c in _drawable(tables, meta)]


def figure(name: str, tables: dict[str, pd.DataFrame], meta: dict) -> Figure:
    """One chart as a matplotlib Figure, built exactly as `draw_all` saves it.

    Nothing is written, and the figure is not left open in pyplot (it is not in
    `plt.get_fignums()`): show it by making it a notebook cell's value, or write
    it with `fig.savefig(...)`. Raises ValueError for a name these tables cannot draw.
    """
    from sim.charts import style

    chart = next((c for c in _drawable(tables, meta) if name == c.NAME), None)
    if chart is None:
        known = ", ".join(available(tables, meta))
        raise ValueError(f"no chart {name!r} for these results; expected one of: {known}")
    with style.capture() as figures:
        chart.draw(tables, _meta(meta), Path("."))
    return figures[-1]


def _draw_one(
    name: str, tables: dict[str, pd.DataFrame], meta: dict, out_dir: Path, formats=("png",)
) -> dict:
    """Draw one chart by name in these formats (the task a worker process runs)."""
    from sim.charts import style

    chart = next(c for c in CHARTS if name == c.NAME)
    with style.formats(formats):
        return chart.draw(tables, _meta(meta), out_dir)


def _meta(meta: Mapping) -> dict:
    """Meta with every optional mapping present, so charts can `.get` freely."""
    filled = dict(meta)
    for key in MAPPINGS:
        filled[key] = dict(filled.get(key) or {})
    return filled
