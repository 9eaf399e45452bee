"""Charts drawn from the tidy result tables, never from engine internals.

`draw_all(tables, meta, out_dir)` writes every chart as PNG and SVG and returns,
for each, its file names, a title and a one-sentence caption that quotes a key
number read from the tables (so a report can embed the chart with its reading).

A chart is skipped (absent from the returned list) when a table it needs is
missing from `tables`, e.g. `states` when no detail run was kept; a table that
is present but empty is drawn as an axis with a note.

`figure(name, tables, meta)` returns one chart as a matplotlib Figure instead
of writing it (the same figure `draw_all` saves), for notebooks (`sim.Results`).
"""

from __future__ import annotations

from collections.abc import Mapping
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

__all__ = ["CHARTS", "available", "draw_all", "figure"]


def draw_all(
    tables: dict[str, pd.DataFrame], meta: dict, out_dir: Path, executor=None
) -> list[dict]:
    """Draw every chart whose tables are available into `out_dir`.

    Args:
        tables: tidy tables by name (runs, rounds, states, commits, coalitions, bands).
        meta: scenario facts the tables do not carry (names, target, deadline ...).
        out_dir: folder to write `<name>.png` and `<name>.svg` into (created if needed).
        executor: a `sim.parallel` executor to draw on (e.g. the command's workers):
            each chart is one job; the files are the same. Without one, or when its
            workers do not share this machine's files (a remote Dask cluster), the
            charts are drawn here.

    Returns:
        One dict per chart drawn: name, png, svg (file names relative to out_dir),
        title and caption.
    """
    out_dir = Path(out_dir)
    todo = _drawable(tables, meta)
    if executor is None or executor.workers <= 1 or not executor.local or len(todo) < 2:
        return [chart.draw(tables, _meta(meta), out_dir) for chart in todo]
    slow_first = sorted(todo, key=lambda c: c.NAME not in ("stance_timeline", "commit_by_kind"))
    jobs = [(c.NAME, {t: tables[t] for t in c.REQUIRES}, meta, out_dir) for c in slow_first]
    drawn = {slow_first[i].NAME: result for i, result in executor.imap(_draw_one, jobs)}
    return [drawn[c.NAME] for c in todo]


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


def _draw_one(name: str, tables: dict[str, pd.DataFrame], meta: dict, out_dir: Path) -> dict:
    """Draw one chart by name (the task a worker process runs)."""
    chart = next(c for c in CHARTS if name == c.NAME)
    return chart.draw(tables, _meta(meta), out_dir)


def _meta(meta: Mapping) -> dict:
    """Meta with every optional mapping present, so charts can `.get` freely."""
    filled = dict(meta)
    for key in MAPPINGS:
        filled[key] = dict(filled.get(key) or {})
    return filled
