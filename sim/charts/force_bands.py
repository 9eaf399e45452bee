"""Counted force over rounds across all runs: median and 5–95% band."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.charts import style

NAME = "force_bands"
REQUIRES = ("bands",)
TITLE = "Counted force by round, across all runs"
LINE = "#0072B2"


def _series(bands: pd.DataFrame) -> pd.DataFrame:
    return bands[bands["series"] == "force"].sort_values("round")


def _reference_round(force: pd.DataFrame, meta: Mapping) -> int:
    """The deadline if the bands reach it, else the last round drawn."""
    deadline = meta.get("deadline")
    rounds = force["round"].astype(int)
    return int(deadline) if deadline in set(rounds) else int(rounds.max())


def _caption(force: pd.DataFrame, meta: Mapping) -> str:
    runs = meta.get("runs")
    across = f"across {runs:,} runs" if runs else "across runs"
    if force.empty:
        return f"No counted-force figures were recorded {across}."
    at = _reference_round(force, meta)
    row = force[force["round"] == at].iloc[0]
    target = meta.get("target")
    versus = f", against a target of {style.fmt_amount(target)}" if target else ""
    return (
        f"Median counted force {across} was {style.fmt_amount(row['median'])} personnel "
        f"at round {at} (5–95% of runs: {style.fmt_amount(row['p05'])}–"
        f"{style.fmt_amount(row['p95'])}){versus}."
    )


def _reference_lines(ax, meta: Mapping, force: pd.DataFrame) -> None:
    style.target_lines(ax, meta.get("target"), meta.get("minimum_viable"))
    deadline = meta.get("deadline")
    if deadline and not force.empty and deadline <= force["round"].max() + 1:
        style.deadline_line(ax, deadline)


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw the force bands with target, minimum viable and deadline."""
    force = _series(tables["bands"])
    with style.chart_style():
        fig, ax = style.new_figure(8.0, 4.6)
        runs = meta.get("runs")
        style.titles(fig, ax, TITLE, style.subtitle(meta, f"{runs:,} runs" if runs else ""))
        if force.empty:
            style.empty_note(ax, "No counted-force series in the bands table.")
        else:
            x = force["round"].astype(int)
            ax.fill_between(
                x,
                force["p05"],
                force["p95"],
                color=LINE,
                alpha=0.2,
                linewidth=0,
                label="5–95% of runs",
            )
            ax.plot(x, force["median"], color=LINE, linewidth=2.0, label="Median")
            ax.set_xlim(x.min(), max(x.max(), meta.get("deadline") or 0))
        _reference_lines(ax, meta, force)
        highest = [meta.get("target") or 0, meta.get("minimum_viable") or 0]
        highest.append(force["p95"].max() if not force.empty else 0)
        ax.set_ylim(0, max(1.0, *highest) * 1.08)
        style.round_axis(ax)
        ax.set_ylabel("Counted force (personnel)")
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        png, svg = style.save(fig, out_dir, NAME)
    return {"name": NAME, "png": png, "svg": svg, "title": TITLE, "caption": _caption(force, meta)}
