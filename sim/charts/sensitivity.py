"""Sensitivity chart: the top ranges per outcome, bars with 95% interval whiskers.

One panel per outcome and method, ranked by the method's main index. A range
the run count tells apart from no effect is drawn dark; one it does not is
drawn pale and hatched, so a reader does not take its place in the order for a
finding. Delta and PAWN panels carry the no-effect level as a dashed line.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from sim.charts import style
from sim.charts.sweep import header_figure
from sim.study.methods import MAIN_INDEX
from sim.study.outcomes import label
from sim.study.problem import is_reference, readable

NAME = "sensitivity"
TOP = 8
TOLD = "#8073ac"
NOT_TOLD = "#ece7f2"
AXIS_TEXT = {
    "delta": "δ: shift of the outcome's distribution when the range is known (0–1)",
    "pawn": "PAWN: median KS distance, range held in a slice vs not (0–1)",
    "S1": "S1: share of the outcome's variance explained by the range alone",
    "ST": "ST: share of variance explained, alone and with others",
    "mu_star": "μ*: mean absolute change of the outcome over the range's width",
}
METHOD_SHORT = {
    "delta": "delta",
    "pawn": "PAWN",
    "rbd_fast": "RBD-FAST",
    "sobol": "Sobol",
    "morris": "Morris",
}


def panels(table: pd.DataFrame, top: int) -> list[tuple[str, str, pd.DataFrame]]:
    """(outcome, method, its top ranges by the main index) in the table's order."""
    out = []
    for (o, m), part in table.groupby(["outcome", "method"], sort=False):
        rows = part[(part["index"] == MAIN_INDEX[m]) & ~is_reference(part["parameter"])]
        out.append((o, m, rows.sort_values("value", ascending=False).head(top)))
    return out


def draw_panel(ax, outcome: str, method: str, rows: pd.DataFrame, runs: int) -> None:
    """Horizontal bars, largest on top, whiskers for the interval, the no-effect level."""
    y = np.arange(len(rows))[::-1]
    told = rows["distinguishable"].to_numpy(bool)
    value = rows["value"].to_numpy(float)
    ax.barh(
        y,
        value,
        color=[TOLD if t else NOT_TOLD for t in told],
        hatch=[None if t else "///" for t in told],
        edgecolor=[TOLD if t else "#8c7fb0" for t in told],
        linewidth=0.6,
        height=0.62,
    )
    err = np.vstack([value - rows["conf_low"], rows["conf_high"] - value])
    ax.errorbar(value, y, xerr=np.clip(err, 0, None), fmt="none", ecolor=style.INK, capsize=3)
    level = float(rows["zero_level"].iloc[0]) if len(rows) else 0.0
    ax.axvline(level, color=style.MUTED, linewidth=1, linestyle="--" if level else "-")
    ax.set_yticks(y, [textwrap.fill(readable(p), 34) for p in rows["parameter"]])
    ax.set_xlabel(AXIS_TEXT[MAIN_INDEX[method]])
    dashed = f"  ·  dashed: no-effect level {level:.2f}" if level else ""
    ax.set_title(
        f"{label(outcome)}  ·  {METHOD_SHORT[method]}  ·  {runs:,} runs{dashed}",
        loc="left",
        fontsize=10,
        weight="bold",
    )


def draw(study, out_dir: Path, top: int = TOP) -> dict[str, str]:
    """Write sensitivity.png (and .svg, as `style.formats` says) into `out_dir`;
    return the files written by format."""
    chosen = panels(study.table, top)
    heights = [max(1.2, 0.34 * len(rows) + 0.9) for _, _, rows in chosen]
    sc = study.C.scenario
    subtitle = style.subtitle(
        {"title": sc.title or sc.name},
        "bars: index; whiskers: 95% interval",
        "pale, hatched: not told apart from no effect at this run count",
    )
    with style.chart_style():
        fig, body = header_figure(
            8.0,
            sum(heights),
            "Which judgement calls drive the outcome",
            style.wrap_subtitle(subtitle, 100),
        )
        axes = np.atleast_1d(body.subplots(len(chosen), 1, height_ratios=heights))
        for ax, (o, m, rows) in zip(axes, chosen, strict=True):
            runs = study.runs.get(m, study.runs.get("given", 0))
            draw_panel(ax, o, m, rows, runs)
        return style.save(fig, out_dir, NAME)
