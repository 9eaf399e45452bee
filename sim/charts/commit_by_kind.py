"""Probability that each state ends committed, split by contribution kind."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from sim.charts import style

NAME = "commit_by_kind"
REQUIRES = ("commits",)
TITLE = "Probability of ending committed, by state and contribution kind"
LEGEND_CHARS = 110
"""Characters of legend text that fit across the figure at legend font size."""


def _matrix(commits: pd.DataFrame, meta: Mapping) -> tuple[pd.DataFrame, list[str]]:
    """States × kinds table of P(commit), states sorted most likely first."""
    commits = commits.assign(kind=commits["kind"].fillna("").astype(str))
    commits = commits[commits["kind"] != ""]
    kinds = style.ordered_kinds(meta, commits["kind"].unique())
    table = commits.pivot_table(
        index="state", columns="kind", values="p_commit", aggfunc="sum", fill_value=0.0
    )
    for code in meta.get("states", {}):
        if code not in table.index:
            table.loc[code] = 0.0
    table = table.reindex(columns=kinds, fill_value=0.0).astype(float)
    labels = {s: style.state_label(s, meta) for s in table.index}
    # sort on the total as printed, so the printed column never looks out of order
    order = sorted(table.index, key=lambda s: (-float(f"{table.loc[s].sum():.2f}"), labels[s]))
    return table.loc[order], kinds


def _caption(table: pd.DataFrame, meta: Mapping) -> str:
    runs = meta.get("runs")
    of_runs = f"the {runs:,} runs" if runs else "all runs"
    if table.empty or table.to_numpy().sum() == 0:
        return f"No state ended committed in any of {of_runs}."
    totals = table.sum(axis=1)
    top = totals.index[0]
    kind = table.loc[top].idxmax()
    return (
        f"Share of {of_runs} in which each state ended committed, by contribution kind; "
        f"the most likely contributor is {style.state_label(top, meta)} at "
        f"{totals.iloc[0]:.2f} (largest part: {style.kind_label(kind, meta).lower()})."
    )


def _looks(kinds: list[str], meta: Mapping) -> dict[str, dict]:
    """Fill, hatch and legend label per kind; uncounted kinds are hatched."""
    colours = style.kind_colours(style.ordered_kinds(meta, kinds))
    looks = {}
    for kind in kinds:
        counted = style.is_counted(kind, meta)
        label = style.kind_label(kind, meta, measure=True)
        looks[kind] = {
            "facecolor": colours[kind],
            "hatch": None if counted else style.NOT_COUNTED_HATCH,
            "hatchcolor": "white",
            "edgecolor": "white",
            "label": label if counted else f"{label} (not counted toward target)",
        }
    return looks


def _legend_columns(looks: dict[str, dict]) -> int:
    """As many columns as fit across the figure without clipping."""
    longest = max((len(look["label"]) for look in looks.values()), default=1)
    return max(1, min(len(looks), LEGEND_CHARS // (longest + 6)))


def _bars(ax, table: pd.DataFrame, looks: dict[str, dict], meta: Mapping) -> None:
    """Stacked bars, most likely state at the top, with the total printed at the right."""
    y = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    for kind, look in looks.items():
        values = table[kind].to_numpy()
        bar = {k: v for k, v in look.items() if k != "label"}
        ax.barh(y, values, left=left, height=0.72, linewidth=0.5, **bar)
        left += values
    for yi, total in zip(y, left, strict=True):
        ax.text(
            1.015,
            yi,
            f"{total:.2f}",
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left",
            fontsize=8,
            color=style.INK,
        )
    ax.text(
        1.015,
        1.0,
        "total",
        transform=ax.transAxes,
        va="bottom",
        ha="left",
        fontsize=8,
        color=style.MUTED,
    )
    ax.set_yticks(y, [style.state_label(s, meta) for s in table.index])


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw the stacked P(commit) bars."""
    table, kinds = _matrix(tables["commits"], meta)
    looks = _looks(kinds, meta)
    ncol = _legend_columns(looks)
    legend_rows = -(-len(looks) // ncol) + 1 if looks else 0
    height = 1.9 + 0.3 * len(table) + 0.2 * legend_rows
    with style.chart_style():
        fig, ax = style.new_figure(8.6, min(16.0, max(3.4, height)))
        runs = meta.get("runs")
        style.titles(fig, ax, TITLE, style.subtitle(meta, f"{runs:,} runs" if runs else ""))
        if table.empty:
            style.empty_note(ax, "No state in the commitments table.")
        else:
            _bars(ax, table, looks, meta)
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
        ax.set_xlim(0, 1)
        ax.set_xlabel("P(commit): share of runs ending committed with this kind")
        ax.xaxis.grid(True, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        png, svg = style.save(fig, out_dir, NAME)
    return {"name": NAME, "png": png, "svg": svg, "title": TITLE, "caption": _caption(table, meta)}
