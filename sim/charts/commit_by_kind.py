"""Probability that each state ends committed, split by contribution kind."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from sim.analysis.commits import commit_column
from sim.charts import style
from sim.numbers import pct, share_ci

NAME = "commit_by_kind"
REQUIRES = ("commits",)
TITLE = "Probability of ending committed, by state and contribution kind"
LEGEND_CHARS = 110
"""Characters of legend text that fit across the figure at legend font size."""


def _matrix(
    commits: pd.DataFrame, meta: Mapping, values: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """States × kinds table of P(commit) by lead kind (a state's bar adds up to its
    P(commit), `sim.analysis.commits`), in the report's order (`style.state_order`);
    or of another column of the commits table (`values`)."""
    commits = commits.assign(kind=commits["kind"].fillna("").astype(str))
    commits = commits[commits["kind"] != ""]
    kinds = style.ordered_kinds(meta, commits["kind"].unique())
    table = commits.pivot_table(
        index="state",
        columns="kind",
        values=values or commit_column(commits),
        aggfunc="sum",
        fill_value=0.0,
    )
    for code in meta.get("states", {}):
        if code not in table.index:
            table.loc[code] = 0.0
    table = table.reindex(columns=kinds, fill_value=0.0).astype(float)
    order = style.state_order({s: float(table.loc[s].sum()) for s in table.index})
    return table.loc[order], kinds


def _caption(table: pd.DataFrame, meta: Mapping) -> str:
    runs = meta.get("runs")
    of_runs = f"the {runs:,} runs" if runs else "all runs"
    if table.empty or table.to_numpy().sum() == 0:
        return f"No state ended committed in any of {of_runs}."
    totals = table.sum(axis=1)
    top = totals.index[0]
    kind = table.loc[top].idxmax()
    whiskers = "; whiskers: 95% (Wilson) interval" if runs else ""
    return (
        f"Share of {of_runs} in which each state ended committed, by contribution kind"
        f"{whiskers}; the most likely contributor is {style.state_label(top, meta)} at "
        f"{_share(totals.iloc[0], runs)} (largest part: {style.kind_label(kind, meta).lower()})."
    )


def _share(p: float, runs: int | None) -> str:
    """A share as the report prints it: with its 95% interval where the run count is known."""
    return share_ci(p, runs) if runs else pct(p)


def _looks(kinds: list[str], meta: Mapping, table: pd.DataFrame | None = None) -> dict[str, dict]:
    """Fill, hatch and legend label per kind that occurs; uncounted kinds are hatched.

    Colours are fixed per kind in scenario order (so every chart agrees); a kind no
    state ever commits with (a zero column of `table`) is left out of the legend.
    """
    colours = style.kind_colours(style.ordered_kinds(meta, kinds))
    looks = {}
    for kind in kinds:
        if table is not None and not (table[kind].to_numpy() > 0).any():
            continue
        counted = style.is_counted(kind, meta)
        looks[kind] = {
            "facecolor": colours[kind],
            "hatch": None if counted else style.NOT_COUNTED_HATCH,
            "hatchcolor": "white",
            "edgecolor": "white",
            "label": style.kind_note_label(kind, meta, money=False),
        }
    return looks


def _legend_columns(looks: dict[str, dict]) -> int:
    """As many columns as fit across the figure without clipping."""
    longest = max((len(look["label"]) for look in looks.values()), default=1)
    return max(1, min(len(looks), LEGEND_CHARS // (longest + 6)))


def _has_parts(commits: pd.DataFrame) -> bool:
    """Some state brought a kind as a package part in some run."""
    return "p_lead" in commits.columns and bool((commits["p_commit"] > commits["p_lead"]).any())


def _parts(
    commits: pd.DataFrame, table: pd.DataFrame, meta: Mapping, legend: Collection[str] = ()
) -> dict[str, str]:
    """Per state, the package parts it brought besides its lead kind (`sim.rules.
    packages`), as ' + police trainers 20%': P(commit) of a kind as a part only. A kind
    in the `legend` is named without its notes (the legend has them, and the text stays
    short enough not to narrow the bars: the flagship's UK package was 80 characters);
    one only ever brought as a part keeps them."""
    if "p_lead" not in commits.columns:
        return {}
    every, _ = _matrix(commits, meta, "p_commit")
    extra = (every.reindex(index=table.index, columns=table.columns) - table).clip(lower=0.0)
    out = {}
    for state, row in extra.iterrows():
        parts = [f"{_part_label(k, meta, legend)} {pct(v)}" for k, v in row.items() if v > 0]
        if parts:
            out[state] = " + " + ", ".join(parts) + " (package)"
    return out


def _part_label(kind: str, meta: Mapping, legend: Collection[str]) -> str:
    label = style.kind_base_label if kind in legend else style.kind_note_label
    return label(kind, meta).lower()


def _bars(
    ax, table: pd.DataFrame, looks: dict[str, dict], meta: Mapping, parts: Mapping[str, str]
) -> None:
    """Stacked bars by lead kind, most likely state at the top, each total's 95%
    interval as a whisker where the run count is known, the total share (and any
    package parts) after the whisker (the caption quotes the top one's interval)."""
    y = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    for kind, look in looks.items():
        values = table[kind].to_numpy()
        bar = {k: v for k, v in look.items() if k != "label"}
        ax.barh(y, values, left=left, height=0.72, linewidth=0.5, **bar)
        left += values
    ends = style.share_whiskers(ax, left, y, meta.get("runs"))
    for yi, total, end, state in zip(y, left, ends[:, 1], table.index, strict=True):
        ax.annotate(
            pct(total) + parts.get(state, ""),
            xy=(end, yi),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=8,
            color=style.INK if total > 0 else style.MUTED,
            annotation_clip=False,  # inside the axes by its limits: not checked at each draw
        )
    ax.set_yticks(y, [style.state_label(s, meta) for s in table.index])


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw the stacked P(commit) bars."""
    table, kinds = _matrix(tables["commits"], meta)
    looks = _looks(kinds, meta, table)
    ncol = _legend_columns(looks)
    legend_rows = -(-len(looks) // ncol) + 1 if looks else 0
    height = 1.9 + 0.3 * len(table) + 0.2 * legend_rows
    with style.chart_style():
        fig, ax = style.new_figure(8.6, min(16.0, max(3.4, height)))
        runs = meta.get("runs")
        order = "most likely first, as in the report"
        ends = "whiskers: 95% interval" if runs and not table.empty else ""
        shown = style.subtitle(meta, f"{runs:,} runs" if runs else "", order, ends)
        style.titles(fig, ax, TITLE, shown, pinned=True)
        if table.empty:
            style.empty_note(ax, "No state in the commitments table.")
        else:
            _bars(ax, table, looks, meta, _parts(tables["commits"], table, meta, looks))
            ax.set_ylim(-0.6, len(table) - 0.4)
        if looks:
            handles = [Patch(**look) for look in looks.values()]
            fig.legend(
                handles=handles,
                loc="outside lower center",
                ncol=ncol,
                title="Contribution kind",
                title_fontsize=8.5,
            )
        totals = table.sum(axis=1).to_numpy()
        largest = float(style.share_intervals(totals, runs)[:, 1].max()) if not table.empty else 0.0
        top = style.nice_share_top(largest)
        ax.set_xlim(0, top)
        style.share_axis(ax, top)
        ax.set_xlabel(
            "P(commit): share of runs ending committed, by its lead kind"
            + ("; package parts after the bar" if _has_parts(tables["commits"]) else "")
        )
        ax.xaxis.grid(True, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        files = style.save(fig, out_dir, NAME)
    return {"name": NAME, **files, "title": TITLE, "caption": _caption(table, meta)}
